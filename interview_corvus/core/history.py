"""Run history in SQLite (stdlib ``sqlite3``, WAL), under the platform data dir.

Every run is kept — completed, failed or cancelled — with its input and its
result or partial result, so nothing the user saw is lost.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from interview_corvus.core.settings import data_dir

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
    usage TEXT
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at DESC);
"""


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        """The listing form of a run (``GET /runs``): no input, no result."""
        return {"id": self.id, "kind": self.kind, "origin": self.origin,
                "provider": self.provider, "model": self.model, "status": self.status,
                "language": self.language, "created_at": self.created_at,
                "finished_at": self.finished_at, "elapsed_ms": self.elapsed_ms}

    def error(self) -> dict[str, Any] | None:
        """``{code, message}`` of a failed or cancelled run, else None."""
        if not self.error_code:
            return None
        return {"code": self.error_code, "message": self.error_message}


class HistoryStore:
    """A small thread-safe store; one connection guarded by a lock."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else data_dir() / "history.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def save(self, entry: RunEntry) -> None:
        row = entry.to_dict()
        for key in ("result", "usage"):
            row[key] = None if row[key] is None else json.dumps(row[key], ensure_ascii=False)
        columns = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        with self._lock:
            self._db.execute(f"INSERT OR REPLACE INTO runs ({columns}) VALUES ({marks})", row)

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


def _entry(row: sqlite3.Row) -> RunEntry:
    data = dict(row)
    for key in ("result", "usage"):
        data[key] = None if data[key] is None else json.loads(data[key])
    return RunEntry(**data)
