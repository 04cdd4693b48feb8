"""Hold under pressure, items 4 and 5: history on a read-only mount, and history search.

Real SQLite files throughout; the read-only mount is a real one (a bind mount remounted
read-only in a private mount namespace), so SQLite meets EROFS as a user would.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub
from logcollect import Collect

from interview_corvus.api.app import create_app
from interview_corvus.core.runs.history import HistoryStore, RunEntry

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "resources" / "demo" / "optimization.jsonl"


def entry(run_id: str, text: str = "x", result: dict | None = None, **kw) -> RunEntry:
    return RunEntry(id=run_id, kind="optimization", origin="cli", provider="p", model="m",
                    status="done", input=text, result=result, **kw)


# -- item 4: an existing history on a read-only filesystem -------------------------

def _can_mount_read_only() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


def _read_only(data: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with ``data`` bind-mounted read-only (its own mount namespace)."""
    script = (f'mount --bind "{data}" "{data}" && mount -o remount,bind,ro "{data}" && '
              'exec "$@"')
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *command],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "INTERVIEW_CORVUS_DATA_DIR": str(data)})


def _left_open_history(data: Path) -> Path:
    """A history a killed process left behind (its -wal and -shm still there): SQLite
    opens and reads it on a read-only mount, and fails only when it writes."""
    path = data / "history.sqlite3"
    code = ("import os, sys\nfrom interview_corvus.core.runs.history import HistoryStore, "
            "RunEntry\ns = HistoryStore(sys.argv[1])\ns.save(RunEntry(id='old', "
            "kind='optimization', origin='cli', provider='p', model='m', status='done'))\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
    assert Path(f"{path}-wal").exists()
    return path


needs_mount = pytest.mark.skipif(not _can_mount_read_only(),
                                 reason="needs unshare and mount (a private mount namespace)")


@needs_mount
def test_a_history_on_a_read_only_mount_is_named_once_and_turned_off(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path = _left_open_history(data)
    probe = ("from interview_corvus.core.runs.history import open_history\n"
             f"store, notice = open_history({str(path)!r})\n"
             "print(store is None)\nprint(notice)\n")
    done = _read_only(data, sys.executable, "-c", probe)
    assert done.returncode == 0, done.stderr
    off, notice = done.stdout.splitlines()[:2]
    assert off == "True" and "history is off" in notice and str(path) in notice
    source = tmp_path / "f.py"
    source.write_text("def f(xs):\n    return sum(xs)\n")
    cli = _read_only(data, sys.executable, "-m", "interview_corvus.cli", "optimize",
                     str(source), "--replay", str(DEMO), "--json")
    assert cli.returncode == 0, cli.stderr
    assert "Traceback" not in cli.stderr, cli.stderr
    assert cli.stderr.count(str(path)) == 1 and "history is off" in cli.stderr


def test_a_history_that_turns_unwritable_says_so_once(tmp_path):
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    store.save(entry("a"))
    store._db.close()  # as if the mount went read-only under a running app
    store._db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True,
                                check_same_thread=False, isolation_level=None)
    store._db.row_factory = sqlite3.Row
    with Collect("interview_corvus") as logged:
        for i in range(4):
            store.save(entry(f"b{i}"))
    assert len(logged.records) == 1 and str(path) in logged.text
    assert not any(r.exc_info for r in logged.records)
    assert store.get("a") is not None  # what was kept can still be read


# -- item 5: search the input and the answer's text ---------------------------------

@pytest.fixture
def store(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.save(entry("sum", "def total(xs): return sum(xs)",
                     {"optimized_code": "def two_sum(nums):\n    pass", "improvements":
                      ["Use a hash map"], "explanation": "50% faster", "is_complete": True,
                      "progress": 1.0}, created_at=1.0))
    store.save(entry("sort", "def order(xs): return sorted(xs)",
                     {"optimized_code": "xs.sort()", "improvements": [],
                      "explanation": "In place", "is_complete": True, "progress": 1.0},
                     created_at=2.0))
    store.save(entry("none", "print('café')", None, created_at=3.0))
    yield store
    store.close()


def ids(entries: list[RunEntry]) -> list[str]:
    return [e.id for e in entries]


@pytest.mark.parametrize(("query", "found"), [
    ("hash", ["sum"]),                 # a word of a list item
    ("two_sum", ["sum"]),              # an identifier, as its words
    ("two_s", ["sum"]),                # prefix
    ("HASH map", ["sum"]),             # every word, any case
    ("sorted", ["sort"]),              # the input
    ("cafe", ["none"]),                # diacritics folded; a run without an answer
    ("in place", ["sort"]),
    ("hash place", []),                # words must all occur in one run
])
def test_search_finds_words_of_the_input_and_the_answer(store, query, found):
    assert ids(store.list(query=query)) == found


@pytest.mark.parametrize(("query", "found"), [
    ("is_complete", []), ("true", []), ("progress", []), ("optimized_code", []),
    ("improvements", []), ("1.0", []),                       # keys and values, not text
    ("%", []), ("_", []), ("%%", []), ("\0", []), ("*", []),  # never wildcards
    ("\\", []), ('"', []), ("-", []), ("NEAR(", []),           # nor FTS5 syntax
    ("50%", ["sum"]), ("ha\0sh", []), ('"hash', ["sum"]), ("input:sum", []),
    ("OR", ["sort"]),                                         # a word: "order"
])
def test_search_never_matches_json_syntax_or_wildcards(store, query, found):
    assert ids(store.list(query=query)) == found


def test_search_follows_updates_deletes_and_old_files(tmp_path):
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    run = entry("r", "first input")
    store.save(run)
    run.result = {"explanation": "streamed later"}
    store.save(run)  # the partial saved once a second while it streams
    assert ids(store.list(query="streamed")) == ["r"]
    store.delete("r")
    assert store.list(query="first") == []
    store.save(entry("q", "kept input", {"explanation": "a word"}))
    store._db.executescript("DROP TABLE runs_text;")  # a file from before search
    store.close()
    again = HistoryStore(path)
    assert ids(again.list(query="word")) == ["q"]


def test_the_in_memory_twin_agrees_with_fts():
    from interview_corvus.core.runs.search import answer_text, fts_query, matches

    text = answer_text({"a": "two_sum(x)", "b": ["Hash map"], "c": True, "d": 1.5})
    assert text == "two_sum(x)\nHash map"
    assert matches([text], "two_s hash") and not matches([text], "true")
    assert not matches([text], "%") and fts_query("% _ \0") == ""
    assert fts_query('say "hi" *') == '"say"* AND "hi"*'


@pytest.fixture
def live_hub(tmp_path):
    hub = make_hub(ScriptedProvider(ANSWER, delay=0.002),
                   HistoryStore(tmp_path / "history.sqlite3"))
    yield hub
    hub.cancel_all()
    hub.wait_idle(5)


def search(hub, q: str) -> list[dict]:
    async def main() -> list[dict]:
        transport = httpx.ASGITransport(app=create_app(hub))
        async with httpx.AsyncClient(transport=transport,
                                     base_url="http://127.0.0.1:8765") as client:
            response = await client.get("/runs", params={"q": q})
            assert response.status_code == 200, response.text
            return response.json()["runs"]

    return asyncio.run(main())


def test_runs_of_this_session_are_found(live_hub):
    history = live_hub.history
    history.save(entry("stored", "def stored_case(): pass", {"explanation": "enumerate"},
                       created_at=time.time() - 60))
    job = live_hub.service.optimization_job("def live_case(nums): pass", "python")
    run = live_hub.submit(job, origin="window", input_text="def live_case(nums): pass")
    assert run.finished.wait(10)
    found = search(live_hub, "enumerate")  # in the live run's answer and the stored one
    assert [r["id"] for r in found] == [run.id, "stored"]
    assert "watchers" in found[0]  # the live summary, once
    assert [r["id"] for r in search(live_hub, "live_case")] == [run.id]
    assert search(live_hub, "is_complete") == [] and search(live_hub, "%") == []
    live_hub.history = None  # history off: the session's runs are still searched
    assert [r["id"] for r in search(live_hub, "live_case")] == [run.id]


