"""Stream robustness: SSE framing split at every byte, disconnects cancel, a client
that stops reading cannot block the server, and nothing leaks."""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import threading
import time

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, SSEParser, make_hub, parse_sse, payloads
from httpx_sse import connect_sse

from interview_corvus.api.app import create_app
from interview_corvus.api.server import EmbeddedServer

BODY = {"code": "def f(): pass", "language": "python"}
SMALL = {**ANSWER, "optimized_code": "x = «ü» 😀\n", "explanation": "Ünï — 😀 done."}


def raw_stream(hub, path: str) -> bytes:
    async def main():
        app = create_app(hub)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1:8765") as client:
            return (await client.post(path, json=BODY)).content

    return asyncio.run(main())


@pytest.mark.parametrize("path", ["/optimize-stream", "/optimize-stream?delta=1"])
def test_framing_survives_a_split_at_every_byte(path):
    hub = make_hub(ScriptedProvider(SMALL, delay=0.001, chunk=3))
    raw = raw_stream(hub, path)
    assert "😀".encode() in raw and b"\n\n" in raw
    expected = [(e.id, e.data) for e in parse_sse(raw)]
    assert payloads(parse_sse(raw))[-1]["type"] == "done"
    for cut in range(len(raw) + 1):
        parser = SSEParser()
        events = list(parser.feed(raw[:cut])) + list(parser.feed(raw[cut:]))
        assert [(e.id, e.data) for e in events] == expected, cut
    parser = SSEParser()
    one_by_one = [e for i in range(len(raw)) for e in parser.feed(raw[i : i + 1])]
    assert [(e.id, e.data) for e in one_by_one] == expected


@pytest.fixture
def slow_provider():
    return ScriptedProvider(ANSWER, delay=0.02)


def test_disconnect_cancels_the_run_within_a_second(slow_provider):
    hub = make_hub(slow_provider, orphan_grace=0.3)  # the default waits for reconnects
    with EmbeddedServer(hub, port=0) as server, httpx.Client(base_url=server.url) as client:
        with connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
            for count, event in enumerate(source.iter_sse()):
                if count == 3:
                    run_id = json.loads(event.data)["run_id"]
                    break
        # the orphan grace (0.3 s) and a wake-up: well inside this bound
        assert slow_provider.closed_event.wait(1.3)
        run = hub.get(run_id)
        assert run.finished.wait(2) and run.entry.status == "cancelled"
        assert run.entry.result["optimized_code"]  # the partial is kept


def test_a_client_that_stops_reading_cannot_block_the_server():
    big = {**ANSWER, "explanation": "x" * 400_000}
    provider = ScriptedProvider(big, delay=0, chunk=2000)
    hub = make_hub(provider)
    with EmbeddedServer(hub, port=0, send_timeout=1.0) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        body = json.dumps(BODY).encode()
        sock.sendall(b"POST /optimize-stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        try:
            time.sleep(0.5)  # the server streams megabytes of snapshots; we read none
            # served while the stuck stream waits on its send timeout (a timeout here
            # would mean the event loop is blocked by the client that does not read)
            health = httpx.get(f"{server.url}/health", timeout=2)
            assert health.status_code == 200
            deadline = time.monotonic() + 10
            while hub.active_count() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert hub.active_count() == 0, "the stalled stream should be dropped"
        finally:
            sock.close()


def server_tasks(server: EmbeddedServer) -> int:
    async def count() -> int:
        return len(asyncio.all_tasks())

    return asyncio.run_coroutine_threadsafe(count(), server._loop).result(5)


def test_no_thread_or_task_left_after_50_connect_and_drop_cycles(slow_provider):
    hub = make_hub(slow_provider, orphan_grace=0.3)
    with EmbeddedServer(hub, port=0, rate_per_minute=1000) as server:
        # warm up: sse-starlette starts one shutdown watcher task per loop, once
        with httpx.Client(base_url=server.url) as client, \
                connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
            for _ in source.iter_sse():
                pass
        gc.collect()
        threads_before = threading.active_count()
        tasks_before = server_tasks(server)
        for _ in range(50):
            with httpx.Client(base_url=server.url) as client, \
                    connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
                next(source.iter_sse())
        assert hub.wait_idle(10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (
            threading.active_count() > threads_before or server_tasks(server) > tasks_before
        ):
            time.sleep(0.1)
        assert threading.active_count() <= threads_before
        assert server_tasks(server) <= tasks_before
        assert sum(r.entry.status == "cancelled" for r in hub.runs()) == 50
        assert slow_provider.closed_early == 50


def test_server_stops_cleanly_with_open_streams(slow_provider):
    hub = make_hub(slow_provider)
    server = EmbeddedServer(hub, port=0).start()
    threads = []
    for _ in range(3):
        def watch():
            with httpx.Client(base_url=server.url, timeout=10) as client, \
                    connect_sse(client, "POST", "/optimize-stream", json=BODY) as source:
                for _ in source.iter_sse():
                    pass
        thread = threading.Thread(target=watch)
        thread.start()
        threads.append(thread)
    time.sleep(0.3)
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    stopping.join(5)
    assert not stopping.is_alive(), "open streams do not keep the server from stopping"
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()
    assert not server._thread.is_alive()
