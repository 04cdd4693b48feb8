"""What comes from outside: files a user names, and text from servers and file names.

* Files: opening a FIFO waits for a writer (forever) and ``/dev/zero`` never ends; a
  path the user gives is opened without blocking and checked to be a regular file
  before a byte is read, and no more than a limit is read.
* Text: a terminal acts on control characters (ESC sequences clear the screen,
  retitle the window, fake a prompt) and bidirectional overrides reorder what is
  read; both are taken out (``printable``) before such text reaches the terminal or
  a window. Rich markup is escaped where it is printed (``rich.markup.escape``).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from interview_corvus.core.errors import BadRequest

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
# C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides, isolates
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


REPLACEMENT = "\ufffd"  # what a lone surrogate escape decodes to: text stays valid UTF-8


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (unencodable in UTF-8) replaced by U+FFFD.

    Valid JSON may carry them as escapes (``"\\ud83d"``), and SDKs that decode
    JSON hand them over as characters; no file, socket or terminal takes them.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def printable(text: object, limit: int = 300) -> str:
    """``text`` as a string without control characters (a line break or tab becomes a
    space), lone surrogates replaced, cut to ``limit`` characters."""
    value = clean_text(str(text))
    value = _UNSAFE.sub(lambda m: " " if m.group() in "\t\n\r" else "", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def is_regular(path: str | Path) -> bool:
    """Whether ``path`` is (or links to) a regular file; False for FIFOs, devices,
    sockets, folders and paths that do not exist."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def regular_file_problem(path: str | Path) -> str | None:
    """What keeps ``path`` from being read as a file ("no such file", "not a regular
    file" for a FIFO or a device, …), or None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except (OSError, ValueError) as exc:
        return getattr(exc, "strerror", None) or str(exc)
    if stat.S_ISDIR(mode):
        return "it is a directory"
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_regular(path: str | Path, *, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``); ``BadRequest`` naming
    ``what`` and the path when it is missing, not a regular file, or larger."""
    path = Path(path)
    try:
        fd = os.open(path, _FLAGS)  # non-blocking: a FIFO opens at once, then is refused
    except OSError as exc:
        raise BadRequest(f"Cannot read {what} {path}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise BadRequest(f"Cannot read {what} {path}: {kind}.")
        if info.st_size > limit:
            raise BadRequest(f"Cannot read {what} {path}: it is {info.st_size:,} bytes; "
                             f"the limit is {limit:,}.")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise BadRequest(f"Cannot read {what} {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if size > limit:  # it grew while read
        raise BadRequest(f"Cannot read {what} {path}: larger than the limit of {limit:,} "
                         "bytes.")
    return b"".join(chunks)
