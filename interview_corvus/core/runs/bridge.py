"""Async twins of the blocking generators: the work runs in a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


async def iterate_in_thread(
    factory: Callable[[], Iterator[T]], cancel: Callable[[], None]
) -> AsyncIterator[T]:
    """Run ``factory()`` in a thread and yield its items on the event loop.

    Leaving the ``async for`` early (or cancelling the task) calls ``cancel``,
    closes the generator in its thread and waits for the thread to end, so
    nothing is left running.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[Any, BaseException | None]] = asyncio.Queue()
    stop = threading.Event()

    def put(item: Any, exc: BaseException | None = None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(queue.put_nowait, (item, exc))

    def worker() -> None:
        try:
            generator = factory()
            try:
                for item in generator:
                    if stop.is_set():
                        break
                    put(item)
            finally:
                close = getattr(generator, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:  # handed to the awaiting side
            put(_DONE, exc)
        else:
            put(_DONE)

    thread = threading.Thread(target=worker, name="corvus-stream", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = await queue.get()
            if item is _DONE:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        if thread.is_alive():
            stop.set()
            cancel()
            await asyncio.shield(asyncio.to_thread(thread.join))
