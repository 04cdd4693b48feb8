"""Trustworthy runs, item 7: slow or too many connections cannot take the server down."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from apitools import ANSWER, ScriptedProvider, make_hub

from interview_corvus.api.server import EmbeddedServer

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"


def slowloris(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")  # and then nothing
    return sock


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass  # a 408 may come first
        return True
    except TimeoutError:
        return False
    except OSError:
        return True


def healthy_within(url: str, seconds: float) -> bool:
    """Whether ``/health`` answers 200 before ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def test_slowloris_connections_are_closed_after_the_header_timeout():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, port=0, header_timeout=1.0) as server:
        socks = [slowloris(server.port) for _ in range(50)]
        health = httpx.get(f"{server.url}/health", timeout=5)  # still served meanwhile
        assert health.status_code == 200
        # closed within 5 s: the 1 s header timeout, not the 10 s default
        assert all(closed_by_server(s, 5) for s in socks)
        for sock in socks:
            sock.close()


def test_a_second_request_on_a_kept_alive_connection_has_a_deadline_too():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, port=0, header_timeout=1.0) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        assert closed_by_server(sock, 8)
        sock.close()


def test_connections_over_the_cap_are_closed_at_once_and_the_server_recovers():
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, port=0, header_timeout=30, max_connections=10) as server:
        socks = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(30)]
        time.sleep(0.3)
        closed = sum(closed_by_server(s, 0.5) for s in socks)
        assert closed >= 20
        for sock in socks:
            sock.close()
        assert healthy_within(server.url, 5)


def test_at_the_fd_limit_the_log_stays_small_and_the_server_recovers(tmp_path):
    """``corvus serve`` with 64 descriptors in all, and 300 connections thrown at it."""
    import resource

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    env = {**os.environ, "INTERVIEW_CORVUS_DATA_DIR": str(tmp_path / "d"),
           "INTERVIEW_CORVUS_CONFIG_DIR": str(tmp_path / "c")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "interview_corvus.cli", "serve", "--port", "0", "--provider",
         "replay", "--replay", str(DEMO / "optimization.jsonl")],
        stderr=subprocess.PIPE, env=env, preexec_fn=low_limit)
    try:
        line = proc.stderr.readline().decode()
        assert "serving on" in line, line
        url = line.split("serving on ", 1)[1].split(" ", 1)[0]
        port = int(url.rsplit(":", 1)[1])
        written = bytearray()
        reader = threading.Thread(target=lambda: written.extend(proc.stderr.read()),
                                  daemon=True)
        reader.start()
        socks = []
        for _ in range(300):
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=1))
            except OSError:
                break
        time.sleep(5)
        for sock in socks:
            sock.close()
        assert healthy_within(url, 10), "the server did not recover"
        proc.terminate()
        proc.wait(10)
        reader.join(5)
        assert len(written) < 20_000, written[-2000:].decode(errors="replace")
        assert written.count(b"Traceback") <= 12  # a few per kind of message, then counted
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
