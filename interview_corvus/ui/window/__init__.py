"""The main window and its bars: input, answer pane, history, status line, keys."""
