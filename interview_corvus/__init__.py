"""Interview Corvus: a coding assistant that streams structured answers live."""

from __future__ import annotations

__version__ = "0.1.0"
