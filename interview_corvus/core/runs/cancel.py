"""How a caller stops a run: a thread-safe flag with callbacks and a reason."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from interview_corvus.core.errors import Cancelled


class CancelToken:
    """A thread-safe flag a caller sets to stop a run."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], object]] = []
        self.reason = ""  # why, in words for the user (e.g. the server is shutting down)

    def cancel(self, reason: str = "") -> None:
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` (from the cancelling thread) when cancelled; now if already."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def error(self, **kw: Any) -> Cancelled:
        """The ``Cancelled`` error to raise, with the reason when one was given."""
        return Cancelled(self.reason, **kw) if self.reason else Cancelled(**kw)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if cancelled meanwhile."""
        return self._event.wait(seconds)
