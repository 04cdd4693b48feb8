"""Hold under pressure, item 9 (and item 7 for a server's answer): ``corvus models`` and
Settings → *Find models…* against hostile local servers and files.

The servers are real sockets on loopback: one trickles its head or body a byte at a
time, one answers 30 MB, one 50,000 rows, one 100,000 nested ``[``, one model names
made of Rich markup and terminal escapes.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from interview_corvus.core.providers import discovery
from interview_corvus.core.providers.discovery import find_files, model_folders, probe_servers

HOSTILE_NAMES = ["llama[/bold]", "evil\x1b[2J\x1b]0;pwned\x07name", "[red]x[/red]\\",
                 "rtl\u202eevil", "fine:7b"]


def _body(mode: str) -> bytes:
    if mode == "rows":
        return json.dumps({"models": [{"name": f"m{i}"} for i in range(50_000)]}).encode()
    if mode == "deep":
        return b"[" * 100_000
    if mode == "names":
        return json.dumps({"models": [{"name": n} for n in HOSTILE_NAMES]}).encode()
    return json.dumps({"models": [{"name": "good:1b"}]}).encode()


class _Handler(socketserver.BaseRequestHandler):
    server: Hostile

    def handle(self) -> None:
        sock: socket.socket = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                return
            head += chunk
        mode = self.server.mode
        try:
            if mode == "trickle-head":  # the status line, one byte at a time, forever
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                    sock.sendall(bytes([byte]))
                    self.server.sent += 1
                    time.sleep(0.05)
            elif mode == "trickle-body":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 100000\r\n\r\n")
                for byte in b'{"models": [' + b" " * 99_000:
                    sock.sendall(bytes([byte]))
                    self.server.sent += 1
                    time.sleep(0.05)
            elif mode == "huge":  # 30 MB of rows, no length given
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Connection: close\r\n\r\n" + b'{"models": [')
                row = b'{"name": "m"},' * 4096
                while self.server.sent < 30_000_000:
                    sock.sendall(row)
                    self.server.sent += len(row)
                sock.sendall(b'{"name": "m"}]}')
            else:
                body = _body(mode)
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                             + body)
        except OSError:  # the client gave up: what a bounded probe does
            self.server.client_gone.set()


class Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.sent = 0
        self.client_gone = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def hostile() -> Iterator:
    started: list[Hostile] = []

    def start(mode: str) -> Hostile:
        server = Hostile(mode)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("mode", ["trickle-head", "trickle-body"])
def test_a_trickling_server_costs_one_deadline_and_the_others_still_answer(hostile, mode):
    slow, good = hostile(mode), hostile("good")
    began = time.monotonic()
    found = probe_servers([("ollama", slow.url), ("ollama", good.url)])
    elapsed = time.monotonic() - began
    assert elapsed < 2.5, f"the probe took {elapsed:.1f} s"
    assert [m.name for m in found] == ["good:1b"]
    assert slow.sent > 10  # it really was trickling when the probe gave up


def test_a_30_mb_answer_is_not_read_whole(hostile):
    huge = hostile("huge")
    began = time.monotonic()
    assert probe_servers([("ollama", huge.url)]) == []
    assert time.monotonic() - began < 2.5
    assert huge.client_gone.wait(5) and huge.sent < 30_000_000


def test_rows_are_capped(hostile):
    found = probe_servers([("ollama", hostile("rows").url)])
    assert len(found) == discovery.MAX_SERVER_MODELS and found[0].name == "m0"


def test_an_answer_nested_100000_deep_is_skipped(hostile, caplog):
    deep, good = hostile("deep"), hostile("good")
    with caplog.at_level("DEBUG", logger="interview_corvus.core.providers.discovery"):
        found = probe_servers([("ollama", deep.url), ("ollama", good.url)])
    assert [m.name for m in found] == ["good:1b"]
    assert "nested too deeply" in caplog.text


def test_model_names_reach_the_terminal_as_text_without_escapes(hostile, monkeypatch,
                                                                 capsys, tmp_path):
    from interview_corvus.cli import main

    monkeypatch.setattr(discovery, "SERVERS", (("ollama", hostile("names").url),))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "300")
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "llama[/bold]" in out and "[red]x[/red]\\" in out and "fine:7b" in out
    assert "evil[2J]0;pwnedname" in out


def test_the_window_lists_names_without_control_characters(qtbot, hostile, monkeypatch):
    from interview_corvus.ui.settings.model_picker import ModelPicker

    monkeypatch.setattr(discovery, "SERVERS", (("ollama", hostile("names").url),))
    picker = ModelPicker()
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: picker.list.count() >= len(HOSTILE_NAMES), timeout=10_000)
    texts = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert not any(c in text for text in texts for c in "\x1b\x07\u202e")
    assert any(text.startswith("llama[/bold]") for text in texts)


def _special_files(folder: Path) -> None:
    folder.mkdir(parents=True)
    os.mkfifo(folder / "pipe.gguf")
    os.symlink("/dev/zero", folder / "zero.gguf")
    (folder / "real.gguf").write_bytes(b"GGUF" + b"\0" * 60)


def test_only_regular_files_are_listed(tmp_path):
    _special_files(tmp_path / ".lmstudio" / "models" / "x")
    found = find_files(model_folders({}, tmp_path))
    assert [m.name for m in found] == ["real.gguf"]


@pytest.mark.parametrize("name", ["pipe.gguf", "zero.gguf"])
def test_gguf_flag_with_a_fifo_or_device_says_not_a_regular_file(tmp_path, name):
    _special_files(tmp_path / "models")
    source = tmp_path / "f.py"
    source.write_text("x = 1\n")
    env = {**os.environ, "INTERVIEW_CORVUS_DATA_DIR": str(tmp_path / "data"),
           "INTERVIEW_CORVUS_CONFIG_DIR": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "optimize",
                           str(source), "--provider", "local", "--gguf",
                           str(tmp_path / "models" / name), "--json"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr and name in done.stderr
    assert "Traceback" not in done.stderr
