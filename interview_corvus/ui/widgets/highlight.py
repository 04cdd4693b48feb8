"""Syntax highlighting with pygments, incremental over the whole text.

QSyntaxHighlighter re-highlights only the blocks (lines) that change, and the
next block as long as the state it ends in changes. Each block's state is the
pygments lexer's state stack where the line ends, so a line inside a
multi-line string or comment is lexed as such, yet text appended while
streaming costs only its new lines plus any line whose start state changed.
Each line is lexed with its newline, as pygments' rules expect (diff lines,
line comments, preprocessor directives end at ``\\n``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from pygments.lexer import ExtendedRegexLexer, Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Error, Text, Token, _TokenType
from PyQt6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

LEXERS = {"python": "python", "java": "java", "javascript": "javascript",
          "typescript": "typescript", "c++": "cpp", "c#": "csharp", "go": "go",
          "rust": "rust", "ruby": "ruby", "kotlin": "kotlin", "swift": "swift",
          "sql": "sql", "diff": "diff"}
ROOT: tuple[str, ...] = ("root",)


@lru_cache(maxsize=32)
def lexer_for(language: str) -> Lexer:
    return get_lexer_by_name(LEXERS.get(language, "text"), stripnl=False, ensurenl=False)


def lex_line(lexer: Lexer, line: str, stack: tuple[str, ...]
             ) -> tuple[list[tuple[int, _TokenType, str]], tuple[str, ...]]:
    """Tokens of ``line`` (with its newline) lexed from ``stack``, and the stack after it.

    For a ``RegexLexer`` this is its state machine run line by line, keeping the
    state between lines; other lexers are lexed one line at a time from scratch.
    """
    if not isinstance(lexer, RegexLexer) or isinstance(lexer, ExtendedRegexLexer):
        return list(lexer.get_tokens_unprocessed(line)), ROOT
    states: list[str] = list(stack)
    tokens = list(_run_states(lexer, line, states))
    return tokens, tuple(states)


def _run_states(lexer: RegexLexer, text: str, states: list[str]
                ) -> Iterator[tuple[int, _TokenType, str]]:
    """The regex state machine over ``text``, updating ``states`` in place."""
    table = lexer._tokens
    if states[-1] not in table:
        states[:] = ["root"]
    rules = table[states[-1]]
    pos = 0
    while pos < len(text):
        for match_at, action, new_state in rules:
            match = match_at(text, pos)
            if not match:
                continue
            if action is not None:
                if type(action) is _TokenType:
                    yield pos, action, match.group()
                else:
                    yield from action(lexer, match)
            if match.end() == pos and new_state is None:
                continue  # an empty match that changes nothing would loop forever
            pos = match.end()
            if new_state is not None:
                _transition(states, new_state)
                rules = table[states[-1]]
            break
        else:
            if text[pos] == "\n":  # no rule for the line end: back to the root state
                states[:] = ["root"]
                rules = table["root"]
                yield pos, Text, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1


def _transition(states: list[str], new_state: object) -> None:
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(states) > 1:
                    states.pop()
            elif state == "#push":
                states.append(states[-1])
            else:
                states.append(state)
    elif isinstance(new_state, int):
        if abs(new_state) >= len(states):
            del states[1:]
        else:
            del states[new_state:]
    elif new_state == "#push":
        states.append(states[-1])


class PygmentsHighlighter(QSyntaxHighlighter):
    """Pygments colours for a ``QTextDocument``, line by line (see the module docstring).

    A line longer than ``long_line`` characters (minified code, a model's one-line
    answer) stays plain: Qt re-highlights a changed line whole, so colouring a line
    that grows while streaming would cost its whole length on every frame (a 40 KB
    line stalled the window for seconds). The lexer state flows through it unchanged.
    """

    long_line = 2000  # characters

    def __init__(self, document: QTextDocument, language: str = "python",
                 dark: bool = False) -> None:
        super().__init__(document)
        self._language = language
        self._formats: dict[_TokenType, QTextCharFormat] = {}
        self._stack_ids: dict[tuple[str, ...], int] = {ROOT: 0}
        self._stacks: list[tuple[str, ...]] = [ROOT]
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
            if token is Error:  # a lexer's "cannot tell" is not worth a red box
                fmt = QTextCharFormat()
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

    def _state_id(self, stack: tuple[str, ...]) -> int:
        state = self._stack_ids.get(stack)
        if state is None:
            state = self._stack_ids[stack] = len(self._stacks)
            self._stacks.append(stack)
        return state

    def highlightBlock(self, text: str | None) -> None:
        previous = self.previousBlockState()
        stack = self._stacks[previous] if 0 <= previous < len(self._stacks) else ROOT
        if len(text or "") > self.long_line:
            self.setCurrentBlockState(self._state_id(stack))
            return
        tokens, after = lex_line(lexer_for(self._language), (text or "") + "\n", stack)
        length = len(text or "")
        for position, token, value in tokens:
            if position >= length:
                break
            fmt = self._format(token)
            if fmt is not None:
                self.setFormat(position, min(len(value), length - position), fmt)
        self.setCurrentBlockState(self._state_id(after))
