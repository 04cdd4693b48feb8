"""Settling the heap after start-up: shorter stop-the-world pauses while answers stream.

A full (generation 2) collection walks every object the collector tracks. After start-up
a process holds a few hundred thousand long-lived ones — modules, classes, FastAPI routes,
pydantic schemas, Qt wrappers — that will never be garbage, and every full collection
walks them again. In the SSE server with 50 streams such a pause took 43–75 ms and reached
every client at once (``scripts/bench_sse.py``). ``settle()`` collects once and freezes
what is left (``gc.freeze``): later collections walk only objects made since.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def settle() -> int:
    """Collect, then move every surviving object out of the collector's walks; return how
    many were frozen. Call once start-up is over (objects made later are unaffected)."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.debug("heap settled: %d objects frozen in %.0f ms", frozen,
              (time.perf_counter() - started) * 1000)
    return frozen
