"""Following runs: one pure coalescing cursor, and two thin drivers for it.

A ``Cursor`` is a reader's place in one run's log. ``poll(now)`` returns the
wire events (``(id, payload)``, exactly what SSE clients get) that are due:
everything new, except that partials are coalesced to at most one per
``interval`` — the newest state, delivered on the trailing edge when the stream
pauses; ``done`` / ``error`` are never held back. ``next_wake(now)`` says how long
until a held-back partial is due (None when nothing is held back). The cursor
owns no thread and no clock, so it is tested with plain numbers.

``follow`` drives a cursor from a thread (the CLI, the window's worker);
``afollow`` drives several from asyncio (the SSE streams). A driver subscribes
with ``Cursor.wants_wake`` as filter: while a partial is held back, more patches
change nothing until its time comes, so they wake nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING

from interview_corvus.core.runs.log import Event

if TYPE_CHECKING:
    from interview_corvus.core.runs.hub import HubRun

IDLE_WAIT = 0.5  # an idle driver re-checks this often (e.g. for a server shutdown)


class Cursor:
    def __init__(self, run: HubRun, *, interval: float, delta: bool = False,
                 after: int = 0) -> None:
        self.run = run
        self.interval = interval
        self.delta = delta
        self.after = after  # the id of the last event delivered
        self.ended = False
        self.has_base = False  # a delta reader has had a whole ``data`` to patch
        self._next_partial = 0.0
        self._holding = False

    def poll(self, now: float) -> list[Event]:
        """The events due at ``now`` (a monotonic time in seconds)."""
        events, self.after, ended = self.run.log.events_after(
            self.after, delta=self.delta, partials=now >= self._next_partial,
            has_base=self.has_base)
        self.ended = self.ended or ended
        for _, payload in events:
            if payload["type"] == "partial":
                self._next_partial = now + self.interval
                self.has_base = self.has_base or "data" in payload
        return events

    def next_wake(self, now: float) -> float | None:
        """Seconds until a held-back partial is due, or None when none is held back."""
        self._holding = not self.ended and self.after < self.run.log.seq
        return max(0.0, self._next_partial - now) if self._holding else None

    def wants_wake(self, kind: str) -> bool:
        """Whether a new op of ``kind`` can change what ``poll`` returns before the wake
        that ``next_wake`` asked for."""
        return not (kind == "patch" and self._holding)


def _subscribe(cursors: list[Cursor], wake: Callable[[], None]) -> Callable[[], None]:
    def make(cursor: Cursor) -> Callable[[str], None]:
        return lambda kind: wake() if cursor.wants_wake(kind) else None

    unsubscribers = [c.run.subscribe(make(c)) for c in cursors]

    def unsubscribe() -> None:
        for unsubscribe_one in unsubscribers:
            unsubscribe_one()

    return unsubscribe


def _timeout(cursors: list[Cursor], now: float) -> float:
    wakes = [w for c in cursors if (w := c.next_wake(now)) is not None]
    return min([IDLE_WAIT, *wakes])


def follow(run: HubRun, *, interval: float, delta: bool = False, after: int = 0
           ) -> Iterator[Event]:
    """The thread driver: yields the run's events, returns after the terminal one once
    the hub has retired the run (so it is in the history)."""
    cursor = Cursor(run, interval=interval, delta=delta, after=after)
    wake = threading.Event()
    unsubscribe = _subscribe([cursor], wake.set)
    try:
        while True:
            wake.clear()
            yield from cursor.poll(time.monotonic())
            if cursor.ended:
                run.finished.wait(5)  # the hub saves the run to history, then sets this
                return
            wake.wait(_timeout([cursor], time.monotonic()))
    finally:
        unsubscribe()


async def afollow(cursors: list[Cursor], closing: asyncio.Event | None = None
                  ) -> AsyncIterator[tuple[int, Event]]:
    """The asyncio driver: ``(index of the cursor, event)`` until every cursor has ended.

    When ``closing`` is set (the server stops), what the runs logged last (their final
    events, when the shutdown cancelled them first) still goes out, then it returns.
    Leaving early (a client disconnect arrives as cancellation) unsubscribes.
    """
    loop = asyncio.get_running_loop()
    woken = asyncio.Event()

    def wake() -> None:  # from a run's thread; one pending wake-up is enough
        if not woken.is_set():
            loop.call_soon_threadsafe(woken.set)

    unsubscribe = _subscribe(cursors, wake)
    try:
        while True:
            woken.clear()
            last = closing is not None and closing.is_set()
            now = float("inf") if last else loop.time()
            for index, cursor in enumerate(cursors):
                if not cursor.ended:
                    for event in cursor.poll(now):
                        yield index, event
            if last or all(c.ended for c in cursors):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), _timeout(cursors, loop.time()))
    finally:
        unsubscribe()
