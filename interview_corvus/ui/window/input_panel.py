"""The input side: the code or problem editor, its language, and screenshots.

Pasting code sets the language when the code makes it clear; a file opened or
dropped sets it from the file's extension. Whatever replaces the text (a reopened or
followed run, a file, Reset) is one undoable step, so Ctrl+Z brings back what the user
had typed; the text is kept as a draft across restarts (``draft.json`` in the data dir).
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path

from PyQt6.QtCore import QEvent, QObject, QTimer, pyqtSignal
from PyQt6.QtGui import QDragEnterEvent, QDropEvent, QTextCursor
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.answers.detect import detect_language
from interview_corvus.core.answers.models import LANGUAGES, language_for_suffix
from interview_corvus.core.config.atomic import write_atomic
from interview_corvus.core.config.settings import data_dir
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.service import LLMService
from interview_corvus.ui.platform.capture import CaptureStrip
from interview_corvus.ui.platform.theme import focus_ring
from interview_corvus.ui.widgets.editor import CodeEditor
from interview_corvus.ui.widgets.highlight import PygmentsHighlighter
from interview_corvus.ui.window.run_text import reads_images

log = logging.getLogger(__name__)
DRAFT_SAVE_MS = 1000  # the draft is written this long after the last change


def draft_path() -> Path:
    return data_dir() / "draft.json"


class InputPanel(QWidget):
    language_detected = pyqtSignal(str)

    def __init__(self, default_language: str, window: QWidget) -> None:
        super().__init__()
        self.editor = CodeEditor()
        focus_ring(self.editor)  # F6 shows where it went
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
        document = self.editor.document()
        assert document is not None
        self.highlighter = PygmentsHighlighter(document, default_language)
        self.language.currentTextChanged.connect(lambda _: self._on_text_changed())
        self.captures = CaptureStrip(window)
        self.capture_note = QLabel()  # the provider cannot read screenshots: said here
        self.capture_note.setWordWrap(True)
        self.remove_capture = QPushButton("Remove screenshot")
        self.remove_capture.setToolTip("Remove the selected screenshot (or the last one); "
                                       "Delete in the strip does the same")
        self.remove_capture.clicked.connect(self.captures.remove_selected)
        self.captures.changed.connect(self._on_captures_changed)
        capture_row = QHBoxLayout()
        capture_row.addWidget(self.capture_note, 1)
        capture_row.addWidget(self.remove_capture)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.captures)
        layout.addLayout(capture_row)
        self._on_captures_changed(0)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.editor.textChanged.connect(self._draft_timer.start)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.keep_columns()

    def set_input(self, text: str, language: str) -> str:
        """Show a run's input (a reopened or followed run); a note for the status bar
        when it replaced other text the user had (Ctrl+Z brings that back), else ""."""
        replaced = self.replace_text(text)
        if language in LANGUAGES:
            self.language.setCurrentText(language)
        return " · your previous input was replaced: Ctrl+Z brings it back" if replaced else ""

    def take_drops_on(self, window: QWidget) -> None:
        """A file dropped anywhere on ``window`` opens here (its first local file)."""
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if isinstance(event, QDragEnterEvent):
            mime = event.mimeData()
            if mime is not None and mime.hasUrls():
                event.acceptProposedAction()
            return True
        if isinstance(event, QDropEvent) and event.type() == QEvent.Type.Drop:
            mime = event.mimeData()
            urls = mime.urls() if mime is not None else []
            if urls and urls[0].isLocalFile():
                self.open_file(Path(urls[0].toLocalFile()))
            return True
        return super().eventFilter(watched, event)

    def _on_text_changed(self) -> None:
        """Prose wraps and stays plain; code keeps its lines and the language's colours."""
        prose = self.editor.wrap_prose()
        self.highlighter.set_language("text" if prose else self.language.currentText())

    def capture(self, window: QWidget, service: LLMService) -> None:
        """Grab the screen; say at once when the provider cannot read what is grabbed."""
        readable = reads_images(service)
        name = "this provider"
        with contextlib.suppress(CorvusError):
            name = service.provider.name
        self.capture_note.setText("" if readable else
                                  f"⚠ {name} cannot read screenshots: Solve sends only the "
                                  "text you type. Choose a vision model in Settings → Model.")
        self.captures.capture(window)

    def _on_captures_changed(self, count: int) -> None:
        self.remove_capture.setVisible(count > 0)
        self.capture_note.setVisible(count > 0 and bool(self.capture_note.text()))

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

    def clear(self, language: str | None = None) -> None:
        """Empty input and no screenshots; the language back to ``language`` (the
        default) when given."""
        self.replace_text("")
        if language in LANGUAGES:
            self.language.setCurrentText(language)
        self.captures.clear()

    # -- the draft, across restarts -------------------------------------------
    def save_draft(self) -> None:
        self._draft_timer.stop()
        path, text = draft_path(), self.editor.toPlainText()
        try:
            if not text.strip():
                path.unlink(missing_ok=True)
                return
            write_atomic(path, json.dumps({"text": text,
                                           "language": self.language.currentText()}),
                         prefix=".draft-")
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
