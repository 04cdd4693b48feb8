"""Hold under pressure (issue 17), over real sockets: Host parsed strictly (item 1), idle
connections shed instead of newcomers refused (item 2), one rate limit for every loopback
address and a bounded run queue (item 3), 405 Allow and bodies the decoder refuses (10)."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub, payloads
from httpx_sse import connect_sse

from interview_corvus.api.server import EmbeddedServer

BODY = {"code": "print(1)", "language": "python"}


def raw(port: int, request: bytes) -> bytes:
    """Send one raw request; return the status line and headers of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data


@pytest.fixture
def server():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, port=0, rate_per_minute=1000) as server:
        yield server


# -- item 1 -------------------------------------------------------------------------
@pytest.mark.parametrize("host", [b"127.0.0.1:8765@evil.com", b"127.0.0.1:notaport",
                                  b"127.0.0.1:99999", b"localhost:1:2", b"[::1"])
def test_a_malformed_host_is_400_over_the_wire(server, host):
    answer = raw(server.port, b"GET /health HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]


def test_two_host_headers_are_400_and_one_good_host_is_served(server):
    two = raw(server.port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.com\r\n\r\n")
    assert two.startswith(b"HTTP/1.1 400"), two[:200]
    one = raw(server.port, f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n"
              .encode())
    assert one.startswith(b"HTTP/1.1 200")


# -- item 2 -------------------------------------------------------------------------
def idle_sockets(port: int, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]


def test_silent_sockets_cannot_lock_out_health():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, port=0, header_timeout=30, max_connections=10) as server:
        silent = idle_sockets(server.port, 40)  # four times the cap, no request sent
        try:
            time.sleep(0.3)
            for _ in range(5):  # at once, not after the 30 s head deadline
                assert httpx.get(f"{server.url}/health", timeout=3).status_code == 200
                silent += idle_sockets(server.port, 10)  # and re-opened in between
        finally:
            for sock in silent:
                sock.close()


def test_a_busy_stream_is_never_shed_for_idle_sockets():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0.01, chunk=4))
    with EmbeddedServer(hub, port=0, header_timeout=30, max_connections=10,
                        rate_per_minute=1000) as server, httpx.Client(base_url=server.url,
                                                                     timeout=10) as client:
        with connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
            events = source.iter_sse()
            first = [next(events)]
            silent = idle_sockets(server.port, 40)
            try:
                rest = list(events)
            finally:
                for sock in silent:
                    sock.close()
        assert payloads(first + rest)[-1]["type"] == "done"


# -- item 3 -------------------------------------------------------------------------
def test_loopback_source_addresses_share_one_rate_limit():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, port=0, rate_per_minute=3) as server:
        codes = []
        for n in range(2, 8):  # a different source address each time
            transport = httpx.HTTPTransport(local_address=f"127.0.0.{n}")
            with httpx.Client(transport=transport, base_url=server.url, timeout=10) as client:
                codes.append(client.post("/optimize", json=BODY).status_code)
        assert codes == [200, 200, 200, 429, 429, 429]


def test_a_batch_over_the_queue_cap_is_refused_whole():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0.05), remote_concurrency=1, max_queued=4)
    with EmbeddedServer(hub, port=0, rate_per_minute=1000) as server:
        threads = threading.active_count()
        answer = httpx.post(f"{server.url}/optimize-batch-stream",
                            json={"documents": [BODY] * 20}, timeout=10)
        assert answer.status_code == 429 and answer.headers["content-type"] == \
            "application/json"
        assert answer.headers["retry-after"]
        assert hub.runs() == [] and threading.active_count() <= threads


# -- item 10 ------------------------------------------------------------------------
def test_405_on_a_run_allows_get_and_delete(server):
    answer = httpx.post(f"{server.url}/runs/abc", json={}, timeout=5)
    assert answer.status_code == 405 and answer.headers["allow"] == "GET, DELETE"


def test_a_huge_number_or_a_deep_body_is_named_over_the_wire(server):
    for body, says in ((b'{"code": ' + b"9" * 5000 + b"}", "5000 digits"),
                       (b'{"code": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "nested")):
        answer = httpx.post(f"{server.url}/optimize", content=body, timeout=5,
                            headers={"content-type": "application/json"})
        assert answer.status_code == 400 and says in answer.json()["error"]["message"]
