"""Desktop services: global hotkeys, screen capture, theme, icons, one instance, asyncio."""
