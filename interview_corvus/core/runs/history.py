"""Run history in SQLite (stdlib ``sqlite3``, WAL), under the platform data dir.

Every run is kept — completed, failed or cancelled — with its input and its
result or partial result, so nothing the user saw is lost. A run is written when
it starts and its partial about once a second while it streams; runs that a
killed or crashed process left unfinished become ``interrupted`` at the next start.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from interview_corvus.core.answers.models import MODELS
from interview_corvus.core.config.settings import data_dir

log = logging.getLogger(__name__)

UNFINISHED = ("queued", "running")
INTERRUPTED_MESSAGE = ("The app stopped before this run finished (it was closed, killed or "
                       "crashed); what arrived is kept.")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    input TEXT NOT NULL DEFAULT '',
    result TEXT,
    error_code TEXT,
    error_message TEXT,
    created_at REAL NOT NULL,
    finished_at REAL,
    elapsed_ms REAL,
    usage TEXT,
    pid INTEGER,
    streaming INTEGER NOT NULL DEFAULT 1,
    parent_id TEXT
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at DESC);
"""
# columns that older files lack: (name, declaration), added at open
ADDED_COLUMNS = (("pid", "INTEGER"), ("streaming", "INTEGER NOT NULL DEFAULT 1"),
                 ("parent_id", "TEXT"))


@dataclass
class RunEntry:
    id: str
    kind: str
    origin: str
    provider: str
    model: str
    language: str = ""
    status: str = "running"  # queued, running, done, error, cancelled
    input: str = ""
    result: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    created_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    elapsed_ms: float | None = None
    usage: dict[str, int] | None = None
    streaming: bool = True  # partials were streamed (False: one whole answer)
    parent_id: str | None = None  # the run this one follows up (a conversation's thread)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        """The listing form of a run (``GET /runs``): no input, no result."""
        return {"id": self.id, "kind": self.kind, "origin": self.origin,
                "provider": self.provider, "model": self.model, "status": self.status,
                "language": self.language, "created_at": self.created_at,
                "finished_at": self.finished_at, "elapsed_ms": self.elapsed_ms,
                "parent_id": self.parent_id}

    def answer_code(self) -> str:
        """The code the answer wrote (an MCQ's: its answer); "" if there is none."""
        model = MODELS.get(self.kind)
        if not self.result or model is None:
            return ""
        return str(self.result.get(model.CODE_FIELD) or "")

    def error(self) -> dict[str, Any] | None:
        """``{code, message}`` of a failed or cancelled run, else None."""
        if not self.error_code:
            return None
        return {"code": self.error_code, "message": self.error_message}


class HistoryUnavailable(OSError):
    """The history cannot be kept at ``path`` (unwritable or invalid place)."""

    def __init__(self, path: Path, cause: BaseException) -> None:
        detail = getattr(cause, "strerror", None) or str(cause)
        super().__init__(f"Run history is off: cannot use {path} ({detail}). Answers still "
                         "work; set INTERVIEW_CORVUS_DATA_DIR to a writable folder to keep "
                         "them.")
        self.path = path


def open_history(path: str | Path | None = None) -> tuple[HistoryStore | None, str]:
    """The history store, or None with the reason; never raises for a bad file or place.

    The message (empty when all is well) is for the user: a corrupt file moved
    aside, or a data dir that cannot be written, named by its path.
    """
    try:
        store = HistoryStore(path)
    except HistoryUnavailable as exc:
        log.warning("%s", exc)
        return None, str(exc)
    return store, store.notice


class HistoryStore:
    """A small thread-safe store; one connection guarded by a lock."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else data_dir() / "history.sqlite3"
        self.notice = ""  # what the user should know about this file (e.g. moved aside)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except sqlite3.OperationalError as exc:  # cannot open or write (read-only, locked)
            raise HistoryUnavailable(self.path, exc) from exc
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
            try:
                moved = self._move_aside()
            except OSError as again:
                raise HistoryUnavailable(self.path, again) from exc
            self.notice = (f"The history file {self.path} could not be read ({exc}); it was "
                           f"moved to {moved} and a new history was started.")
            log.warning("%s", self.notice)
            try:
                self._db = self._open()
            except (sqlite3.Error, OSError) as again:
                raise HistoryUnavailable(self.path, again) from again
        except OSError as exc:
            raise HistoryUnavailable(self.path, exc) from exc
        self.recovered = self.mark_interrupted()

    def _open(self) -> sqlite3.Connection:
        """Connect, check the file is a sound database, and bring its schema up to date."""
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
            for name, declaration in ADDED_COLUMNS:  # a file from an older version
                if name not in columns:
                    db.execute(f"ALTER TABLE runs ADD COLUMN {name} {declaration}")
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self) -> Path:
        """Keep an unreadable file (it may be recoverable by hand) under a new name."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{target}{suffix}"))
        return target

    def save(self, entry: RunEntry) -> None:
        """Insert or update ``entry``; a run is saved when it starts, as it goes and at its end
        (with the process id while it runs, so a later start can tell it was cut short)."""
        row = entry.to_dict()
        for key in ("result", "usage"):
            row[key] = None if row[key] is None else json.dumps(row[key], ensure_ascii=False)
        row["pid"] = os.getpid() if entry.status in UNFINISHED else None
        columns = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        with self._lock:
            self._db.execute(f"INSERT OR REPLACE INTO runs ({columns}) VALUES ({marks})", row)

    def mark_interrupted(self) -> int:
        """Runs left queued or running by a process that is gone (killed, crashed) become
        ``interrupted``, keeping their last saved partial. Returns how many."""
        with self._lock:
            marks = ", ".join("?" for _ in UNFINISHED)
            rows = self._db.execute(f"SELECT id, pid FROM runs WHERE status IN ({marks})",
                                    UNFINISHED).fetchall()
            gone = [row["id"] for row in rows if not _alive(row["pid"])]
            for run_id in gone:
                self._db.execute(
                    "UPDATE runs SET status = 'interrupted', error_code = 'interrupted', "
                    "error_message = ?, finished_at = COALESCE(finished_at, ?), pid = NULL "
                    "WHERE id = ?", (INTERRUPTED_MESSAGE, time.time(), run_id))
        if gone:
            log.warning("%d run(s) were cut short when the app last stopped; marked "
                        "interrupted in %s", len(gone), self.path)
        return len(gone)

    def get(self, run_id: str) -> RunEntry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _entry(row)

    def list(self, *, limit: int = 50, offset: int = 0, query: str = "",
             kind: str | None = None) -> list[RunEntry]:
        sql = "SELECT * FROM runs WHERE 1=1"
        args: list[Any] = []
        if query:
            sql += " AND (input LIKE ? ESCAPE '\\' OR result LIKE ? ESCAPE '\\')"
            pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args += [pattern + "%", pattern + "%"]
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        sql += " ORDER BY created_at DESC LIMIT ? OFFSET ?"
        args += [limit, offset]
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [_entry(r) for r in rows]

    def delete(self, run_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount > 0

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _alive(pid: int | None) -> bool:
    """Whether the process that owns a running entry still runs (our own process counts:
    several stores in one process share it)."""
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _entry(row: sqlite3.Row) -> RunEntry:
    data = dict(row)
    data.pop("pid", None)
    data["streaming"] = bool(data["streaming"])
    for key in ("result", "usage"):
        data[key] = None if data[key] is None else json.loads(data[key])
    return RunEntry(**data)
