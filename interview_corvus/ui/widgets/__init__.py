"""Widgets the window and dialogs share: the code editor, highlighting, notices."""
