"""`corvus`: the command line (gui, optimize, solve, serve)."""

from __future__ import annotations

from interview_corvus.cli.main import main

__all__ = ["main"]
