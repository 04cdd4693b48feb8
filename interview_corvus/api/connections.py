"""Bounds on connections: header timeout, connection cap, file-descriptor headroom, quiet logs.

uvicorn closes idle keep-alive connections, but a client that sends headers a
byte at a time (slowloris) holds its connection forever, and enough of them
exhaust the process's file descriptors: the server stops accepting and the
event loop logs a traceback per failed accept. Here:

* ``guarded_protocol`` — uvicorn's h11 protocol with a deadline for the request
  head (each request, not only the first) and a cap on open connections: over the
  cap, the connection idle the longest (no request head yet, or kept alive between
  requests) is closed to make room, so silent sockets cannot lock everyone out;
  only when every other connection is busy serving a request is the new one closed;
* ``raise_fd_limit`` — use the hard limit for open files, and size the cap below it;
* and ``core.logs.RepeatFilter`` keeps a storm of one log line from filling a disk.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, Protocol

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 10.0  # seconds for a request line and headers to arrive
MAX_CONNECTIONS = 256
FD_RESERVE = 64  # descriptors kept for files, the model, SQLite and threads
_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\n"
                     b"connection: close\r\ncontent-length: 21\r\n\r\nrequest head too slow")


def raise_fd_limit() -> int:
    """Raise the soft open-files limit to the hard one; return the limit in force."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return 8192
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 65536)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return int(soft)


def connection_cap(fd_limit: int, wanted: int = MAX_CONNECTIONS) -> int:
    """At most ``wanted`` connections, and always room left for everything else."""
    return max(8, min(wanted, fd_limit - FD_RESERVE))


class _Idle(Protocol):
    idle_since: float | None  # loop time it began waiting for a request head; None: busy
    transport: asyncio.Transport


def shed_candidate(connections: Iterable[_Idle], newcomer: object) -> _Idle | None:
    """The open connection idle the longest (waiting for a request head), other than
    ``newcomer``; None when every other connection is busy or already closing."""
    idle = [c for c in connections if c is not newcomer and c.idle_since is not None
            and not c.transport.is_closing()]
    return min(idle, key=lambda c: c.idle_since or 0.0, default=None)


def open_count(connections: Iterable[Any]) -> int:
    """Connections not yet closing (a closed transport leaves the set a moment later)."""
    return sum(1 for c in connections if not c.transport.is_closing())


def guarded_protocol(header_timeout: float = HEADER_TIMEOUT,
                     max_connections: int = MAX_CONNECTIONS) -> type[H11Protocol]:
    """An h11 protocol class with these bounds (uvicorn takes it as ``http=``)."""

    class GuardedH11Protocol(H11Protocol):
        idle_since: float | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._head_timer: asyncio.TimerHandle | None = None
            self._arm()
            if open_count(self.connections) > max_connections:
                self._make_room()

        def _make_room(self) -> None:
            """Close the connection idle the longest; if none is idle, this new one."""
            victim = shed_candidate(
                [c for c in self.connections if isinstance(c, GuardedH11Protocol)], self)
            if victim is None:
                log.warning("connection cap (%d) reached and every connection is busy; "
                            "closing a new connection", max_connections)
                self._disarm()
                self.transport.close()
                return
            log.info("connection cap (%d) reached; closing the connection idle the longest",
                     max_connections)
            victim.transport.close()

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(header_timeout, self._on_head_timeout)
            self.idle_since = self.loop.time()

        def _disarm(self) -> None:
            timer = getattr(self, "_head_timer", None)
            if timer is not None:
                timer.cancel()
                self._head_timer = None
            self.idle_since = None

        def _head_complete(self) -> bool:
            return self.cycle is not None and not self.cycle.response_complete

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._head_complete():
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()  # may start a pipelined request at once
            if not self.transport.is_closing() and not self._head_complete():
                self._arm()  # the next request on this connection gets a deadline too

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _on_head_timeout(self) -> None:
            self._head_timer = None
            if self._head_complete() or self.transport.is_closing():
                return
            if self.cycle is None:  # nothing was answered on this connection yet
                self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    return GuardedH11Protocol
