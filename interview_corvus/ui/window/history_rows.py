"""How History shows a run: its row (outcome, kind, language, time, origin, provider and
model; then the first meaningful line of the input), its tooltip, and the list itself
(rows wrap instead of eliding; the empty state is drawn inside the list; Delete and
Ctrl+Z are the list's own keys)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath, PureWindowsPath

from PyQt6.QtCore import QEvent, Qt, pyqtSignal
from PyQt6.QtGui import QKeyEvent, QKeySequence, QResizeEvent
from PyQt6.QtWidgets import QLabel, QListWidget, QWidget

from interview_corvus.core.runs.history import RunEntry
from interview_corvus.ui.window.run_text import IMAGE_SUFFIXES, MARK, WORD

# lines that say little about what a run was: imports, includes, usings, packages,
# comments, shebangs, decorators and lone brackets
_NOISE = re.compile(r"""^(?:
      import\b | from\s+\S+\s+import\b | \#\s*include\b | \#! | \# | // | /\* | \*
    | -- | ; | using\s | use\s | require\b | package\s | @ | <\?php | ['"]use\ strict['"]
    | [\[\](){}]+;?$ )""", re.VERBOSE)
_DEFINITION = re.compile(
    r"^(?:export\s+)?(?:default\s+)?(?:async\s+)?"
    r"(?:def|class|function|func|fn|fun|struct|interface|impl|trait)\b"
    r"|^(?:public|private|protected|static)\b.*\(")
_PROSE = re.compile(r"^[A-Z][^=;{}<>]*\s\S+\s\S+")  # "Given an array …": words, no code


def _is_image(line: str) -> bool:
    return PurePath(line).suffix.lower() in IMAGE_SUFFIXES and ("/" in line or "\\" in line)


def snippet(entry: RunEntry, width: int = 44) -> str:
    """The first meaningful line of the input: a definition (``def``, ``class``,
    ``function`` …) when the input is code, else its first line of prose or code,
    skipping blank lines, imports, includes, comments and shebangs; screenshots
    are counted when there is no text."""
    lines = [line.strip() for line in entry.input.splitlines()]
    shots = sum(1 for line in lines if _is_image(line))
    useful = [line for line in lines if line and not _is_image(line)
              and not _NOISE.match(line)]
    first = useful[0] if useful else ""
    if first and not _PROSE.match(first):
        first = next((line for line in useful if _DEFINITION.match(line)), first)
    if not first and shots:
        first = f"({shots} screenshot{'s' if shots > 1 else ''})"
    return first if len(first) <= width else first[: width - 1] + "…"


def short_model(model: str, width: int = 22) -> str:
    """``Qwen2.5-Coder-1.5B-Instruct`` for a path, a repo id or a file name."""
    name = PureWindowsPath(model).name or model  # splits at both / and \
    for suffix in (".gguf", ".bin"):
        name = name.removesuffix(suffix)
    return name if len(name) <= width else name[: width - 1] + "…"


def source(entry: RunEntry) -> str:
    """Provider and model, short: ``openai/gpt-4o-mini``."""
    model = short_model(entry.model or "")
    if not model or model == entry.provider:
        return entry.provider or "?"
    return f"{entry.provider}/{model}"


def outcome(entry: RunEntry) -> str:
    """The outcome in words (the error's message for a failed run)."""
    word = WORD.get(entry.status, entry.status)
    if entry.error_message and entry.status != "done":
        word += f": {entry.error_message}"
    took = f" in {entry.elapsed_ms / 1000:.1f} s" if entry.elapsed_ms else ""
    return word + took


def describe(entry: RunEntry) -> str:
    """Two lines: outcome (in words unless it is done), kind, language, time, where it
    came from and provider/model; then the first meaningful line of the input. Rows
    wrap rather than elide, so "via http" is always read whole."""
    when = dt.datetime.fromtimestamp(entry.created_at)
    stamp = when.strftime("%H:%M" if when.date() == dt.date.today() else "%b %d %H:%M")
    mark = MARK.get(entry.status, "?")
    lead = mark if entry.status == "done" else f"{mark} {WORD.get(entry.status, '')} ·"
    follow = "↳ follow-up " if entry.parent_id else ""
    origin = "" if entry.origin == "window" else f" · via {entry.origin}"
    head = (f"{lead} {follow}{entry.kind} · {entry.language or '?'} · {stamp}{origin} · "
            f"{source(entry)}")
    return f"{head}\n    {snippet(entry) or '(empty)'}"


def spoken(entry: RunEntry) -> str:
    """The row for a screen reader: the outcome as a word, not a symbol."""
    origin = "" if entry.origin == "window" else f", via {entry.origin}"
    return (f"{WORD.get(entry.status, entry.status)}, {entry.kind}, {entry.language}"
            f"{origin}, {entry.provider} {entry.model}: {snippet(entry)}")


def tooltip(entry: RunEntry) -> str:
    """The fuller picture on hover: outcome in words, the error, the first lines."""
    when = dt.datetime.fromtimestamp(entry.created_at).strftime("%Y-%m-%d %H:%M:%S")
    lines = entry.input.splitlines()
    preview = "\n".join(lines[:12]) + ("\n…" if len(lines) > 12 else "")
    return (f"{MARK.get(entry.status, '?')} {outcome(entry)}\n"
            f"{entry.kind} · {entry.language} · {when}\n"
            f"{entry.provider} · {entry.model} · from {entry.origin}\n\n{preview}")


class HistoryList(QListWidget):
    """The runs: rows wrap to the dock's width; with no rows, ``placeholder`` says why
    inside the list (no empty box above the text); Delete and Ctrl+Z ask the panel."""

    delete_requested = pyqtSignal()
    undo_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)  # row heights follow the width
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.placeholder = QLabel(self.viewport())
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setMargin(12)
        self.placeholder.setEnabled(False)  # drawn in the muted (disabled) text colour
        self.placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        viewport = self.viewport()
        if viewport is not None:
            self.placeholder.setGeometry(viewport.rect())

    def _key(self, event: QKeyEvent) -> str:
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)
        if event.matches(QKeySequence.StandardKey.Undo):
            return "undo"
        if plain and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return "delete"
        return ""

    def event(self, event: QEvent | None) -> bool:
        # the keys are the list's own, before any shortcut of the window
        if (event is not None and event.type() == QEvent.Type.ShortcutOverride
                and isinstance(event, QKeyEvent) and self._key(event)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        key = self._key(event) if event is not None else ""
        if key == "delete":
            self.delete_requested.emit()
        elif key == "undo":
            self.undo_requested.emit()
        else:
            super().keyPressEvent(event)
