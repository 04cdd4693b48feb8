"""Trustworthy runs, item 2: a killed server loses no run; SIGTERM ends every stream once.

``corvus serve`` runs in its own process on loopback with a slow recorded
transcript; the test kills it (-9, or TERM) in the middle of a stream.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from apitools import SSEParser

from interview_corvus.core.runs.history import HistoryStore, RunEntry

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"
CODE = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n"


def slow_transcript(tmp_path: Path, delay_ms: float = 40) -> Path:
    lines = [json.loads(line) for line in
             (DEMO / "optimization.jsonl").read_text().splitlines() if line.strip()]
    for line in lines:
        if "delay_ms" in line:
            line["delay_ms"] = delay_ms
    path = tmp_path / "slow.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


class Serve:
    """``corvus serve`` in a child process, with its own data dir."""

    def __init__(self, tmp_path: Path) -> None:
        self.data = tmp_path / "data"
        env = {**os.environ, "INTERVIEW_CORVUS_DATA_DIR": str(self.data),
               "INTERVIEW_CORVUS_CONFIG_DIR": str(tmp_path / "config")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interview_corvus.cli", "serve", "--port", "0",
             "--provider", "replay", "--replay", str(slow_transcript(tmp_path))],
            stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stderr.readline()
        assert "serving on" in line, line + self.proc.stderr.read()
        self.url = line.split("serving on ", 1)[1].split(" ", 1)[0]
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


def read_events(response: httpx.Response, until, into: list[dict]) -> None:
    parser = SSEParser()
    for chunk in response.iter_bytes():
        for event in parser.feed(chunk):
            if event.data:
                into.append(json.loads(event.data))
        if until(into):
            return


def test_kill_9_mid_stream_keeps_the_run_and_its_partial(tmp_path):
    serve = Serve(tmp_path)
    try:
        events: list[dict] = []
        with httpx.Client(base_url=serve.url, timeout=30) as client, client.stream(
                "POST", "/optimize-stream", json={"code": CODE, "language": "python"}) as r:
            started = time.monotonic()
            read_events(r, lambda ev: time.monotonic() - started > 2.5
                        and sum(e["type"] == "partial" for e in ev) >= 3, events)
            os.kill(serve.proc.pid, signal.SIGKILL)
        serve.proc.wait(10)
    finally:
        serve.stop()
    run_id = events[0]["run_id"]
    seen = events[-1]["data"]["optimized_code"]
    store = HistoryStore(serve.data / "history.sqlite3")  # the next start
    entry = store.get(run_id)
    assert entry is not None and entry.status == "interrupted"
    assert entry.error_code == "interrupted" and "stopped before" in entry.error_message
    kept = entry.result["optimized_code"]
    assert kept and seen.startswith(kept[: max(1, len(kept) - 64)])  # saved about 1 s ago
    assert store.recovered == 1


def test_sigterm_ends_every_open_stream_with_exactly_one_error(tmp_path):
    serve = Serve(tmp_path)
    streams: dict[str, list[dict]] = {"post": [], "watch": []}
    try:
        with httpx.Client(base_url=serve.url, timeout=30) as client:
            def post():
                with client.stream("POST", "/optimize-stream",
                                   json={"code": CODE, "language": "python"}) as r:
                    read_events(r, lambda ev: bool(ev) and ev[-1]["type"] in ("done", "error"),
                                streams["post"])

            poster = threading.Thread(target=post)
            poster.start()
            deadline = time.monotonic() + 10
            while not streams["post"] and time.monotonic() < deadline:
                time.sleep(0.05)
            run_id = streams["post"][0]["run_id"]

            def watch():
                with client.stream("GET", f"/runs/{run_id}/events") as r:
                    read_events(r, lambda ev: bool(ev) and ev[-1]["type"] in ("done", "error"),
                                streams["watch"])

            watcher = threading.Thread(target=watch)
            watcher.start()
            time.sleep(0.8)
            serve.proc.send_signal(signal.SIGTERM)
            poster.join(15)
            watcher.join(15)
        assert serve.proc.wait(15) == 0
    finally:
        serve.stop()
    for name, events in streams.items():
        finals = [e for e in events if e["type"] in ("done", "error")]
        assert len(finals) == 1 and finals[0]["type"] == "error", (name, events[-2:])
        assert finals[0]["error"]["code"] == "cancelled"
        assert "shutting down" in finals[0]["error"]["message"]
        assert finals[0]["data"]["optimized_code"]  # the partial travels with it
    entry = HistoryStore(serve.data / "history.sqlite3").get(run_id)
    assert entry.status == "cancelled" and entry.result["optimized_code"]


def test_only_runs_of_dead_processes_are_marked_interrupted(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    mine = RunEntry(id="mine", kind="optimization", origin="window", provider="p", model="m",
                    status="running", input="x")
    store.save(mine)  # saved by this (live) process
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    store._db.execute("INSERT INTO runs (id, kind, origin, provider, model, status, input, "
                      "created_at, pid) VALUES ('gone', 'optimization', 'http', 'p', 'm', "
                      "'running', 'y', 1, ?)", (int(dead.stdout),))
    again = HistoryStore(path)
    assert again.recovered == 1
    assert again.get("gone").status == "interrupted"
    assert again.get("mine").status == "running"


@pytest.mark.parametrize("status", ["done", "error", "cancelled"])
def test_finished_runs_are_left_alone(tmp_path, status):
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.save(RunEntry(id="r", kind="optimization", origin="window", provider="p", model="m",
                        status=status))
    assert HistoryStore(tmp_path / "h.sqlite3").get("r").status == status
