"""Request checks in front of every route, as a pure ASGI middleware.

Modelled on Jupyter's ``check_host`` and the MCP Python SDK's transport security:

* Host must be ``name[:port]`` (IPv6 in brackets), one header, nothing else → 400;
  then an allow-list (loopback names and IPs plus configured LAN addresses) against
  DNS rebinding — a rebound request carries the attacker's name in Host → 421;
* Origin, when present, must be this server's own origin or a configured one → 403
  (no CORS headers are ever sent, so no wildcard either);
* a token (``Authorization: Bearer …`` or ``?token=`` for EventSource), compared
  in constant time, on every API route when one is configured → 401;
* POST bodies must be JSON (415) and at most ``max_body`` bytes (413);
* a per-client rate limit on the routes that start runs → 429 with Retry-After; every
  loopback address (all of 127.0.0.0/8, ::1) is one client: one machine.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from interview_corvus.core.redact import register_secret

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# The live page, health, and the API's description (no data): a browser loading /docs
# cannot add the token to the page's own fetch of /openapi.json.
PUBLIC_PATHS = frozenset({"/", "/health", "/favicon.ico", "/docs", "/openapi.json",
                          "/docs/oauth2-redirect"})
RUN_STARTING = ("/optimize", "/solve", "/mcq")
POST_ROUTES = frozenset({"/optimize", "/optimize-stream", "/solve", "/solve-stream",
                         "/mcq", "/mcq-stream", "/optimize-batch-stream"})
FOLLOW_UP = re.compile(r"/runs/[^/]+/follow-up")  # POST: starts a run too


def _posts_json(method: str, path: str) -> bool:
    return method == "POST" and (path in POST_ROUTES or bool(FOLLOW_UP.fullmatch(path)))


_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(rf"(?P<name>\[[0-9a-f:.]{{2,45}}\]|{_LABEL}(?:\.{_LABEL})*\.?)"
                   r"(?::(?P<port>[0-9]{1,5}))?")


def parse_host(value: str) -> tuple[str, int | None] | None:
    """``(name, port)`` of a Host header value (``name[:port]``, an IPv6 address in
    brackets; the name in lower case), or None when it is anything else — user info
    (``a@b``), a port that is not a number up to 65535, a path, spaces, a bad address."""
    match = _HOST.fullmatch(value.lower()) if len(value) <= 260 else None
    if match is None:
        return None
    name, port = match["name"], match["port"]
    if name.startswith("["):
        try:
            if ipaddress.ip_address(name[1:-1]).version != 6:
                return None
        except ValueError:
            return None
    number = None if port is None else int(port)
    if number is not None and number > 65535:
        return None
    return name, number


def split_host(value: str) -> str | None:
    """The host name of a Host header value, without the port (IPv6 keeps brackets);
    None when the value is not ``name[:port]``."""
    parsed = parse_host(value.strip())
    return None if parsed is None else parsed[0]


def client_key(address: str) -> str:
    """Who a request counts against in the rate limit: its source address, except that
    every loopback address (127.0.0.0/8, ::1, IPv4-mapped loopback) is one client."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    mapped = getattr(ip, "ipv4_mapped", None)
    if ip.is_loopback or (mapped is not None and mapped.is_loopback):
        return "loopback"
    return str(mapped or ip)


class RateLimiter:
    """A token bucket per client: ``rate`` requests per ``per`` seconds, burst ``rate``.
    At most ``max_clients`` buckets are kept (full ones are forgotten first)."""

    def __init__(self, rate: int = 30, per: float = 60.0, max_clients: int = 4096) -> None:
        self.rate, self.per, self.max_clients = rate, per, max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> float:
        """0 if allowed now, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(client, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - stamp) * self.rate / self.per)
            if client not in self._buckets and len(self._buckets) >= self.max_clients:
                self._forget(now)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) * self.per / self.rate

    def _forget(self, now: float) -> None:
        """Drop the buckets that have refilled (as good as new); if none has, the oldest."""
        full = [c for c, (tokens, stamp) in self._buckets.items()
                if tokens + (now - stamp) * self.rate / self.per >= self.rate]
        for client in full or [min(self._buckets, key=lambda c: self._buckets[c][1])]:
            del self._buckets[client]


async def send_error(send: Send, status: int, code: str, message: str,
                     headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *headers]})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    def __init__(self, app: Any, *, allowed_hosts: Iterable[str] = (),
                 allowed_origins: Iterable[str] = (), token: str | None = None,
                 max_body: int = 256 * 1024, limiter: RateLimiter | None = None) -> None:
        self.app = app
        self.allowed_hosts = LOOPBACK_HOSTS | {h.lower() for h in allowed_hosts}
        self.allowed_origins = {o.rstrip("/").lower() for o in allowed_origins}
        self.token = token or None
        register_secret(self.token)
        self.max_body = max_body
        self.limiter = limiter or RateLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("headers", [])
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}
        host_header = headers.get("host", "")
        refused = _bad_host(host_header, sum(1 for k, _ in raw if k.lower() == b"host"))
        if refused:
            await send_error(send, 400, "bad_request", refused)
            return
        if split_host(host_header) not in self.allowed_hosts:
            await send_error(send, 421, "bad_request",
                             f"Host {host_header!r} is not served here (misdirected request).")
            return
        origin = headers.get("origin")
        if origin is not None and not self._origin_ok(origin, host_header):
            await send_error(send, 403, "bad_request", f"Origin {origin!r} is not allowed.")
            return
        path = scope.get("path", "")
        if self.token and path not in PUBLIC_PATHS and not self._authorized(scope, headers):
            await send_error(send, 401, "auth", "Missing or wrong token.",
                             [(b"www-authenticate", b"Bearer")])
            return
        method = scope.get("method", "GET")
        if method in ("GET", "HEAD") and path.startswith(RUN_STARTING):
            refused = self._cross_site(headers)
            if refused:
                await send_error(send, 403, "bad_request", refused)
                return
        if _posts_json(method, path):  # others get the router's 405 / 404
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if media != "application/json":
                await send_error(send, 415, "bad_request",
                                 "The request body must be JSON (Content-Type: application/json).")
                return
            length = headers.get("content-length")
            too_large = length is not None and (not re.fullmatch(r"[0-9]{1,15}", length)
                                                or int(length) > self.max_body)
            body = None if too_large else await self._read_capped(receive)
            if body is None:
                await send_error(send, 413, "bad_request",
                                 f"The request body is larger than {self.max_body} bytes.")
                return
            receive = _replay(body, receive)
        if path.startswith(RUN_STARTING) or _posts_json(method, path):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.limiter.check(client_key(str(client)))
            if wait > 0:
                await send_error(send, 429, "rate_limited",
                                 f"Too many requests; retry in {wait:.0f} s.",
                                 [(b"retry-after", str(max(1, round(wait))).encode())])
                return
        await self.app(scope, receive, send)

    def _cross_site(self, headers: dict[str, str]) -> str | None:
        """Why a GET that would start a run comes from another site, or None.

        ``<img src=…/optimize-stream?code=…>`` on any page sends no Origin, but
        browsers say where it came from in ``Sec-Fetch-Site`` (and, in older ones,
        the Referer). The project's own page is ``same-origin``; an address typed
        by the user is ``none``; the CLI and scripts send neither header.
        """
        site = headers.get("sec-fetch-site", "").lower()
        if site in ("cross-site", "same-site"):
            return (f"A run cannot be started by a GET from another site (Sec-Fetch-Site: "
                    f"{site}). Use POST /optimize-stream from your own page or script.")
        referer = headers.get("referer")
        if not site and referer:
            host = urlsplit(referer).netloc
            if host and split_host(host) not in self.allowed_hosts:  # None if malformed
                return "A run cannot be started by a GET from another site (Referer)."
        return None

    def _origin_ok(self, origin: str, host_header: str) -> bool:
        origin = origin.rstrip("/").lower()
        return origin in self.allowed_origins or origin in (
            f"http://{host_header.lower()}", f"https://{host_header.lower()}")

    def _authorized(self, scope: Scope, headers: dict[str, str]) -> bool:
        assert self.token is not None
        given = ""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        else:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = (query.get("token") or [""])[0]
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def _read_capped(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it grows past the cap (chunked bodies too)."""
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(parts)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)


def _bad_host(value: str, count: int) -> str | None:
    """Why a request's Host header cannot be read, or None."""
    if count > 1:
        return f"The request has {count} Host headers; send exactly one."
    if not value.strip():
        return "The request has no Host header; send Host: name[:port]."
    if parse_host(value.strip()) is None:
        shown = value[:80] + ("…" if len(value) > 80 else "")
        return (f"The Host header {shown!r} is malformed: it must be a name or address with "
                "an optional numeric port (name[:port], IPv6 in brackets).")
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body read already, then the real events."""
    sent = False

    async def wrapped() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped
