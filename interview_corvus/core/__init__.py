"""Core: models, prompts, incremental parsing, providers, the LLM service.

Nothing in this package imports Qt or an HTTP framework.
"""
