"""Field cases of real upstreams (``data/field_cases/openai_*.json``), served on loopback
and read through the real SDKs: every one ends in the answer or a named error."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from fakes import OPTIMIZATION
from servers import play_field_case
from test_anthropic import TRANSCRIPT, anthropic_service, cut_mid_answer
from test_openai_errors import openai_service

from interview_corvus.core.errors import AnswerInvalid, AnswerRefused, Unavailable

CASES = Path(__file__).parent / "data" / "field_cases"
CODE = "def f(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"


def chunk(**fields) -> str:
    return "data: " + json.dumps({"id": "c1", "object": "chat.completion.chunk",
                                  "created": 1, "model": "m", **fields}) + "\n\n"


def answer_chunks() -> str:
    text = json.dumps(OPTIMIZATION)
    return "".join(chunk(choices=[{"index": 0, "delta": {"content": text[i:i + 40]}}])
                   for i in range(0, len(text), 40))


@pytest.mark.parametrize("streaming", [True, False])
def test_null_choices_and_content_blocks_give_the_answer(recorded, monkeypatch, streaming):
    for name in ("openai_choices_null.json", "openai_content_blocks.json"):
        recorded.script.clear()
        if streaming:
            play_field_case(recorded, CASES / name)
        else:  # the same shapes in a blocking answer
            content = json.dumps(OPTIMIZATION)
            if name == "openai_content_blocks.json":
                content = [{"type": "thinking", "thinking": "hmm {"},
                           {"type": "text", "text": content}]
            body = {"id": "c1", "object": "chat.completion", "created": 1, "model": "m",
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {
                        "role": "assistant", "content": content}}]}
            recorded.script.append(("status", 200, body, {}))
        service = openai_service(recorded.url, monkeypatch, streaming=streaming,
                                 max_retries=0)
        result = service.get_code_optimization(CODE, "python")
        assert result.explanation == "sum() runs in C and is clearer.", name


@pytest.mark.parametrize("shape", [
    {},  # no choices key at all
    {"choices": []},  # keep-alive
    {"choices": None, "usage": {"prompt_tokens": 3, "completion_tokens": 4,
                                "total_tokens": 7}},
    {"choices": [{"index": 0, "delta": None}]},
    {"choices": [{"index": 0, "delta": {"content": None, "reasoning_content": "{x"}}]},
])
def test_every_chunk_shape_servers_send_is_skipped(recorded, monkeypatch, shape):
    raw = chunk(**shape) + answer_chunks() + chunk(**shape) + chunk(
        choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]) + "data: [DONE]\n\n"
    recorded.script.append(("case", {"kind": "sse", "raw": raw}))
    result = openai_service(recorded.url, monkeypatch).get_code_optimization(CODE, "python")
    assert result.is_complete


def test_an_unreadable_chunk_is_a_named_invalid_error(recorded, monkeypatch):
    raw = chunk(choices=[{"index": 0, "delta": {"content": 42}}]) + "data: [DONE]\n\n"
    recorded.script.append(("case", {"kind": "sse", "raw": raw}))
    with pytest.raises(AnswerInvalid, match=r"cannot read .*content is a int.*42"):
        openai_service(recorded.url, monkeypatch).get_code_optimization(CODE, "python")


def test_a_content_filter_is_named_and_not_re_asked(recorded, monkeypatch):
    play_field_case(recorded, CASES / "openai_content_filter.json")
    service = openai_service(recorded.url, monkeypatch, self_repair=True)
    with pytest.raises(AnswerRefused, match="content filter") as info:
        service.get_code_optimization(CODE, "python")
    assert info.value.partial.optimized_code.startswith("def f")
    assert len(recorded.requests) == 1


def test_a_server_refusing_stream_options_is_asked_again_without_it(recorded, monkeypatch):
    responses = json.loads((CASES / "openai_stream_options_400.json").read_text())
    refusal = responses["responses"][0]
    good = {"kind": "sse", "raw": answer_chunks() + "data: [DONE]\n\n"}
    recorded.script.extend([("case", refusal), ("case", good), ("case", good)])
    service = openai_service(recorded.url, monkeypatch)
    for _ in range(2):  # the second run remembers: one request, no refusal
        assert service.get_code_optimization(CODE, "python").is_complete
    bodies = [r["body"] for r in recorded.requests]
    assert len(bodies) == 3 and "stream_options" in bodies[0]
    assert all("stream_options" not in b for b in bodies[1:])
    assert all(b["response_format"]["type"] == "json_schema" for b in bodies)  # kept


def test_a_connection_dropped_mid_answer_is_named_and_the_partial_kept(recorded, monkeypatch,
                                                                       caplog):
    play_field_case(recorded, CASES / "openai_midstream_drop.json")
    with caplog.at_level(logging.DEBUG), pytest.raises(Unavailable) as info:
        openai_service(recorded.url, monkeypatch).get_code_optimization(CODE, "python")
    assert "lost while the answer streamed" in info.value.message
    assert "Is the server running" not in info.value.message
    assert info.value.partial.optimized_code.startswith("def f")
    assert "Traceback" not in caplog.text


def test_anthropic_connection_dropped_mid_answer_is_named(recorded, caplog):
    events = TRANSCRIPT.split("\n\n")
    half = "\n\n".join(events[:len(events) // 2]) + "\n\n"
    recorded.script.append(("case", {"kind": "sse", "raw": half, "abort": True}))
    with caplog.at_level(logging.DEBUG), pytest.raises(Unavailable) as info:
        anthropic_service(recorded.url).get_code_optimization(CODE, "python")
    assert "lost while the answer streamed" in info.value.message
    assert info.value.partial is not None
    assert "Traceback" not in caplog.text


def test_anthropic_stalled_read_is_named(recorded):
    events = [e for e in TRANSCRIPT.split("\n\n") if e.strip()]
    first_json = next(i for i, e in enumerate(events) if "input_json_delta" in e)
    # a few deltas of the answer arrive, then the server stalls longer than the timeout
    sent = "\n\n".join(events[:first_json + 3]) + "\n\n"
    recorded.script.append(("case", {"kind": "sse", "raw": sent, "stall": 3}))
    with pytest.raises(Unavailable, match="lost while the answer streamed") as info:
        anthropic_service(recorded.url, timeout=1.0).get_code_optimization(CODE, "python")
    assert info.value.partial is not None and len(recorded.requests) == 1


@pytest.mark.parametrize("reason", ["refusal", "model_context_window_exceeded", "pause_turn"])
def test_anthropic_stop_reasons_are_named(recorded, reason):
    cut = cut_mid_answer()
    cut += ('event: message_delta\ndata: {"type": "message_delta", "delta": {"stop_reason": '
            f'"{reason}"}}, "usage": {{"output_tokens": 50}}}}\n\n'
            'event: message_stop\ndata: {"type": "message_stop"}\n\n')
    recorded.script.append(("sse", cut, 0))
    with pytest.raises(Exception) as info:
        anthropic_service(recorded.url).get_code_optimization(CODE, "python")
    expected = {"refusal": "refused", "model_context_window_exceeded": "context window",
                "pause_turn": "paused"}[reason]
    assert expected in info.value.message and "ended before" not in info.value.message


def test_sse_payloads_have_no_raw_line_separators_for_line_readers():
    """U+2028 in an answer: httpx's iter_lines (which splits on it) still reads every
    event whole, over a real socket."""
    from apitools import make_hub

    from interview_corvus.api.server import EmbeddedServer
    from interview_corvus.core.providers.replay import ReplayProvider, load_transcript

    lines = load_transcript(CASES / "replay_line_separator.jsonl")
    hub = make_hub(ReplayProvider(lines, speed=1000))
    events = []
    body = {"code": CODE, "language": "python"}
    with EmbeddedServer(hub, port=0) as server, httpx.Client(base_url=server.url) as client, \
            client.stream("POST", "/optimize-stream", json=body) as response:
        for line in response.iter_lines():
            assert "\u2028" not in line and "\u2029" not in line and "\x85" not in line
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
    assert events[-1]["type"] == "done"
    assert events[-1]["data"]["explanation"] == "a\u2028b"


def test_json_lines_output_escapes_line_separators():
    from interview_corvus.core.stream.wire import line_json

    text = line_json({"a": "x\u2028y\u2029z\x85é"})
    assert len(text.splitlines()) == 1 and "é" in text
    assert json.loads(text) == {"a": "x\u2028y\u2029z\x85é"}


@pytest.mark.parametrize("path", ["/optimize", "/solve", "/mcq"])
def test_an_abandoned_blocking_request_cancels_its_run(path):
    """A client that leaves POST /optimize frees the model like an abandoned stream."""
    from apitools import ScriptedProvider, make_hub

    from interview_corvus.api.server import EmbeddedServer

    provider = ScriptedProvider(OPTIMIZATION, delay=0.05, chunk=2)  # ~10 s to finish
    hub = make_hub(provider, orphan_grace=0.3)
    body = {"/optimize": {"code": CODE}, "/solve": {"problem": "add two numbers"},
            "/mcq": {"question": "Which is O(1)? A) x B) y"}}[path]
    with EmbeddedServer(hub, port=0) as server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(server.url + path, json={**body, "language": "python"}, timeout=0.5)
        assert provider.closed_event.wait(5), "the provider's stream was not closed"
        (run,) = hub.runs()
        assert run.finished.wait(5)
    assert provider.closed_early == 1 and run.status == "cancelled"


def test_a_server_silent_after_the_whole_answer_is_not_waited_for(recorded, monkeypatch):
    """The answer's object has closed and validates, then the server sends nothing (no
    finish chunk, no [DONE], the connection open): the run is done within the short grace
    for a usage chunk, not when the server or the read timeout gives up."""
    import time

    from interview_corvus.core.runs import attempt

    recorded.script.append(("case", {"kind": "sse", "raw": answer_chunks(), "stall": 20}))
    service = openai_service(recorded.url, monkeypatch, max_retries=0)
    started = time.monotonic()
    result = service.get_code_optimization(CODE, "python")
    took = time.monotonic() - started
    assert result.explanation == OPTIMIZATION["explanation"]
    assert took < attempt.CLOSE_GRACE_S + 4, took


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_cancel_ends_a_stream_stalled_mid_answer_at_once(recorded, monkeypatch, provider):
    """The server sent part of the answer and went silent: a cancel from another thread
    ends the blocked read at once (its socket is shut down; closing alone left the read
    waiting for the server's next byte)."""
    import threading
    import time

    from interview_corvus.core.errors import Cancelled

    if provider == "openai":
        text = answer_chunks()
        sent = text[:len(text) // 2].rsplit("\n\n", 1)[0] + "\n\n"
        service = openai_service(recorded.url, monkeypatch, max_retries=0)
    else:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        sent = cut_mid_answer()
        service = anthropic_service(recorded.url, max_retries=0)
    recorded.script.append(("case", {"kind": "sse", "raw": sent, "stall": 20}))
    run = service.open_run(service.optimization_job(CODE, "python"))
    updates = run.updates()
    next(updates)  # part of the answer has come; the server is silent from here
    cancelled_at = time.monotonic()
    threading.Timer(0.2, run.cancel.cancel).start()
    with pytest.raises(Cancelled):
        for _ in updates:
            pass
    assert time.monotonic() - cancelled_at < 1.5  # not the server's 20 s of silence
