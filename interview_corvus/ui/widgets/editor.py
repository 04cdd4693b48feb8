"""A plain-text code editor with a line-number gutter (input and answer panes)."""

from __future__ import annotations

import re

from PyQt6.QtCore import QMimeData, QRect, QSize, Qt, pyqtSignal
from PyQt6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PyQt6.QtWidgets import QPlainTextEdit, QWidget


def mono_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class _Gutter(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        if event is not None:
            self.editor.paint_gutter(event)


MIN_COLUMNS = 16  # the input editor never gets narrower than this many characters


CODE_LINE = re.compile(
    r"^\s*(def |class |function |fn |func |import |from \S+ import |#include|package |"
    r"public |private |const |let |var |return\b|@\w)|[;{}]\s*$|^\s*(for|if|while|elif|"
    r"else|try|except|with)\b.*:\s*$")


def looks_like_prose(text: str) -> bool:
    """Whether ``text`` reads as prose (a problem statement, a question) rather than code:
    at most one line in five looks like code (a definition, an import, a block opener,
    a line ending in ``;`` ``{`` ``}``) and at least half of the characters are in lines
    of six or more words. A problem's "Example 1: / Input: nums = [2,7]" lines and an
    MCQ's short "A) O(n)" options stay prose beside its sentences."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    if sum(bool(CODE_LINE.search(line)) for line in lines) * 5 > len(lines):
        return False
    if sum(line[:1] in " \t" for line in lines) * 4 > len(lines):  # indented: code
        return False
    wordy = sum(len(line) for line in lines if len(line.split()) >= 6)
    return wordy * 2 >= sum(len(line) for line in lines)


class CodeEditor(QPlainTextEdit):
    """Monospace, no soft wrap, line numbers; ``pasted`` carries pasted text."""

    pasted = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(mono_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(QFontMetricsF(self.font()).horizontalAdvance(" ") * 4)
        self.gutter = _Gutter(self)
        self.blockCountChanged.connect(self._on_block_count)
        self.updateRequest.connect(self._on_update_request)
        self._on_block_count(1)

    def keep_columns(self, columns: int = MIN_COLUMNS) -> None:
        """Never narrower than ``columns`` characters (a layout squeezes others first)."""
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * columns
                             + self.gutter_width() + 8)

    def wrap_prose(self) -> bool:
        """Soft-wrap when the text is prose (a problem, a question); code never wraps.
        Returns whether it is prose."""
        prose = looks_like_prose(self.toPlainText())
        mode = (QPlainTextEdit.LineWrapMode.WidgetWidth if prose
                else QPlainTextEdit.LineWrapMode.NoWrap)
        if self.lineWrapMode() != mode:
            self.setLineWrapMode(mode)
        return prose

    def gutter_width(self) -> int:
        digits = max(2, len(str(max(1, self.blockCount()))))
        return 10 + self.fontMetrics().horizontalAdvance("9") * digits

    def _on_block_count(self, _count: int) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self.gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(),
                                      area.height()))

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self.gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.alternateBase())
        painter.setPen(palette.placeholderText().color())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        width = self.gutter.width() - 5
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight,
                                 str(block.blockNumber() + 1))
            block = block.next()
            top = bottom
        painter.end()

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        """Tab indents code; Ctrl+Tab and Ctrl+Shift+Tab move on (Tab never traps focus)."""
        if event is not None and event.modifiers() & Qt.KeyboardModifier.ControlModifier \
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            forward = event.key() == Qt.Key.Key_Tab and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            QWidget.focusNextPrevChild(self, forward)  # the editor's own refuses while Tab indents
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData | None) -> None:
        super().insertFromMimeData(source)
        if source is not None and source.hasText():
            self.pasted.emit(source.text())
