"""asyncio inside Qt's event loop (qasync), for the window's async work.

``attach(app)`` makes a qasync loop the running asyncio loop of the GUI thread
while Qt's own loop runs, so coroutines — "Test connection", finding models —
run on the main thread without blocking it: their blocking parts go to worker
threads with ``asyncio.to_thread``. Generation never runs here; it stays in the
hub's threads. ``detach`` stops and closes the loop (the app is closing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import qasync
from PyQt6.QtWidgets import QApplication

log = logging.getLogger(__name__)

_tasks: set[asyncio.Task[Any]] = set()  # kept until done (asyncio holds tasks weakly)


def attach(app: QApplication) -> asyncio.AbstractEventLoop:
    """The running loop of this thread, or a new qasync loop on ``app``'s event loop."""
    with contextlib.suppress(RuntimeError):
        return asyncio.get_running_loop()
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    return loop


def detach(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is still pending and stop being the thread's running loop.

    Not ``loop.stop()``: on a qasync loop that calls ``QApplication.exit()``, which
    would end Qt's own loop (and every later nested one) — the app decides that.
    """
    for task in list(_tasks):
        task.cancel()
    if isinstance(loop, qasync.QEventLoop):
        with contextlib.suppress(RuntimeError):
            if asyncio.get_running_loop() is loop:
                asyncio.events._set_running_loop(None)
                asyncio.set_event_loop(None)


def spawn(coro_factory: Callable[[], Coroutine[Any, Any, Any]]) -> bool:
    """Run a coroutine on the GUI thread's loop; False when there is none (the caller
    falls back to a thread). Failures are logged, never raised into Qt."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    task = loop.create_task(coro_factory())
    _tasks.add(task)

    def done(task: asyncio.Task[Any]) -> None:
        _tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    task.add_done_callback(done)
    return True
