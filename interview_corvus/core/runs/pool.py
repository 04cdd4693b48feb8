"""Generation slots: the local model runs one generation at a time, remote providers
up to a configurable number; waiting runs learn their position in the queue."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from interview_corvus.core.runs.attempt import CancelToken

POLL = 0.5  # a waiting run re-checks its cancel flag this often


class Slot:
    """A pool of generation slots with a FIFO of waiting runs."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.running = 0
        self.cond = threading.Condition()
        self.waiting: list[Any] = []

    def acquire(self, who: Any, cancel: CancelToken,
                on_position: Callable[[int], None]) -> None:
        """Wait for a slot in FIFO order; ``on_position(n)`` whenever the number of runs
        ahead (plus one) changes; raises the cancel error if cancelled while waiting."""
        with self.cond:
            self.waiting.append(who)
            try:
                position = -1
                while True:
                    if cancel.cancelled:
                        raise cancel.error()
                    index = self.waiting.index(who)
                    if index == 0 and self.running < self.limit:
                        self.waiting.pop(0)
                        self.running += 1
                        self.cond.notify_all()
                        return
                    ahead = index + self.running - self.limit + 1
                    if ahead != position:
                        position = ahead
                        on_position(position)
                    self.cond.wait(POLL)
            finally:
                if who in self.waiting:
                    self.waiting.remove(who)
                    self.cond.notify_all()

    def release(self) -> None:
        with self.cond:
            self.running -= 1
            self.cond.notify_all()

    def wake(self) -> None:
        """Let waiting runs re-check their cancel flags now."""
        with self.cond:
            self.cond.notify_all()
