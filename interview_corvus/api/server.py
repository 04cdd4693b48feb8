"""Run the app with uvicorn in a background thread, with its own shutdown path.

uvicorn installs no signal handlers off the main thread, and sse-starlette's
drain relies on them; ``EmbeddedServer.stop()`` therefore first sets the app's
``closing`` event (open streams end within half a second), then asks uvicorn to
exit and joins the thread. No ``QThread.terminate``, no orphaned threads.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import socket
import threading
import time
from typing import Any

import uvicorn

from interview_corvus.api.app import create_app
from interview_corvus.api.connections import (
    HEADER_TIMEOUT,
    MAX_CONNECTIONS,
    connection_cap,
    guarded_protocol,
    raise_fd_limit,
)
from interview_corvus.core.runs.hub import RunHub

log = logging.getLogger(__name__)


class ServerConfigError(ValueError):
    """The server cannot start as configured (message fit for the user)."""


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it goes in a URL: IPv6 addresses in brackets."""
    bare = host.strip("[]")
    try:
        if ipaddress.ip_address(bare).version == 6:
            return f"[{bare}]"
    except ValueError:
        pass
    return host


def new_token() -> str:
    return secrets.token_urlsafe(24)


def lan_address() -> str | None:
    """This machine's address on the local network, if its host name resolves to one."""
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return None
    return None if address.startswith("127.") else address


class EmbeddedServer:
    def __init__(self, hub: RunHub, *, host: str = "127.0.0.1", port: int = 8765,
                 token: str | None = None, allowed_hosts: tuple[str, ...] = (),
                 allowed_origins: tuple[str, ...] = (), rate_per_minute: int = 60,
                 header_timeout: float = HEADER_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS, **app_options: Any) -> None:
        if not is_loopback(host) and not token:
            raise ServerConfigError(
                f"Refusing to listen on {host} without a token: anyone on the network could "
                "use the server. Set a token (Settings → Server, or corvus serve --token) or "
                "bind 127.0.0.1.")
        self.hub = hub
        self.host = host
        self.token = token
        hosts = set(allowed_hosts)
        if host not in ("0.0.0.0", "::", ""):  # the address it prints is one it answers
            hosts.add(url_host(host))
            hosts.add(host.strip("[]"))
        self.app = create_app(hub, token=token, allowed_hosts=tuple(hosts),
                              allowed_origins=allowed_origins, rate_per_minute=rate_per_minute,
                              **app_options)
        cap = connection_cap(raise_fd_limit(), max_connections)
        self.config = uvicorn.Config(self.app, host=host, port=port, log_level="warning",
                                     timeout_graceful_shutdown=2, lifespan="off",
                                     access_log=False, timeout_keep_alive=5,
                                     http=guarded_protocol(header_timeout, cap))
        self.server = uvicorn.Server(self.config)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def port(self) -> int:
        servers = getattr(self.server, "servers", None) or []
        for server in servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self.config.port

    @property
    def url(self) -> str:
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(self.host, url_host(self.host))
        return f"http://{host}:{self.port}"

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self.app.state.closing = asyncio.Event()
            await self.server.serve()

        asyncio.run(main())

    def start(self, timeout: float = 10.0) -> EmbeddedServer:
        self._thread = threading.Thread(target=self._run, name="corvus-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive():
                raise ServerConfigError(f"The server could not start on {self.host}:"
                                        f"{self.config.port} (is the port in use?)")
            if time.monotonic() > deadline:
                raise ServerConfigError("The server did not start in time.")
            time.sleep(0.02)
        log.info("server listening on %s", self.url)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        loop, closing = self._loop, self.app.state.closing
        if loop is not None and closing is not None and not loop.is_closed():
            loop.call_soon_threadsafe(closing.set)
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.server.force_exit = True
                self._thread.join(timeout)
        log.info("server stopped")

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
