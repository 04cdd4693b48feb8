"""Writing a small file in one step, readable only by the user.

Settings, the window's draft, the catalog's records and the fallback secrets file are
all written this way: a reader (or a crash halfway) sees the old file or the new one,
never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

MODE = 0o600  # readable and writable by the user only


def write_atomic(path: Path, text: str, *, prefix: str = ".tmp-") -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: ``mkstemp`` creates the temporary
    file in the same folder with ``O_EXCL`` and mode 0600, it is flushed to disk, then
    ``os.replace`` puts it in place in one step (atomic on POSIX and Windows). On any
    failure the temporary file is removed and the error raised (``OSError``).
    The folder is created if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, MODE)  # mkstemp's mode already; said again, not assumed
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
