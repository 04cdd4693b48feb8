"""The fallback store for secrets: a file readable only by the user.

Used only when no keyring backend works and the user asked for it explicitly
(Settings → "Store keys in a file readable only by you"). The file is JSON, one
entry per key name, in the config dir; it is **not encrypted**: anyone who can
read the user's files (or a backup of them) can read the keys. It is created
with mode 0600 before any secret is written to it (a temporary file in the same
folder, created 0600, then renamed over the old one), so no secret is ever in a
file others can read. Values are never logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
from pathlib import Path

from interview_corvus.core.config.atomic import MODE, write_atomic
from interview_corvus.core.config.settings import config_dir

log = logging.getLogger(__name__)

FILE_NAME = "secrets.json"


def path() -> Path:
    """Where the fallback file lives (it may not exist)."""
    return config_dir() / FILE_NAME


def exists() -> bool:
    """Whether the user chose the file store (the file is there)."""
    return path().is_file()


def read_all() -> dict[str, str]:
    """Every entry of the file; empty when there is no file or it cannot be read. A file
    others can read is made private again first (and that is logged, without values)."""
    target = path()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return {}
    if os.name == "posix" and mode & 0o077:
        log.warning("the secrets file %s was readable by others (mode %o); made private",
                    target, mode)
        with contextlib.suppress(OSError):
            target.chmod(MODE)
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable secrets file %s (%s)", target, type(exc).__name__)
        return {}
    if not isinstance(data, dict):
        log.warning("ignoring secrets file %s: not a JSON object", target)
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str) and v}


def read(name: str) -> str | None:
    """The entry ``name`` of the file, or None."""
    return read_all().get(name)


def write(name: str, value: str | None) -> Path:
    """Set (or with an empty value, remove) the entry ``name``; creates the file (0600)."""
    entries = read_all()
    if value:
        entries[name] = value
    else:
        entries.pop(name, None)
    target = path()
    write_atomic(target, json.dumps(entries, indent=2), prefix=".secrets-")  # 0600
    log.info("secret %s %s in %s", name, "stored" if value else "removed", target)
    return target


def remove() -> None:
    """Delete the file and every key in it (the user turned the file store off)."""
    target = path()
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
        log.info("secrets file %s removed", target)
