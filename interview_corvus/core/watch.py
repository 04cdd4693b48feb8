"""Following a hub run from a thread: the blocking twin of the SSE stream.

``follow`` yields the run's wire events (``(id, payload)``, exactly what SSE
clients get) with partials coalesced to at most one per ``interval`` — the newest
state, delivered on the trailing edge when the stream pauses — and ``done`` /
``error`` at once. It returns after the terminal event, once the hub has retired
the run (so it is in the history). The CLI and the window's worker use it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from interview_corvus.core.hub import HubRun

IDLE_WAIT = 0.5


def follow(run: HubRun, *, interval: float, delta: bool = False, after: int = 0
           ) -> Iterator[tuple[int, dict[str, Any]]]:
    wake = threading.Event()
    unsubscribe = run.subscribe(lambda _kind: wake.set())
    next_partial, has_base = 0.0, False
    try:
        while True:
            wake.clear()
            now = time.monotonic()
            events, after, ended = run.events_after(after, delta=delta,
                                                    partials=now >= next_partial,
                                                    has_base=has_base)
            for seq, payload in events:
                if payload["type"] == "partial":
                    next_partial = now + interval
                    has_base = has_base or "data" in payload
                yield seq, payload
            if ended:
                run.finished.wait(5)  # the hub saves the run to history, then sets this
                return
            held_back = after < run.seq
            wake.wait(max(0.0, next_partial - time.monotonic()) if held_back else IDLE_WAIT)
    finally:
        unsubscribe()
