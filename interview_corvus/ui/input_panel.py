"""The input side: the code or problem editor, its language, and screenshots.

Pasting code sets the language when the code makes it clear; a file opened or
dropped sets it from the file's extension. Whatever replaces the text (a reopened or
followed run, a file, Reset) is one undoable step, so Ctrl+Z brings back what the user
had typed; the text is kept as a draft across restarts (``draft.json`` in the data dir).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtGui import QDragEnterEvent, QDropEvent, QTextCursor
from PyQt6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QVBoxLayout, QWidget

from interview_corvus.core.answers.detect import detect_language
from interview_corvus.core.answers.models import LANGUAGES, language_for_suffix
from interview_corvus.core.config.settings import data_dir
from interview_corvus.ui.capture import CaptureStrip
from interview_corvus.ui.editor import CodeEditor

log = logging.getLogger(__name__)
DRAFT_SAVE_MS = 1000  # the draft is written this long after the last change


def draft_path() -> Path:
    return data_dir() / "draft.json"


class InputPanel(QWidget):
    language_detected = pyqtSignal(str)

    def __init__(self, default_language: str, window: QWidget) -> None:
        super().__init__()
        self.editor = CodeEditor()
        self.editor.setAccessibleName("Code or problem")
        self.editor.setPlaceholderText(
            "Paste code (Ctrl+V), open a file (Ctrl+O) or drop one here, then Optimize "
            "(Ctrl+Enter). For a problem statement, paste it and Solve (Ctrl+Shift+Enter).")
        self.editor.pasted.connect(self._on_pasted)
        self.language = QComboBox()  # shown in the window's toolbar
        self.language.addItems(LANGUAGES)
        self.language.setCurrentText(default_language)
        self.language.setAccessibleName("Language")
        self.language.setToolTip("Language of the code (detected when you paste)")
        self.captures = CaptureStrip(window)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.captures)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.editor.textChanged.connect(self._draft_timer.start)
        self.editor.textChanged.connect(self.editor.wrap_prose)
        self.editor.keep_columns()

    def set_input(self, text: str, language: str) -> str:
        """Show a run's input (a reopened or followed run); a note for the status bar
        when it replaced other text the user had (Ctrl+Z brings that back), else ""."""
        replaced = self.replace_text(text)
        if language in LANGUAGES:
            self.language.setCurrentText(language)
        return " · your previous input was replaced: Ctrl+Z brings it back" if replaced else ""

    def replace_text(self, text: str) -> bool:
        """Put ``text`` in the editor as one undoable edit; True if other text was there."""
        old = self.editor.toPlainText()
        if old == text:
            return False
        cursor = QTextCursor(self.editor.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        return bool(old.strip())

    def clear(self) -> None:
        self.replace_text("")
        self.captures.clear()

    # -- the draft, across restarts -------------------------------------------
    def save_draft(self) -> None:
        self._draft_timer.stop()
        path, text = draft_path(), self.editor.toPlainText()
        try:
            if not text.strip():
                path.unlink(missing_ok=True)
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".draft-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"text": text, "language": self.language.currentText()}, fh)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not save the draft to %s: %s", path, exc)

    def restore_draft(self) -> None:
        """The text (and language) the editor held when the app last stopped."""
        try:
            data = json.loads(draft_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("ignoring the unreadable draft %s: %s", draft_path(), exc)
            return
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            self.set_input(data["text"], str(data.get("language", "")))
            self._draft_timer.stop()  # nothing new to write

    def _on_pasted(self, text: str) -> None:
        language = detect_language(text)
        if language and language != self.language.currentText():
            self.language.setCurrentText(language)
            self.language_detected.emit(language)

    def open_file(self, path: Path) -> None:
        try:
            self.replace_text(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            QMessageBox.warning(self, "Cannot open file", f"{path}: {exc}")
            return
        language = language_for_suffix(path.suffix)
        if language:
            self.language.setCurrentText(language)

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open code")
        if name:
            self.open_file(Path(name))


def accept_files(event: QDragEnterEvent | None) -> None:
    """Accept a drag that carries files (a window's dragEnterEvent)."""
    mime = event.mimeData() if event is not None else None
    if event is not None and mime is not None and mime.hasUrls():
        event.acceptProposedAction()


def drop_file(event: QDropEvent | None, open_file: Callable[[Path], object]) -> None:
    """Open the first local file of a drop (a window's dropEvent)."""
    mime = event.mimeData() if event is not None else None
    urls = mime.urls() if mime is not None else []
    if urls and urls[0].isLocalFile():
        open_file(Path(urls[0].toLocalFile()))
