"""The desktop app (PyQt6). The only package that imports Qt."""
