"""Run untrusted code (the user's and the model's) in a child process, never in ours.

The child is a fresh interpreter in isolated mode (``python -I``: no user site, no
``PYTHON*`` variables, no current directory on ``sys.path``) with an empty
environment, a new temporary directory as its working directory, its own session
(process group), and resource limits set before it starts: CPU seconds, address
space, file size, open files, and processes. Inside, an audit hook (PEP 578, installed
by ``child.py`` before any untrusted code runs) refuses sockets, subprocesses,
``os.system``/``exec``/``fork``, ctypes, and writes outside the temporary directory.
A wall-clock timeout ends the whole process group; so does a cancel.

Audit hooks are not a security boundary on their own (PEP 578 says so): the limits,
the empty environment and the process group are what contain a hostile program; the
hook makes the common escapes fail fast with a clear verdict.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("child.py")
NODE_CHILD = Path(__file__).with_name("child.js")
MAX_OUTPUT = 1 << 20  # bytes of the child's answer read at most


@dataclass(frozen=True)
class Limits:
    """What one sandboxed child may use. Seconds, bytes and counts."""

    wall_s: float = 20.0
    cpu_s: int = 20
    memory_bytes: int = 1 << 30
    file_bytes: int = 8 << 20
    open_files: int = 64
    processes: int = 0  # new processes the child may start (RLIMIT_NPROC, non-root)


@dataclass
class SandboxResult:
    """How the child ended: ``verdict`` is ok, timeout, cancelled, memory, crashed or
    refused (the audit hook stopped it); ``answer`` is the JSON it printed last."""

    verdict: str
    answer: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    returncode: int | None = None


def _limit(limits: Limits) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        import resource

        for name, value in (("RLIMIT_CPU", limits.cpu_s), ("RLIMIT_AS", limits.memory_bytes),
                            ("RLIMIT_FSIZE", limits.file_bytes),
                            ("RLIMIT_NOFILE", limits.open_files),
                            ("RLIMIT_CORE", 0)):
            if hasattr(resource, name):
                resource.setrlimit(getattr(resource, name), (value, value))
        if hasattr(resource, "RLIMIT_NPROC") and os.getuid() != 0:
            # counts the user's processes; root ignores it (the audit hook still refuses)
            current = len(os.listdir("/proc")) if os.path.isdir("/proc") else 0
            resource.setrlimit(resource.RLIMIT_NPROC, (current + limits.processes,) * 2)

    return apply


def run(command: list[str], job: dict[str, Any], limits: Limits | None = None,
        cancelled: threading.Event | None = None) -> SandboxResult:
    """Run ``command`` (an interpreter and a runner script) sandboxed, feed it ``job`` as
    JSON on stdin, and read its last JSON line; the process group is killed at the end
    whatever happened."""
    limits = limits or Limits()
    with tempfile.TemporaryDirectory(prefix="corvus-verify-") as workdir:
        # the code's cwd starts empty; hypothesis keeps its own files beside it
        cwd = Path(workdir, "run")
        cwd.mkdir()
        env = {"PATH": os.defpath, "LANG": "C.UTF-8", "CORVUS_SANDBOX_DIR": workdir,
               "HYPOTHESIS_STORAGE_DIRECTORY": str(Path(workdir, "hypothesis"))}
        try:
            proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True,
                preexec_fn=_limit(limits), close_fds=True)
        except OSError as exc:
            return SandboxResult("crashed", detail=f"could not start {command[0]}: {exc}")
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(proc, cancelled, stop), daemon=True)
        watcher.start()
        try:
            out, err = proc.communicate(json.dumps(job).encode("utf-8"), timeout=limits.wall_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate()
            timed_out = True
        finally:
            stop.set()
            _kill_group(proc)
        return _result(proc.returncode, out[-MAX_OUTPUT:], err[-4000:], timed_out,
                       cancelled is not None and cancelled.is_set())


def _watch(proc: subprocess.Popen[bytes], cancelled: threading.Event | None,
           stop: threading.Event) -> None:
    """Kill the child's group as soon as the run is cancelled."""
    while not stop.wait(0.1):
        if cancelled is not None and cancelled.is_set():
            _kill_group(proc)
            return


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _result(code: int | None, out: bytes, err: bytes, timed_out: bool,
            cancelled: bool) -> SandboxResult:
    answer: dict[str, Any] = {}
    for line in reversed(out.decode("utf-8", "replace").splitlines()):
        try:
            found = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(found, dict):
            answer = found
            break
    tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    if cancelled:
        return SandboxResult("cancelled", answer, "cancelled", code)
    if timed_out:
        return SandboxResult("timeout", answer, "the code ran past the time limit", code)
    if answer.get("refused"):
        return SandboxResult("refused", answer, str(answer["refused"]), code)
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and not answer):
        return SandboxResult("timeout", answer, "the code used up its CPU time", code)
    if "MemoryError" in tail[0] or answer.get("error") == "MemoryError":
        return SandboxResult("memory", answer, "the code ran out of its memory limit", code)
    if not answer:
        return SandboxResult("crashed", answer, tail[0][:300] or f"exit code {code}", code)
    return SandboxResult("ok", answer, "", code)


def python_command() -> list[str]:
    """This interpreter, isolated, running the Python runner."""
    return [sys.executable, "-I", str(CHILD)]


def node_command() -> list[str] | None:
    """``node`` running the JavaScript runner, or None when node is not installed."""
    import shutil

    node = shutil.which("node")
    if not node:
        return None
    # node's permission model: no file writes, child processes or workers; reads of the
    # runner only (the job's code itself runs in a vm context without require/process)
    return [node, "--experimental-permission", f"--allow-fs-read={NODE_CHILD}",
            "--disable-warning=ExperimentalWarning", str(NODE_CHILD)]
