"""Incremental JSON parsing for streamed model output.

``IncrementalJSONParser.feed(delta)`` consumes one delta in time proportional
to the delta, never re-reading what came before, and returns the patches the
delta caused:

* ``("set", path, value)``   – a key or list item got a value (a container is
  set empty and then filled; a string is set to its first text),
* ``("append", path, text)`` – text was appended to the string at ``path``.

``path`` is a tuple of object keys and list indices; a ``set`` whose last index
equals the list's length appends a new item. Applying the patches in order
(``apply_patch``) rebuilds exactly the document the parser holds.

Numbers and ``true``/``false``/``null`` appear only once complete; a string
appears as soon as its opening quote arrives and grows as text arrives. Escape
sequences, ``\\uXXXX`` surrogate pairs and UTF-8 characters (when bytes are fed)
may be split anywhere across deltas. Like ``json.loads(strict=False)``, raw
control characters inside strings are accepted: small models write literal
newlines in code.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from interview_corvus.core.untrusted import REPLACEMENT, clean_text

__all__ = ["REPLACEMENT", "IncrementalJSONParser", "JSONStreamError", "Patch", "apply_patch",
           "clean_text"]

Path = tuple[Any, ...]
Patch = tuple[str, Path, Any]

# Parser states.
_VALUE, _OBJ_FIRST, _OBJ_KEY, _COLON, _AFTER, _ARR_FIRST = range(6)
_STRING, _ESCAPE, _UNICODE, _NUMBER, _LITERAL, _END, _PREFIX = range(6, 13)

_WS = " \t\n\r"
_STR_RUN = re.compile(r'[^"\\]*')
_NUM_RUN = re.compile(r"[0-9eE+\-.]*")
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _run_end(run: re.Pattern[str], text: str, i: int) -> int:
    """Where a ``[...]*`` run starting at ``i`` ends (such a pattern always matches)."""
    match = run.match(text, i)
    return i if match is None else match.end()


_HEX = frozenset("0123456789abcdefABCDEF")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t"}
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}
_MISSING = object()




MAX_DEPTH = 64  # answers nest 3 deep; a cap keeps "[[[[…" linear and small


class JSONStreamError(ValueError):
    """The streamed text is not valid JSON (``position`` counts characters, or bytes
    for UTF-8 errors in byte input)."""

    def __init__(self, message: str, position: int, unit: str = "character") -> None:
        super().__init__(f"{message} at {unit} {position}")
        self.position = position


class IncrementalJSONParser:
    """Parse one JSON document delivered in pieces.

    ``skip_prefix=True`` ignores anything before the first ``{`` or ``[`` (models
    sometimes open with a code fence); text after the document is ignored and
    counted in ``trailing``. ``track_closed=True`` lists the path of each value as
    it completes in ``closed`` (string, number, literal, container).
    """

    def __init__(self, *, skip_prefix: bool = False, track_closed: bool = False) -> None:
        self._state = _PREFIX if skip_prefix else _VALUE
        self._stack: list[list[Any]] = []  # frames: [container, key-or-index]
        self._root: Any = _MISSING
        self._pos = 0
        self._bytes = 0  # bytes fed, for the position of a UTF-8 error
        self._decoder: codecs.IncrementalDecoder | None = None
        # Current string.
        self._chunks: list[str] = []
        self._fresh: list[str] = []
        self._is_key = False
        self._str_new = False
        self._str_path: Path = ()
        self._high: str | None = None  # pending high surrogate
        self._hex = ""
        self._token = ""  # number or literal being read
        self.trailing = 0
        # paths of values that are complete, in order, when asked for (the caller drains it)
        self.closed: list[Path] | None = [] if track_closed else None

    # -- public API -------------------------------------------------------
    @property
    def done(self) -> bool:
        """True once the top-level value is complete."""
        return self._state == _END

    @property
    def started(self) -> bool:
        return self._root is not _MISSING

    def feed(self, data: str | bytes) -> list[Patch]:
        if isinstance(data, bytes):
            if self._decoder is None:
                self._decoder = codecs.getincrementaldecoder("utf-8")()
            held = len(self._decoder.getstate()[0])  # bytes of a character begun earlier
            try:
                text = self._decoder.decode(data)
            except UnicodeDecodeError as exc:
                raise JSONStreamError("invalid UTF-8", self._bytes - held + exc.start,
                                      "byte") from exc
            self._bytes += len(data)
            data = text
        patches: list[Patch] = []
        self._parse(data, patches)
        self._pos += len(data)
        if self._fresh or self._str_new:
            self._flush_string(patches)
        return patches

    def finish(self, patches: list[Patch] | None = None) -> Any:
        """Return the complete document or raise ``JSONStreamError``.

        A top-level number is only known complete here; its patch goes to ``patches``.
        """
        if self._decoder is not None:
            held = len(self._decoder.getstate()[0])
            try:
                rest = self._decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise JSONStreamError("truncated UTF-8 character", self._bytes - held,
                                      "byte") from exc
            if rest:
                self.feed(rest)
        if self._state == _NUMBER and not self._stack:
            self._end_number(patches if patches is not None else [])
        if self._state != _END:
            raise JSONStreamError("unexpected end of document", self._pos)
        return self._root

    def materialize(self) -> Any:
        """The live document with the string in progress brought up to date.

        Cost is the length of the string in progress. The result is shared
        with the parser: do not mutate it (use ``snapshot`` for a copy).
        """
        if self._state in (_STRING, _ESCAPE, _UNICODE) and not self._is_key:
            text = "".join(self._chunks)
            self._chunks = [text]
            self._store(self._str_path, text)
        return None if self._root is _MISSING else self._root

    def snapshot(self) -> Any:
        """A deep copy of the document so far (strings are shared, being immutable)."""
        return _copy(self.materialize())

    # -- internals --------------------------------------------------------
    def _error(self, message: str, offset: int) -> JSONStreamError:
        return JSONStreamError(message, self._pos + offset)

    def _path(self) -> Path:
        return tuple(frame[1] for frame in self._stack)

    def _store(self, path: Path, value: Any) -> None:
        if not path:
            self._root = value
            return
        frame = self._stack[len(path) - 1]
        container = frame[0]
        if isinstance(container, list) and path[-1] == len(container):
            container.append(value)
        else:
            container[path[-1]] = value

    def _attach(self, value: Any, patches: list[Patch] | None) -> Path:
        """Place a new value at the current position; return its path.

        A string's patch is left to ``_flush_string`` (``patches`` is None).
        """
        stack = self._stack
        if not stack:
            self._root = value
            path: Path = ()
        else:
            frame = stack[-1]
            container = frame[0]
            if isinstance(container, list):
                frame[1] = len(container)
                container.append(value)
            else:
                container[frame[1]] = value
            path = self._path()
        if patches is not None:
            patches.append(("set", path, _copy(value)))
        return path

    def _after_value(self) -> int:
        return _AFTER if self._stack else _END

    def _flush_string(self, patches: list[Patch]) -> None:
        text = "".join(self._fresh)
        self._fresh = []
        if self._str_new:
            self._str_new = False
            patches.append(("set", self._str_path, text))
        elif text:
            patches.append(("append", self._str_path, text))

    def _add_text(self, text: str) -> None:
        if self._high is not None:  # a high surrogate with no low one after it
            self._high = None
            self._add_text(REPLACEMENT)
        self._chunks.append(text)
        if not self._is_key:
            self._fresh.append(text)

    def _end_string(self, patches: list[Patch]) -> int:
        if self._high is not None:
            self._add_text("")
        text = "".join(self._chunks)
        self._chunks = []
        if self._is_key:
            self._stack[-1][1] = text
            return _COLON
        self._store(self._str_path, text)
        self._flush_string(patches)
        if self.closed is not None:
            self.closed.append(self._str_path)
        return self._after_value()

    def _end_number(self, patches: list[Patch]) -> None:
        token = self._token
        match = _NUMBER_RE.fullmatch(token)
        if match is None:
            raise self._error(f"invalid number {token!r}", 0)
        value: Any = float(token) if match.group(1) or match.group(2) else int(token)
        path = self._attach(value, patches)
        if self.closed is not None:
            self.closed.append(path)
        self._token = ""
        self._state = self._after_value()

    def _close(self, char: str, offset: int) -> int:
        stack = self._stack
        if not stack:
            raise self._error(f"unexpected {char!r}", offset)
        container = stack[-1][0]
        if isinstance(container, dict) != (char == "}"):
            raise self._error(f"mismatched {char!r}", offset)
        stack.pop()
        if self.closed is not None:
            self.closed.append(self._path())
        return self._after_value()

    def _start_value(self, char: str, i: int, patches: list[Patch]) -> int:
        """Begin a value at ``char``; return the new state."""
        if char == '"':
            self._is_key = False
            self._str_new = True
            self._str_path = self._attach("", None)
            return _STRING
        if char in "{[" and len(self._stack) >= MAX_DEPTH:
            raise self._error(f"nesting deeper than {MAX_DEPTH} levels", i)
        if char == "{":
            self._attach({}, patches)
            self._stack.append([self._container_at_top(), None])
            return _OBJ_FIRST
        if char == "[":
            self._attach([], patches)
            self._stack.append([self._container_at_top(), 0])
            return _ARR_FIRST
        if char == "-" or "0" <= char <= "9":
            self._token = ""
            return _NUMBER
        if char in _LITERALS:
            self._token = ""
            return _LITERAL
        raise self._error(f"unexpected {char!r}", i)

    def _container_at_top(self) -> Any:
        if not self._stack:
            return self._root
        frame = self._stack[-1]
        container = frame[0]
        return container[frame[1]]

    def _parse(self, text: str, patches: list[Patch]) -> None:
        i, n = 0, len(text)
        state = self._state
        while i < n:
            if state == _STRING:
                j = _run_end(_STR_RUN, text, i)
                if j > i:
                    self._add_text(text[i:j])
                if j == n:
                    break
                char = text[j]
                i = j + 1
                state = self._end_string(patches) if char == '"' else _ESCAPE
                continue
            char = text[i]
            if state == _ESCAPE:
                if char == "u":
                    self._hex = ""
                    state = _UNICODE
                elif char in _ESCAPES:
                    self._add_text(_ESCAPES[char])
                    state = _STRING
                else:
                    raise self._error(f"invalid escape \\{char}", i)
                i += 1
            elif state == _UNICODE:
                take = text[i:i + 4 - len(self._hex)]
                if not set(take) <= _HEX:
                    raise self._error("invalid \\u escape", i)
                self._hex += take
                i += len(take)
                if len(self._hex) == 4:
                    self._add_code_point(int(self._hex, 16))
                    state = _STRING
            elif char in _WS and state not in (_NUMBER, _LITERAL):
                i += 1
            elif state in (_VALUE, _ARR_FIRST):
                if char == "]" and state == _ARR_FIRST:
                    state = self._close(char, i)
                else:
                    state = self._start_value(char, i, patches)
                    if state in (_NUMBER, _LITERAL):
                        continue
                i += 1
            elif state == _AFTER:
                if char == ",":
                    state = _OBJ_KEY if isinstance(self._stack[-1][0], dict) else _VALUE
                elif char in "}]":
                    state = self._close(char, i)
                else:
                    raise self._error(f"expected ',' or a closing bracket, got {char!r}", i)
                i += 1
            elif state in (_OBJ_FIRST, _OBJ_KEY):
                if char == '"':
                    self._is_key = True
                    state = _STRING
                elif char == "}" and state == _OBJ_FIRST:
                    state = self._close(char, i)
                else:
                    raise self._error(f"expected a key, got {char!r}", i)
                i += 1
            elif state == _COLON:
                if char != ":":
                    raise self._error(f"expected ':', got {char!r}", i)
                state = _VALUE
                i += 1
            elif state == _NUMBER:
                j = _run_end(_NUM_RUN, text, i)
                self._token += text[i:j]
                i = j
                if j < n:
                    self._end_number(patches)
                    state = self._state
            elif state == _LITERAL:
                word = _LITERALS[self._token[:1] or char][0]
                k = len(self._token)
                take = text[i:i + len(word) - k]
                if word[k:k + len(take)] != take:
                    raise self._error(f"invalid literal near {(self._token + take)!r}", i)
                self._token += take
                i += len(take)
                if self._token == word:
                    path = self._attach(_LITERALS[word[0]][1], patches)
                    if self.closed is not None:
                        self.closed.append(path)
                    self._token = ""
                    state = self._after_value()
            elif state == _PREFIX:
                j = min((p for p in (text.find("{", i), text.find("[", i)) if p >= 0), default=n)
                i = j
                if j < n:
                    state = _VALUE
            else:  # _END
                self.trailing += n - i
                break
        self._state = state

    def _add_code_point(self, code: int) -> None:
        if 0xD800 <= code <= 0xDBFF:
            if self._high is not None:
                self._add_text("")
            self._high = chr(code)
        elif 0xDC00 <= code <= 0xDFFF:
            if self._high is None:  # a lone low surrogate
                self._add_text(REPLACEMENT)
                return
            high = ord(self._high)
            self._high = None
            self._add_text(chr(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)))
        else:
            self._add_text(chr(code))


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def apply_patch(document: Any, patch: Patch | list[Any]) -> Any:
    """Apply one patch to ``document`` (mutated in place); return the new root."""
    op, path, value = patch
    path = tuple(path)
    if not path:
        return _copy(value) if op == "set" else document + value
    target = document
    for key in path[:-1]:
        target = target[key]
    last = path[-1]
    if op == "set":
        if isinstance(target, list) and last == len(target):
            target.append(_copy(value))
        else:
            target[last] = _copy(value)
    elif op == "append":
        target[last] += value
    else:
        raise ValueError(f"unknown patch op {op!r}")
    return document
