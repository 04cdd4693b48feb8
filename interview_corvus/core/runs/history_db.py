"""The history file's schema and how it is opened (``core.runs.history``).

Opening checks the file is a sound database that can be written (an existing file on a
read-only mount opens and reads fine and fails only at the first write), brings an
older file's schema up to date and builds the search index (``core.runs.search``).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

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
# The search index (``core.runs.search``): the input and the answer's string values only
# (``json_tree`` leaves of type text), so keys and JSON syntax are never matched.
ANSWER_TEXT = ("(SELECT group_concat(value, char(10)) FROM json_tree("
               "CASE WHEN json_valid({row}.result) THEN {row}.result END) "
               "WHERE type = 'text')")
SEARCH_SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS runs_text USING fts5(input, answer);
CREATE TRIGGER IF NOT EXISTS runs_text_insert AFTER INSERT ON runs BEGIN
    INSERT INTO runs_text (rowid, input, answer)
    VALUES (new.rowid, new.input, {ANSWER_TEXT.format(row="new")});
END;
CREATE TRIGGER IF NOT EXISTS runs_text_update AFTER UPDATE OF input, result ON runs BEGIN
    DELETE FROM runs_text WHERE rowid = old.rowid;
    INSERT INTO runs_text (rowid, input, answer)
    VALUES (new.rowid, new.input, {ANSWER_TEXT.format(row="new")});
END;
CREATE TRIGGER IF NOT EXISTS runs_text_delete AFTER DELETE ON runs BEGIN
    DELETE FROM runs_text WHERE rowid = old.rowid;
END;
"""
BACKFILL = ("INSERT INTO runs_text (rowid, input, answer) SELECT rowid, input, "
            f"{ANSWER_TEXT.format(row='runs')} FROM runs")
# columns that older files lack: (name, declaration), added at open
ADDED_COLUMNS = (("pid", "INTEGER"), ("streaming", "INTEGER NOT NULL DEFAULT 1"),
                 ("parent_id", "TEXT"))


def open_db(path: Path) -> sqlite3.Connection:
    """Connect, check the file is a sound, writable database, and bring its schema up
    to date. Raises ``sqlite3.OperationalError`` for a file that cannot be opened or
    written, ``sqlite3.DatabaseError`` for one that is not a (sound) database."""
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        check_writable(db)  # a read-only file or mount: history off, said once
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
        indexed = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'runs_text'")
        if indexed.fetchone() is None:  # a new file, or one from before search
            db.executescript(f"BEGIN; {SEARCH_SCHEMA} {BACKFILL}; COMMIT;")
    except BaseException:
        db.close()
        raise
    return db


def unwritable(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the file cannot be written (read-only, I/O error, disk full)."""
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith(("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL",
                            "SQLITE_CANTOPEN"))


def check_writable(db: sqlite3.Connection) -> None:
    """Raise ``OperationalError`` if the file cannot be written: an existing history on a
    read-only mount opens and reads fine, and only fails at the first write. The probe
    writes the header's user_version unchanged, in a transaction rolled back; a busy file
    (another process writing) is left to the normal busy wait."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if unwritable(exc):
            raise
        log.debug("history busy at start; write check skipped: %s", exc)
        return
    try:
        db.execute(f"PRAGMA user_version = {version}")
    finally:
        db.execute("ROLLBACK")
