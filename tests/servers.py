"""Real servers on loopback for tests.

* ``llama_server``: llama.cpp's OpenAI-compatible server with the bundled GGUF;
* ``recorded``: plays scripted HTTP answers (JSON, or a recorded SSE transcript).
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def llama_server(model: Path, *, n_ctx: int = 4096) -> Iterator[str]:
    """Start the OpenAI-compatible llama.cpp server; yield its base URL (``.../v1``)."""
    port = free_port()
    artifacts = HERE.parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    log = open(artifacts / "llama_server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "llama_server.py"), "--model", str(model), "--host",
         "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--model_alias", "smollm2"],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}; see "
                                   "artifacts/llama_server.log")
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not start in 120 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def server_side_connections(port: int) -> set[int]:
    """Client ports of the TCP connections the server on ``port`` still holds open
    (ESTABLISHED, or CLOSE_WAIT: the client closed and the server has not yet)."""
    found: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                state = fields[3]
                if local_port == port and state in ("01", "08"):  # ESTABLISHED, CLOSE_WAIT
                    found.add(int(fields[2].rsplit(":", 1)[1], 16))
    return found


class Recorded(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script: list[tuple] = []
        self.requests: list[dict] = []
        self.client_gone = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Recorded

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
        self.server.requests.append({"path": self.path, "body": body,
                                     "api_key": self.headers.get("x-api-key") or bearer})
        kind, *rest = self.server.script.pop(0)
        if kind == "status":
            status, payload, headers = rest
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in {"content-type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if kind == "case":  # a field case's response (data/field_cases/README.md)
            self._field_case(rest[0])
            return
        transcript, delay = rest
        ndjson = kind == "ndjson"  # Ollama's stream: one JSON object per line
        self.send_response(200)
        self.send_header("content-type", "application/x-ndjson" if ndjson
                         else "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        separator = "\n" if ndjson else "\n\n"
        try:
            for event in transcript.split(separator):
                if event.strip():
                    self.wfile.write((event + separator).encode())
                    self.wfile.flush()
                    time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            self.server.client_gone.set()

    def _field_case(self, response: dict) -> None:
        """Answer as a field case says: a status with a JSON body, or an event stream sent
        an event at a time in chunked encoding; ``stall`` seconds of silence after the
        last event; ``abort`` drops the connection without the body's last chunk (what a
        crashed proxy or server does)."""
        if response["kind"] == "status":
            data = json.dumps(response["body"]).encode()
            self.send_response(response["status"])
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            for event in response["raw"].split("\n\n"):
                if event.strip():
                    data = (event + "\n\n").encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                    time.sleep(response.get("delay", 0))
            time.sleep(response.get("stall", 0))  # then silence, the connection open
            if response.get("abort"):
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.server.client_gone.set()

    do_GET = do_POST  # e.g. GET /models (a connection check): answered from the script too


@pytest.fixture
def recorded():
    """A loopback server answering requests from ``server.script`` in order:
    ``("status", code, json_body, headers)``, ``("sse", transcript, delay_s)`` or
    ``("ndjson", lines, delay_s)``."""
    server = Recorded()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()




def play_field_case(server: Recorded, path: Path, requests: int = 4) -> None:
    """Script ``server`` with a field case's responses, one per request in order, the
    last repeated (up to ``requests`` requests in all)."""
    responses = json.loads(path.read_text())["responses"]
    for index in range(max(requests, len(responses))):
        server.script.append(("case", responses[min(index, len(responses) - 1)]))


def closing_the_stream_closes_the_connection(server_url: str, service) -> None:
    """Stream a few partials, close the stream: the server no longer holds our socket."""
    from urllib.parse import urlparse

    from fakes import CODE

    port = urlparse(server_url).port
    assert port is not None
    before = server_side_connections(port)  # idle keep-alive connections of other tests
    stream = service.get_code_optimization_stream(CODE, "python")
    for count, _ in enumerate(stream):
        if count == 2:
            break
    ours = server_side_connections(port) - before
    assert ours, "the stream's connection is open while streaming"
    stream.close()
    deadline = time.monotonic() + 1.0
    while ours & server_side_connections(port) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not ours & server_side_connections(port), "the server still holds the connection"
