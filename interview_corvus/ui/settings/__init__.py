"""The Settings dialog and its tabs (provider and model, hotkeys, prompts, server)."""
