"""What real upstreams do, replayed (``data/field_cases``, from public bug reports): an
answer that arrived whole is used; every early stop is named; a reasoning preamble is
skipped; a key written twice streams again."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fakes import OPTIMIZATION

from interview_corvus.core.answers.models import CodeOptimization
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import AnswerIncomplete, AnswerInvalid, AnswerRefused
from interview_corvus.core.providers.replay import ReplayProvider, load_transcript
from interview_corvus.core.runs.service import LLMService
from interview_corvus.core.stream.assembler import AnswerAssembler
from interview_corvus.core.stream.preamble import ReasoningFilter

CASES = Path(__file__).parent / "data" / "field_cases"
CODE = "def f(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"
ANSWER = json.dumps(OPTIMIZATION)


def service(provider: ReplayProvider, **llm) -> LLMService:
    return LLMService(Settings(llm={"provider": "replay", "self_repair": False, **llm}),
                      provider, backoff_base=0.001)


def run(lines: list[dict], **llm):
    provider = ReplayProvider(lines, speed=1000)
    return service(provider, **llm).get_code_optimization(CODE, "python"), provider


def test_an_answer_that_closed_is_whole_even_if_the_server_then_says_length():
    result, provider = run(load_transcript(CASES / "replay_complete_then_length.jsonl"))
    assert result.is_complete and result.explanation.startswith("sum()")
    assert provider.attempts == 1  # not re-asked


def test_reading_stops_at_the_first_text_after_the_object_closed():
    """Padding after the answer is not waited for: the stream is closed at its first
    delta (what comes without text, such as the usage, is still read)."""
    lines = [{"delta": ANSWER}, *({"delta": " ", "delay_ms": 100} for _ in range(50)),
             {"finish_reason": "length"}]
    provider = ReplayProvider(lines, speed=1)
    started = time.monotonic()
    result = service(provider).get_code_optimization(CODE, "python")
    assert result.is_complete and time.monotonic() - started < 2
    assert provider.delivered == 2 and provider.closed_streams == 1


def test_a_think_preamble_with_braces_is_skipped():
    result, _ = run(load_transcript(CASES / "replay_think_preamble.jsonl"))
    assert result.is_complete and result.optimized_code.startswith("def f")


@pytest.mark.parametrize("preamble", [
    "<think>the input is {x: 1}, so {</think>",
    "<THINKING>{\"a\": 1}</THINKING>\n",
    "Sure! Here is {the answer}: ",  # no tags: the failed candidate is given up
    '{"note": "not it"} then ',  # a closed object without the answer's fields
])
@pytest.mark.parametrize("size", [1, 3, 1000])
def test_preambles_split_anywhere_leave_the_answer(preamble, size):
    text = preamble + ANSWER
    result, _ = run([{"delta": text[i:i + size]} for i in range(0, len(text), size)])
    assert result.optimized_code == OPTIMIZATION["optimized_code"]


def test_an_answer_that_never_starts_names_the_json_error_not_missing_fields():
    with pytest.raises(AnswerInvalid, match="not valid JSON") as info:
        run([{"delta": "{optimized_code: 1}"}])
    assert "missing" not in info.value.message


def test_reasoning_filter_holds_a_split_tag():
    reasoning = ReasoningFilter()
    out = [reasoning.feed(piece) for piece in ["a <th", "ink>x {y}</thi", "nk>b", " <", "c"]]
    assert "".join(out) + reasoning.flush() == "a b <c"


@pytest.mark.parametrize(("reason", "error", "says", "reason_code"), [
    ("content_filter", AnswerRefused, "content filter", "filter"),
    ("SAFETY", AnswerRefused, "content filter", "filter"),
    ("refusal", AnswerRefused, "refused", "refusal"),
    ("model_context_window_exceeded", AnswerIncomplete, "context window", "context"),
    ("pause_turn", AnswerIncomplete, "paused", "paused"),
    ("length", AnswerIncomplete, "token limit", "length"),
    ("something_new", AnswerIncomplete, "stop reason: something_new", "truncated"),
])
def test_every_stop_reason_is_named_and_a_refusal_is_not_re_asked(reason, error, says,
                                                                   reason_code):
    lines = [{"delta": ANSWER[:60]}, {"finish_reason": reason}]
    provider = ReplayProvider(lines, speed=1000)
    with pytest.raises(error, match=says) as info:
        service(provider, self_repair=True).get_code_optimization(CODE, "python")
    assert info.value.reason == reason_code
    assert info.value.partial is not None and info.value.partial.optimized_code
    if error is AnswerRefused or reason_code in ("context", "paused"):
        assert provider.attempts == 1  # a re-ask cannot help


def test_a_key_written_twice_streams_again():
    assembler = AnswerAssembler(CodeOptimization, {}, {})
    states = []
    for line in load_transcript(CASES / "replay_duplicate_key.jsonl"):
        text = line["delta"]
        for i in range(len(text)):
            patches, _ = assembler.feed(text[i])
            for _op, path, value in patches:
                if path == ("fields", "optimized_time_complexity"):
                    states.append(value)
        if text.endswith('"O('):  # the key written again, its value half-way
            assert assembler.states["optimized_time_complexity"] == "streaming"
    assert states == ["streaming", "done", "streaming", "done"]
    assert assembler.finish("stop").optimized_time_complexity == "O(log n)"
