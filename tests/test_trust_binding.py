"""Trustworthy runs, item 8: the server answers at the URL it prints; tokens stay out of ps."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from apitools import ANSWER, ScriptedProvider, make_hub

from interview_corvus.api.server import EmbeddedServer

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["127.0.0.2", "::1"])
def test_the_printed_url_is_answered(host):
    if host == "::1" and not ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    hub = make_hub(ScriptedProvider(ANSWER, delay=0))
    with EmbeddedServer(hub, host=host, port=0) as server:
        assert server.url == (f"http://[::1]:{server.port}" if host == "::1"
                              else f"http://127.0.0.2:{server.port}")
        httpx.URL(server.url)  # a valid URL
        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200


def serve(tmp_path, *args: str, env_extra: dict | None = None) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "INTERVIEW_CORVUS_DATA_DIR": str(tmp_path / "d"),
           "INTERVIEW_CORVUS_CONFIG_DIR": str(tmp_path / "c"), **(env_extra or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "interview_corvus.cli", "serve", "--port", "0", "--provider",
         "replay", "--replay", str(DEMO / "optimization.jsonl"), *args],
        stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()
    assert "serving on" in line, line + proc.stderr.read()
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, line.split("serving on ", 1)[1].split(" ", 1)[0]


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(10)


def test_lan_serve_answers_an_allowed_host_name(tmp_path):
    proc, url = serve(tmp_path, "--host", "0.0.0.0", "--allow-host", "corvus.lan",
                      env_extra={"INTERVIEW_CORVUS_SERVER_TOKEN": "lan-token-0123456789"})
    try:
        port = url.rsplit(":", 1)[1]
        named = httpx.get(f"http://127.0.0.1:{port}/runs",
                          headers={"Host": f"corvus.lan:{port}",
                                   "Authorization": "Bearer lan-token-0123456789"})
        assert named.status_code == 200
        other = httpx.get(f"http://127.0.0.1:{port}/health",
                          headers={"Host": f"evil.example:{port}"})
        assert other.status_code == 421
        assert httpx.get(f"{url}/runs").status_code == 401  # the env token is in force
    finally:
        stop(proc)


def test_the_token_can_come_from_a_file_and_stays_out_of_ps(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("file-token-abcdef123456\n")
    proc, url = serve(tmp_path, "--host", "0.0.0.0", "--token-file", str(token_file))
    try:
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert b"file-token" not in cmdline
        assert httpx.get(f"{url}/runs").status_code == 401
        ok = httpx.get(f"{url}/runs", headers={"Authorization": "Bearer file-token-abcdef123456"})
        assert ok.status_code == 200
        docs = httpx.get(f"{url}/docs?token=file-token-abcdef123456")
        assert docs.status_code == 200 and "file-token" not in docs.text
        schema = httpx.get(f"{url}/openapi.json")  # what /docs loads, without the token
        assert schema.status_code == 200 and "/optimize" in schema.json()["paths"]
    finally:
        stop(proc)


def test_an_unreadable_token_file_is_a_usage_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "serve",
                           "--token-file", str(tmp_path / "missing")],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "INTERVIEW_CORVUS_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2 and "cannot read the token file" in done.stderr
    assert "Traceback" not in done.stderr
