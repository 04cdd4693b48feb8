"""Ending an SDK's streamed response from another thread, at once.

A cancel (or the service, once the whole answer has come and the server goes quiet)
must end a read that is blocked in another thread. Closing the response is not
enough: it closes the socket's file descriptor, but on Linux a ``recv`` already
blocked on it keeps waiting until the server sends a byte or gives up — measured
here, a silent server held a "closed" stream for its full 30 s. Shutting the socket
down (``shutdown(SHUT_RDWR)``) wakes that read at once and tells the server the
client has gone (llama.cpp's server then frees the slot). The socket is reached the
documented way, the response's ``network_stream`` extension (httpx / httpcore, and
the ``anthropic`` SDK's fork of them).
"""

from __future__ import annotations

import contextlib
import logging
import socket
from typing import Any

log = logging.getLogger(__name__)


def hang_up(response: Any) -> None:
    """Shut down the socket under ``response`` (an ``httpx.Response``), then close it.
    Safe to call from any thread, more than once, and on a response already closed."""
    stream = getattr(response, "extensions", {}).get("network_stream")
    sock = None
    with contextlib.suppress(Exception):  # a transport without the extension: close only
        sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already shut or closed
            sock.shutdown(socket.SHUT_RDWR)
    else:
        log.debug("no socket under the response; closing it only")
    with contextlib.suppress(Exception):
        response.close()
