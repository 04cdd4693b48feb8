"""Trustworthy runs, item 3: model output is untrusted; any valid JSON is answered.

A lone surrogate — as a JSON escape or as a character an SDK decoded — used to
cut SSE streams, turn /optimize into a bare 500, crash the CLI and the history
save. Every output path is exercised, over a real socket where it is HTTP.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from apitools import ANSWER, make_hub, parse_sse, payloads

from interview_corvus.api.server import EmbeddedServer
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.runs.history import HistoryStore

CODE = "def f(xs):\n    return sum(xs)\n"
HOSTILE = {**ANSWER, "optimized_code": "x = '\ud83d' + '\udc00'\n",
           "improvements": ["lone \ud83d", "fine 😀"], "explanation": "tail \ud83d"}


class TextProvider(Provider):
    """Streams exactly ``text`` in chunks (whatever it holds)."""

    name = "text"

    def __init__(self, text: str, chunk: int = 5) -> None:
        super().__init__("text-model")
        self.text, self.chunk = text, chunk

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        for i in range(0, len(self.text), self.chunk):
            yield self.text[i : i + self.chunk]
        info.finish_reason = "stop"


VARIANTS = {
    "escapes": json.dumps(HOSTILE),  # "\ud83d" as six ASCII characters
    "characters": json.dumps(HOSTILE, ensure_ascii=False),  # decoded by an SDK
}


@pytest.fixture(params=sorted(VARIANTS))
def served(request, tmp_path):
    history = HistoryStore(tmp_path / "h.sqlite3")
    hub = make_hub(TextProvider(VARIANTS[request.param]), history)
    with EmbeddedServer(hub, port=0) as server:
        yield server, history


def test_every_http_path_answers(served):
    server, history = served
    with httpx.Client(base_url=server.url, timeout=20) as client:
        blocking = client.post("/optimize", json={"code": CODE, "language": "python"})
        assert blocking.status_code == 200, blocking.text
        answer = blocking.json()
        assert answer["optimized_code"] == "x = '\ufffd' + '\ufffd'\n"
        assert answer["improvements"][1] == "fine 😀"
        for delta in ("0", "1"):
            stream = client.post(f"/optimize-stream?delta={delta}",
                                 json={"code": CODE, "language": "python"})
            events = payloads(parse_sse(stream.content))
            assert events[-1]["type"] == "done", events[-1]
            run_id = events[-1]["run_id"]
            assert client.get(f"/runs/{run_id}").status_code == 200
            replay = payloads(parse_sse(client.get(f"/runs/{run_id}/events").content))
            assert replay[-1]["type"] == "done"
    entry = history.get(run_id)
    assert entry.status == "done" and "\ufffd" in entry.result["optimized_code"]


def test_input_with_a_lone_surrogate_is_refused_by_name(served):
    server, _ = served
    with httpx.Client(base_url=server.url, timeout=20) as client:
        body = '{"code": "x = \\"\\ud800\\"\\n", "language": "python"}'
        answer = client.post("/optimize-stream", content=body,
                             headers={"content-type": "application/json"})
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"][0]["field"] == "code"


def test_service_input_with_a_lone_surrogate_is_cleaned():
    from interview_corvus.core.config.settings import Settings
    from interview_corvus.core.runs.service import LLMService

    service = LLMService(Settings(), TextProvider(VARIANTS["escapes"]))
    result = service.get_code_optimization("x = '\ud800'\n", "python")
    assert result.original_code == "x = '\ufffd'\n"


def test_invalid_json_is_a_typed_error_not_a_500(tmp_path):
    hub = make_hub(TextProvider('{"optimized_code": "a", }}}'))
    with EmbeddedServer(hub, port=0) as server, httpx.Client(base_url=server.url) as client:
        blocking = client.post("/optimize", json={"code": CODE, "language": "python"})
        assert blocking.status_code != 500 and blocking.json()["error"]["code"] == "invalid"
        events = payloads(parse_sse(client.post(
            "/optimize-stream", json={"code": CODE, "language": "python"}).content))
        assert events[-1]["type"] == "error" and events[-1]["error"]["code"] == "invalid"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_cli_prints_it_without_a_traceback(tmp_path, variant, json_flag):
    transcript = tmp_path / "t.jsonl"
    text = VARIANTS[variant]
    transcript.write_text("".join(json.dumps({"delta": text[i : i + 7]}) + "\n"
                                  for i in range(0, len(text), 7)))
    source = tmp_path / "f.py"
    source.write_text(CODE)
    env = {"PATH": "/usr/bin:/bin", "INTERVIEW_CORVUS_DATA_DIR": str(tmp_path / "d"),
           "INTERVIEW_CORVUS_CONFIG_DIR": str(tmp_path / "c")}
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "optimize",
                           str(source), "--replay", str(transcript), "--provider", "replay",
                           *json_flag], capture_output=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-1500:]
    assert b"Traceback" not in done.stderr
    assert "\ufffd".encode() in done.stdout
