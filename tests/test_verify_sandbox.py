"""The sandbox under attack: hostile code in the optimized version is stopped with a
clear verdict, and nothing escapes (no file outside the temp dir, no connection, no
process left behind)."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.verify import sandbox, verify_optimization

ORIGINAL = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"
EXAMPLES = ["total([1, 2, 3])", "total([])"]
FAST = sandbox.Limits(wall_s=8.0, cpu_s=6, memory_bytes=512 << 20)


def answer(body: str, **extra) -> CodeOptimization:
    return CodeOptimization(original_code=ORIGINAL, optimized_code=body, language="python",
                            examples=EXAMPLES, **extra)


def check(body: str, limits: sandbox.Limits = FAST):
    return verify_optimization(answer(body), limits=limits)


def hostile(statement: str) -> str:
    return f"def total(xs):\n    {statement}\n    return sum(xs)\n"


def test_an_endless_loop_times_out():
    started = time.monotonic()
    verdict = check(hostile("while True: pass"), sandbox.Limits(wall_s=3.0, cpu_s=30))
    assert verdict.status == "unverified" and "time limit" in verdict.reason
    assert time.monotonic() - started < 6


def test_cpu_time_is_limited_too():
    verdict = check(hostile("while True: pass"), sandbox.Limits(wall_s=20.0, cpu_s=2))
    assert verdict.status == "unverified" and "CPU time" in verdict.reason


def test_a_huge_allocation_hits_the_memory_limit():
    verdict = check(hostile("block = bytearray(10 * 1024 ** 3)"))
    # each call raises MemoryError in the optimized version only: a counterexample
    # naming it, or the memory verdict when the interpreter itself cannot go on
    assert verdict.status in ("counterexample", "unverified")
    text = verdict.summary + verdict.reason
    assert "MemoryError" in text or "memory" in text


def test_a_fork_bomb_is_refused():
    verdict = check(hostile("import os\n    while True: os.fork()"))
    assert verdict.status == "unverified" and "os.fork" in verdict.reason


@pytest.mark.parametrize(("statement", "event"), [
    ("import os; os.system('touch /tmp/corvus-escaped')", "os.system"),
    ("import subprocess; subprocess.run(['true'])", "subprocess.Popen"),
    ("import ctypes; ctypes.CDLL(None)", "ctypes"),
    ("import os; os.kill(1, 0)", "os.kill"),
])
def test_processes_and_native_code_are_refused(statement, event):
    verdict = check(hostile(statement))
    assert verdict.status == "unverified" and event in verdict.reason
    assert not Path("/tmp/corvus-escaped").exists()


def test_a_socket_connect_is_refused_and_nothing_arrives():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    arrived = []

    def accept():
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            try:
                arrived.append(listener.accept())
            except OSError:
                continue

    watcher = threading.Thread(target=accept, daemon=True)
    watcher.start()
    verdict = check(hostile(f"import socket; socket.create_connection(('127.0.0.1', {port}))"))
    watcher.join()
    listener.close()
    assert verdict.status == "unverified" and "socket" in verdict.reason
    assert arrived == []


def test_writing_to_home_or_elsewhere_is_refused(tmp_path):
    target = Path.home() / ".corvus-sandbox-escape"
    outside = tmp_path / "outside.txt"
    for statement in (f"open({str(target)!r}, 'w').write('x')",
                      "import os; open(os.path.expanduser('~/.corvus-escape'), 'a')",
                      f"import pathlib; pathlib.Path({str(outside)!r}).write_text('x')",
                      f"import os; os.remove({str(outside)!r})",
                      f"import shutil; shutil.rmtree({str(tmp_path)!r})"):
        verdict = check(hostile(statement))
        assert verdict.status == "unverified", statement
        assert "refuses" in verdict.reason
    assert not target.exists() and not outside.exists() and tmp_path.exists()
    assert not (Path.home() / ".corvus-escape").exists()


def test_writing_inside_its_own_temp_dir_is_allowed():
    # roomy limits: this is about where it may write, not speed (it hit the 8 s wall
    # limit once in a full run on a loaded machine)
    verdict = check(hostile("open('scratch.txt', 'w').write('fine')"),
                    sandbox.Limits(wall_s=40.0, cpu_s=30, memory_bytes=512 << 20))
    assert verdict.status == "verified", verdict.reason


def test_the_environment_is_empty_and_the_cwd_is_fresh(monkeypatch):
    monkeypatch.setenv("CORVUS_SECRET_TOKEN", "hunter2")
    body = ("import os\ndef total(xs):\n"
            "    if 'CORVUS_SECRET_TOKEN' in os.environ or os.listdir('.'):\n"
            "        return -1\n    return sum(xs)\n")
    # roomy limits: this is about the environment, not speed (a loaded machine is slow)
    verdict = check(body, sandbox.Limits(wall_s=40.0, cpu_s=30, memory_bytes=512 << 20))
    assert verdict.status == "verified", verdict.summary


def test_output_cannot_forge_the_verdict():
    body = ('import sys, os\ndef total(xs):\n'
            '    print(\'{"checked": 999, "counterexample": null}\')\n'
            '    os.write(1, b\'{"checked": 999}\\n\')\n    return sum(xs) + 1\n')
    verdict = check(body)
    assert verdict.status == "counterexample" and verdict.checked < 999


def test_cancelling_kills_the_process_group_at_once():
    cancelled = threading.Event()
    threading.Timer(0.5, cancelled.set).start()
    started = time.monotonic()
    verdict = verify_optimization(answer(hostile("while True: pass")), cancelled=cancelled,
                                  limits=sandbox.Limits(wall_s=30, cpu_s=30))
    assert verdict.status == "unverified" and "cancelled" in verdict.reason
    assert time.monotonic() - started < 3


def test_no_process_is_left_behind():
    before = _children()
    check(hostile("import os\n    while True: os.fork()"))
    check(hostile("while True: pass"), sandbox.Limits(wall_s=2.0, cpu_s=30))
    assert _children() <= before


def _children() -> set[int]:
    me = str(os.getpid())
    found = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().split()
            except OSError:
                continue
            if stat[3] == me:
                found.add(int(pid))
    return found
