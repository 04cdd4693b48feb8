"""The input side: the code or problem editor, its language, and screenshots.

Pasting code sets the language when the code makes it clear; a file opened or
dropped sets it from the file's extension.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QDragEnterEvent, QDropEvent
from PyQt6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QVBoxLayout, QWidget

from interview_corvus.core.answers.detect import detect_language
from interview_corvus.core.answers.models import LANGUAGES, language_for_suffix
from interview_corvus.ui.capture import CaptureStrip
from interview_corvus.ui.editor import CodeEditor


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

    def set_input(self, text: str, language: str) -> None:
        """Show a run's input (a reopened or followed run)."""
        self.editor.setPlainText(text)
        if language in LANGUAGES:
            self.language.setCurrentText(language)

    def clear(self) -> None:
        self.editor.clear()
        self.captures.clear()

    def _on_pasted(self, text: str) -> None:
        language = detect_language(text)
        if language and language != self.language.currentText():
            self.language.setCurrentText(language)
            self.language_detected.emit(language)

    def open_file(self, path: Path) -> None:
        try:
            self.editor.setPlainText(path.read_text(encoding="utf-8"))
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
