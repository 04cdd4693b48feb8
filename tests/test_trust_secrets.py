"""Trustworthy runs, item 1: secrets never leave through upstream error text.

An OpenAI-compatible upstream on loopback echoes the API key and the URL's
password in its 400 body; nothing of either may reach an HTTP response, an SSE
event, the run mirror, the history file or the log.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from apitools import parse_sse, payloads

from interview_corvus.api.server import EmbeddedServer
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.redact import MASK, redact, register_secret
from interview_corvus.core.runs.history import HistoryStore
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.service import LLMService

KEY = "corvus-private-key-7f3a9c21"  # not sk-shaped: found because it is known
PASSWORD = "hunter2-url-pass"
CODE = "def f(xs):\n    return sum(xs)\n"


def echoing_error(url: str) -> tuple:
    message = (f"Invalid API key {KEY} (also tried sk-proj-abcdefghijklmnop1234) "
               f"for http://admin:{PASSWORD}@{url.removeprefix('http://')}/v1")
    return ("status", 400, {"error": {"message": message, "type": "invalid_request_error"}}, {})


@pytest.fixture
def leaky(recorded, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    base = recorded.url.replace("http://", f"http://admin:{PASSWORD}@") + "/v1"
    settings = Settings(llm={"provider": "openai-compatible", "base_url": base,
                             "model": "m", "max_retries": 0})
    history = HistoryStore(tmp_path / "history.sqlite3")
    hub = RunHub(LLMService(settings, backoff_base=0.001), history)
    server = EmbeddedServer(hub, port=0).start()
    yield recorded, server, tmp_path / "history.sqlite3"
    server.stop()


def assert_clean(text: str) -> None:
    assert KEY not in text and PASSWORD not in text and "sk-proj-abcdefghijklmnop" not in text


def test_upstream_echo_is_redacted_everywhere_over_a_real_socket(leaky):
    upstream, server, db = leaky
    for _ in range(2):
        upstream.script.append(echoing_error(upstream.url))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        blocking = client.post("/optimize", json={"code": CODE, "language": "python"})
        assert blocking.status_code >= 400
        assert_clean(blocking.text)
        assert MASK in blocking.json()["error"]["message"]
        stream = client.post("/optimize-stream", json={"code": CODE, "language": "python"})
        assert_clean(stream.text)
        events = payloads(parse_sse(stream.content))
        assert events[-1]["type"] == "error"
        run_id = events[-1]["run_id"]
        assert_clean(client.get(f"/runs/{run_id}").text)
        assert_clean(client.get("/runs").text)
        assert_clean(client.get(f"/runs/{run_id}/events").text)
    raw = b"".join(p.read_bytes() for p in db.parent.glob("history.sqlite3*"))
    assert KEY.encode() not in raw and PASSWORD.encode() not in raw


def test_cli_log_and_output_are_redacted(recorded, tmp_path):
    for _ in range(2):
        recorded.script.append(echoing_error(recorded.url))
    source = tmp_path / "f.py"
    source.write_text(CODE)
    base = recorded.url.replace("http://", f"http://admin:{PASSWORD}@") + "/v1"
    env = {"OPENAI_API_KEY": KEY, "PATH": "/usr/bin:/bin",
           "INTERVIEW_CORVUS_CONFIG_DIR": str(tmp_path / "c"),
           "INTERVIEW_CORVUS_DATA_DIR": str(tmp_path / "d")}
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "-v", "optimize",
                           str(source), "--provider", "openai-compatible", "--base-url", base,
                           "--json"], capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode == 1, done.stderr
    assert_clean(done.stdout)
    assert_clean(done.stderr)
    assert "HTTP Request" in done.stderr or "INFO" in done.stderr  # the log was written
    assert json.loads(done.stdout.splitlines()[-1])["type"] == "error"


@pytest.mark.parametrize("text, leaked", [
    ("key sk-ant-api03-AbCdEfGhIjKlMnOp", "AbCdEfGhIjKlMnOp"),
    ("Authorization: Bearer abcdef123456789", "abcdef123456789"),
    ('{"api_key": "zz-custom-value-99"}', "zz-custom-value-99"),
    ("https://u:p4ssw0rd@example.org/v1", "p4ssw0rd"),
    ("token=abcdefgh12345", "abcdefgh12345"),
    ("gsk_ABCDEFGHIJKLMNOPQRSTUV", "ABCDEFGHIJKLMNOPQRSTUV"),
])
def test_key_shapes_are_masked(text, leaked):
    assert leaked not in redact(text)


def test_known_secrets_of_any_shape_are_masked():
    register_secret("plain-words-secret")
    assert redact("you sent plain-words-secret!") == f"you sent {MASK}!"
    assert redact("Optimize O(n log n) code") == "Optimize O(n log n) code"  # prose untouched


@pytest.mark.parametrize(("provider", "env"), [("openai", "OPENAI_API_KEY"),
                                               ("anthropic", "ANTHROPIC_API_KEY")])
def test_a_typed_key_is_tried_instead_of_the_stored_one_and_nothing_global_changes(
        recorded, memory_keyring, monkeypatch, provider, env):
    import os

    from interview_corvus.core.config.secrets import set_api_key
    from interview_corvus.core.providers import test_connection

    monkeypatch.delenv(env, raising=False)
    set_api_key(provider, "corvus-stored-old-key-1")
    models = {"object": "list", "data": [], "has_more": False, "first_id": None,
              "last_id": None}
    recorded.script += [("status", 200, models, {})] * 2
    settings = Settings(llm={"provider": provider, "base_url": recorded.url + "/v1",
                             "model": "m"})
    assert "Connected" in test_connection(settings, "corvus-typed-new-key-2")
    assert recorded.requests[0]["api_key"] == "corvus-typed-new-key-2"
    assert env not in os.environ  # tried for this call only, through no global state
    assert "Connected" in test_connection(settings)  # nothing typed: the stored key
    assert recorded.requests[1]["api_key"] == "corvus-stored-old-key-1"
    assert redact("echo corvus-typed-new-key-2") == f"echo {MASK}"  # known: never echoed
