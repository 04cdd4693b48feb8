"""The answer's code view: read-only, highlighted, appended to as the answer streams."""

from __future__ import annotations

from PyQt6.QtGui import QTextCursor
from PyQt6.QtWidgets import QWidget

from interview_corvus.ui.widgets.editor import CodeEditor
from interview_corvus.ui.widgets.highlight import PygmentsHighlighter


class StreamingCode(CodeEditor):
    """Read-only code view (line numbers) that appends streamed text.

    Qt lays a changed line out whole, so a line that grows while streaming (minified
    code, a model's one-line answer) would cost its whole length on every frame: ~18 ms
    per append at 40 KB. While text streams in, a line is therefore shown in pieces of
    ``DISPLAY_LINE`` characters (display only: ``text()`` and Copy keep the real text);
    ``settle()`` shows the real lines once the answer is complete.
    """

    DISPLAY_LINE = 240  # characters of one line per display block while streaming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTabChangesFocus(True)  # read-only: Tab moves on instead of being trapped
        document = self.document()
        assert document is not None
        self.highlighter = PygmentsHighlighter(document)
        self._text = ""
        self._tail = 0  # characters in the last display block
        self.folded = False  # some line is shown in pieces

    def show_text(self, text: str) -> None:
        if text == self._text:
            return
        if text.startswith(self._text) and self._text:
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(self._folded_display(text[len(self._text):]))
        else:
            self.setPlainText(text)
            self.folded = False
            self._tail = len(text) - text.rfind("\n") - 1
        self._text = text

    def _folded_display(self, new: str) -> str:
        """``new`` as shown after what is shown: long lines broken every DISPLAY_LINE."""
        parts: list[str] = []
        for index, line in enumerate(new.split("\n")):
            if index:
                parts.append("\n")
                self._tail = 0
            while self._tail + len(line) > self.DISPLAY_LINE:
                room = self.DISPLAY_LINE - self._tail
                parts.append(line[:room] + "\n")
                line, self._tail, self.folded = line[room:], 0, True
            parts.append(line)
            self._tail += len(line)
        return "".join(parts)

    def settle(self) -> None:
        """Show the real lines (the answer is complete): one layout of the whole text."""
        if self.folded:
            self.setPlainText(self._text)
            self.folded = False

    def text(self) -> str:
        return self._text
