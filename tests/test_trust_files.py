"""Trustworthy runs, item 6: bad files and places never stop the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interview_corvus.core.config.settings import load_settings, settings_file
from interview_corvus.core.runs.history import HistoryStore, RunEntry, open_history

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "resources" / "demo" / "optimization.jsonl"


def entry(run_id: str = "r1") -> RunEntry:
    return RunEntry(id=run_id, kind="optimization", origin="cli", provider="p", model="m",
                    status="done", input="x", result={"a": 1})


def corvus(*args: str, data: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "INTERVIEW_CORVUS_DATA_DIR": str(data), "INTERVIEW_CORVUS_CONFIG_DIR": str(config)}
    return subprocess.run([sys.executable, "-m", "interview_corvus.cli", *args],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_history_is_moved_aside_and_a_new_one_started(tmp_path, damage):
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    for i in range(200):
        store.save(entry(f"r{i}"))
    store.close()
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 100)
    else:
        path.write_bytes(data[: len(data) // 3])
    fresh, notice = open_history(path)
    assert fresh is not None and fresh.list() == []
    assert str(path) in notice and "moved to" in notice
    aside = list(tmp_path.glob("history.sqlite3.corrupt-*"))
    assert aside and aside[0].name in notice
    fresh.save(entry())
    assert fresh.get("r1") is not None


def test_the_cli_answers_with_a_corrupt_history_and_says_where_it_went(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.sqlite3").write_bytes(b"\x00garbage" * 500)
    source = tmp_path / "f.py"
    source.write_text("def f(xs):\n    return sum(xs)\n")
    done = corvus("optimize", str(source), "--replay", str(DEMO), "--json", data=data,
                  config=tmp_path / "config")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "moved to" in done.stderr and str(data / "history.sqlite3") in done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["type"] == "done"


def test_a_read_only_data_dir_is_named_and_answers_still_come(tmp_path):
    if os.geteuid() == 0:  # root writes anywhere a mode allows; /proc refuses even root
        data = Path("/proc/corvus-history")
    else:
        data = tmp_path / "ro"
        data.mkdir()
        data.chmod(0o500)
    try:
        store, notice = open_history(data / "history.sqlite3")
        assert store is None and str(data) in notice and "history is off" in notice
        source = tmp_path / "f.py"
        source.write_text("def f(xs):\n    return sum(xs)\n")
        done = corvus("optimize", str(source), "--replay", str(DEMO), data=data,
                      config=tmp_path / "config")
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert str(data) in done.stderr
    finally:
        if os.geteuid() != 0:
            data.chmod(0o700)


def test_an_invalid_data_dir_is_named_and_answers_still_come(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("I am a file")
    store, notice = open_history(not_a_dir / "history.sqlite3")
    assert store is None and str(not_a_dir / "history.sqlite3") in notice
    source = tmp_path / "f.py"
    source.write_text("def f(xs):\n    return sum(xs)\n")
    done = corvus("optimize", str(source), "--replay", str(DEMO), data=not_a_dir,
                  config=tmp_path / "config")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "history is off" in done.stderr
    assert str(not_a_dir) in done.stderr


@pytest.mark.parametrize("content", ["[1, 2]", "null", "42", '"text"', "{not json",
                                     '{"llm": [1]}', '{"llm": {"provider": "nope"}}'])
def test_a_settings_file_that_is_not_settings_is_skipped(tmp_path, content):
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    settings = load_settings()
    assert settings.llm.provider == "local"
    source = tmp_path / "f.py"
    source.write_text("def f(xs):\n    return sum(xs)\n")
    done = corvus("optimize", str(source), "--replay", str(DEMO), data=tmp_path / "d",
                  config=path.parent)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
