"""Syntax highlighting with pygments, one text block (line) at a time.

QSyntaxHighlighter re-highlights only the blocks that change, so text appended
while streaming costs only its new lines: the work per frame is bounded by what
arrived, never by the whole document.
"""

from __future__ import annotations

from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Token, _TokenType
from PyQt6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

LEXERS = {"python": "python", "java": "java", "javascript": "javascript",
          "typescript": "typescript", "c++": "cpp", "c#": "csharp", "go": "go",
          "rust": "rust", "ruby": "ruby", "kotlin": "kotlin", "swift": "swift",
          "sql": "sql", "diff": "diff"}


@lru_cache(maxsize=32)
def lexer_for(language: str) -> Lexer:
    return get_lexer_by_name(LEXERS.get(language, "text"), stripnl=False, ensurenl=False)


class PygmentsHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, language: str = "python",
                 dark: bool = False) -> None:
        super().__init__(document)
        self._language = language
        self._formats: dict[_TokenType, QTextCharFormat] = {}
        self.set_style(dark)

    def set_style(self, dark: bool) -> None:
        style = get_style_by_name("monokai" if dark else "default")
        self._formats.clear()
        for token, spec in style:
            fmt = QTextCharFormat()
            if spec["color"]:
                fmt.setForeground(QColor(f"#{spec['color']}"))
            if spec["bold"]:
                fmt.setFontWeight(QFont.Weight.Bold)
            if spec["italic"]:
                fmt.setFontItalic(True)
            self._formats[token] = fmt
        self.rehighlight()

    def set_language(self, language: str) -> None:
        if language != self._language:
            self._language = language
            self.rehighlight()

    def _format(self, token: _TokenType) -> QTextCharFormat | None:
        while token is not Token:
            fmt = self._formats.get(token)
            if fmt is not None and (fmt.foreground().style().value or fmt.fontWeight() > 400
                                    or fmt.fontItalic()):
                return fmt
            token = token.parent
        return None

    def highlightBlock(self, text: str | None) -> None:
        if not text:
            return
        position = 0
        for token, value in lexer_for(self._language).get_tokens(text):
            fmt = self._format(token)
            if fmt is not None:
                self.setFormat(position, len(value), fmt)
            position += len(value)
