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
from interview_corvus.core.runs.history_db import open_db, unwritable
from interview_corvus.core.runs.search import fts_query

log = logging.getLogger(__name__)

UNFINISHED = ("queued", "running")
INTERRUPTED_MESSAGE = ("The app stopped before this run finished (it was closed, killed or "
                       "crashed); what arrived is kept.")

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
        log.info("%s", exc)  # the caller shows the message (stderr, the window): once
        return None, str(exc)
    return store, store.notice


class HistoryStore:
    """A small thread-safe store; one connection guarded by a lock."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else data_dir() / "history.sqlite3"
        self.notice = ""  # what the user should know about this file (e.g. moved aside)
        self.off = ""  # why saving stopped (the file became unwritable), or ""
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = open_db(self.path)
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
                self._db = open_db(self.path)
            except (sqlite3.Error, OSError) as again:
                raise HistoryUnavailable(self.path, again) from again
        except OSError as exc:
            raise HistoryUnavailable(self.path, exc) from exc
        self.recovered = self.mark_interrupted()

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
        updates = ", ".join(f"{k} = excluded.{k}" for k in row if k != "id")
        with self._lock:
            if self.off:
                return
            try:  # an upsert keeps the rowid, so the search index follows (triggers)
                self._db.execute(f"INSERT INTO runs ({columns}) VALUES ({marks}) "
                                 f"ON CONFLICT (id) DO UPDATE SET {updates}", row)
            except sqlite3.OperationalError as exc:
                if not unwritable(exc):
                    raise
                self.off = (f"Run history is off from now on: cannot write {self.path} "
                            f"({exc}). Answers still work.")
                log.warning("%s", self.off)  # once, not a traceback per run

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
        """Runs newest first; ``query`` searches the input and the answer's text (FTS5,
        see ``core.runs.search``): a query with no word to look for matches nothing."""
        sql = "SELECT * FROM runs WHERE 1=1"
        args: list[Any] = []
        if query:
            match = fts_query(query)
            if not match:
                return []
            sql += " AND rowid IN (SELECT rowid FROM runs_text WHERE runs_text MATCH ?)"
            args.append(match)
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
