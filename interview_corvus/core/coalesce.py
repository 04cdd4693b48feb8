"""Drive a run in a worker thread and deliver its state at a bounded rate.

Partial states are delivered at most once per ``interval`` and on the trailing
edge: when the stream pauses, the newest state is still delivered once the
interval ends. The final result and errors are delivered at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from interview_corvus.core.models import StreamedAnswer
from interview_corvus.core.run import ActiveRun, RunStats, StreamUpdate


@dataclass
class RunEvent:
    kind: str  # "partial" or "done"
    model: StreamedAnswer
    stats: RunStats | None = None


def coalesced(run: ActiveRun, interval: float = 0.05) -> Iterator[RunEvent]:
    """Yield ``partial`` events (<= 1/interval per second, newest state) then ``done``.

    Errors of the run are raised from this generator. Closing it early cancels
    the run and waits for the worker thread to finish.
    """
    cond = threading.Condition()
    dirty = False
    finished = False
    final: StreamUpdate | None = None
    error: BaseException | None = None

    def worker() -> None:
        nonlocal dirty, finished, final, error
        try:
            for update in run.updates():
                with cond:
                    if update.final:
                        final = update
                    else:
                        dirty = True
                    cond.notify()
        except BaseException as exc:  # handed to the consumer
            with cond:
                error = exc
        finally:
            with cond:
                finished = True
                cond.notify()

    thread = threading.Thread(target=worker, name="corvus-run", daemon=True)
    thread.start()
    last = float("-inf")
    try:
        while True:
            with cond:
                while True:
                    now = time.monotonic()
                    if finished:
                        break
                    if dirty and now - last >= interval:
                        break
                    cond.wait(None if not dirty else last + interval - now)
                take, dirty = dirty, False
                done = finished
            if done:
                if error is not None:
                    raise error
                assert final is not None and final.partial is not None
                yield RunEvent("done", final.partial, final.stats)
                return
            if take:
                last = time.monotonic()
                partial = run.latest()
                if partial is not None:
                    yield RunEvent("partial", partial)
    finally:
        if thread.is_alive():
            run.cancel.cancel()
            thread.join()
