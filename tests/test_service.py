"""LLMService over the replay and fake providers: the contract of a run."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from pathlib import Path

import pytest
from fakes import OPTIMIZATION, FakeProvider

from interview_corvus.core.answers.models import CodeOptimization, CodeSolution
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import (
    AnswerIncomplete,
    AnswerInvalid,
    AuthError,
    BadRequest,
    Cancelled,
    RateLimited,
    Unavailable,
)
from interview_corvus.core.providers.replay import ReplayProvider, load_transcript
from interview_corvus.core.runs.service import CancelToken, LLMService

CODE = "def f(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"


def service(provider, **llm) -> LLMService:
    return LLMService(Settings(llm={"provider": "replay", **llm}), provider, backoff_base=0.001)


def replay(lines, **kw) -> ReplayProvider:
    return ReplayProvider(lines, **kw)


def answer_lines(answer=OPTIMIZATION, chunk=3):
    text = json.dumps(answer)
    return [{"delta": text[i : i + chunk]} for i in range(0, len(text), chunk)]


def test_partials_grow_and_progress_is_monotonic(demo_optimization):
    provider = replay(demo_optimization, speed=1000)
    partials = list(service(provider).get_code_optimization_stream(CODE, "python"))
    assert len(partials) >= 10
    *middle, last = partials
    assert all(not p.is_complete for p in middle) and last.is_complete
    progress = [p.progress for p in partials]
    assert progress == sorted(progress)
    assert all(p < 1.0 for p in progress[:-1]) and progress[-1] == 1.0
    for earlier, later in itertools.pairwise(partials):
        assert later.optimized_code.startswith(earlier.optimized_code)
        assert later.explanation.startswith(earlier.explanation)
        assert later.improvements[: len(earlier.improvements) - 1] == earlier.improvements[:-1]
    assert last.original_code == CODE and last.language == "python"
    assert "seen" in last.optimized_code


@pytest.mark.parametrize("fixture", ["demo_optimization", "demo_solution"])
def test_progress_is_honest_at_half_the_characters(fixture, request):
    path = request.getfixturevalue(fixture)
    lines = load_transcript(path)
    total = sum(len(line.get("delta", "")) for line in lines)
    svc = service(replay(lines, speed=1000))
    if fixture == "demo_optimization":
        job = svc.optimization_job(Path("examples/two_sum.py").read_text(), "python")
    else:
        job = svc.solution_job(Path("examples/problem.txt").read_text(), "python")
    run = svc.open_run(job)
    at_half = None
    for update in run.updates():
        if at_half is None and run.assembler.parser._pos * 2 >= total:
            at_half = update.progress
    assert at_half is not None and 0.3 <= at_half <= 0.7, at_half


def test_streaming_off_yields_one_complete_object():
    provider = replay(answer_lines())
    svc = service(provider, streaming=False)
    results = list(svc.get_code_optimization_stream(CODE, "python"))
    assert len(results) == 1 and results[0].is_complete and results[0].progress == 1.0


def test_provider_without_streaming_uses_one_call():
    provider = FakeProvider(streaming=False)
    provider.complete_text = json.dumps(OPTIMIZATION)
    results = list(service(provider).get_code_optimization_stream(CODE, "python"))
    assert len(results) == 1 and results[0].is_complete
    assert len(provider.requests) == 1


@pytest.mark.parametrize("kind", ["rate_limit", "server_error", "connection"])
def test_retry_before_first_delta_then_succeed(kind):
    provider = replay([{"raise": kind}, *answer_lines()])
    result = service(provider).get_code_optimization(CODE, "python")
    assert result.is_complete and provider.attempts == 2


def test_retries_spent_then_one_non_streaming_attempt():
    provider = FakeProvider()
    provider.enqueue(Unavailable("down"), Unavailable("down"), Unavailable("down"))
    provider.complete_text = json.dumps(OPTIMIZATION)
    svc = service(provider, max_retries=2)
    run = svc.open_run(svc.optimization_job(CODE, "python"))
    updates = list(run.updates())
    assert updates[-1].final and run.stats.fallback and run.stats.attempts == 4


def test_auth_error_is_not_retried():
    provider = replay([{"raise": "auth"}, *answer_lines()])
    with pytest.raises(AuthError):
        service(provider).get_code_optimization(CODE, "python")
    assert provider.attempts == 1


def test_rate_limit_honours_retry_after(monkeypatch):
    provider = FakeProvider()
    provider.enqueue(RateLimited("slow down", retry_after=0.2))
    provider.enqueue_json(OPTIMIZATION)
    svc = service(provider)
    waits = []
    token = CancelToken()
    monkeypatch.setattr(token, "wait", lambda s: waits.append(s) or False)
    svc.complete_job(svc.optimization_job(CODE, "python"), token)
    assert waits and waits[0] >= 0.2


def test_mid_stream_failure_keeps_partial_and_does_not_retry():
    lines = answer_lines()
    provider = replay([*lines[:15], {"raise": "server_error"}, *lines[15:]])
    seen = []
    with pytest.raises(Unavailable) as info:
        for partial in service(provider).get_code_optimization_stream(CODE, "python"):
            seen.append(partial)
    assert provider.attempts == 1
    assert isinstance(info.value.partial, CodeOptimization)
    assert info.value.partial.optimized_code
    assert info.value.raw == "".join(line["delta"] for line in lines[:15])


def test_cut_off_at_token_limit_is_incomplete():
    lines = [*answer_lines()[:20], {"finish_reason": "length"}]
    with pytest.raises(AnswerIncomplete, match="token limit") as info:
        service(replay(lines)).get_code_optimization(CODE, "python")
    assert info.value.partial.optimized_code
    assert info.value.code == "incomplete"


def test_stream_ending_early_is_incomplete():
    with pytest.raises(AnswerIncomplete, match="ended before"):
        service(replay(answer_lines()[:20])).get_code_optimization(CODE, "python")


def test_schema_violation_is_invalid():
    bad = {**OPTIMIZATION, "improvements": "not a list"}
    with pytest.raises(AnswerInvalid, match="improvements") as info:
        service(replay(answer_lines(bad))).get_code_optimization(CODE, "python")
    assert info.value.code == "invalid"


def test_missing_field_is_invalid():
    bad = {k: v for k, v in OPTIMIZATION.items() if k != "explanation"}
    with pytest.raises(AnswerInvalid, match="missing explanation"):
        service(replay(answer_lines(bad))).get_code_optimization(CODE, "python")


def test_broken_json_is_invalid_and_stops_the_provider():
    provider = FakeProvider().enqueue('{"optimized_code": "x"', " ]]]", "more")
    with pytest.raises(AnswerInvalid, match="not valid JSON"):
        service(provider).get_code_optimization(CODE, "python")
    assert provider.closed.is_set()


def test_closing_the_generator_closes_the_provider_stream():
    provider = FakeProvider().enqueue('{"optimized_code": "abc', "def", "ghi")
    stream = service(provider).get_code_optimization_stream(CODE, "python")
    first = next(stream)
    assert first.optimized_code.startswith("abc")
    stream.close()
    assert provider.closed.is_set()


def test_cancel_token_stops_the_provider_and_keeps_the_partial():
    provider = FakeProvider().enqueue('{"optimized_code": "abc')
    token = CancelToken()
    svc = service(provider)
    got = []
    first = threading.Event()

    def consume():
        try:
            for partial in svc.get_code_optimization_stream(CODE, "python", token):
                got.append(partial)
                first.set()
        except Cancelled as exc:
            got.append(exc)

    worker = threading.Thread(target=consume)
    worker.start()
    assert first.wait(5), "the first partial arrives"
    token.cancel()
    provider.enqueue("def")  # the next delta wakes the stream, which sees the flag
    worker.join(5)
    assert isinstance(got[-1], Cancelled)
    assert got[-1].partial.optimized_code.startswith("abc")
    assert provider.closed.is_set()


def test_bad_input_names_what_is_wrong():
    svc = service(FakeProvider())
    with pytest.raises(BadRequest, match="empty"):
        svc.optimization_job("   ", "python")
    with pytest.raises(BadRequest, match="valid languages: python"):
        svc.optimization_job(CODE, "cobol")


def test_images_need_a_vision_provider(tmp_path):
    image = tmp_path / "problem.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(BadRequest, match="cannot read images"):
        service(FakeProvider()).image_solution_job([image], "python")
    vision = FakeProvider(vision=True)
    job = service(vision).image_solution_job([image], "python")
    assert job.request.images == [image]
    with pytest.raises(BadRequest, match="not found"):
        service(vision).image_solution_job([tmp_path / "missing.png"], "python")


def test_solution_stream(demo_solution):
    partials = list(service(replay(demo_solution)).get_code_solution_stream(
        "count subarrays summing to k", "python"))
    assert isinstance(partials[-1], CodeSolution) and partials[-1].is_complete
    assert partials[-1].edge_cases and partials[-1].language == "python"


def test_async_twins(demo_optimization):
    svc = service(replay(demo_optimization, speed=1000))

    async def main():
        partials = [p async for p in svc.aget_code_optimization_stream(CODE, "python")]
        result = await service(replay(demo_optimization, speed=1000)).aget_code_optimization(
            CODE, "python")
        return partials, result

    partials, result = asyncio.run(main())
    assert partials[-1].is_complete and result.is_complete
    assert result.optimized_code == partials[-1].optimized_code


def test_async_early_exit_cancels_the_run():
    provider = FakeProvider().enqueue('{"optimized_code": "abc')
    svc = service(provider)

    async def main():
        stream = svc.aget_code_optimization_stream(CODE, "python")
        first = await anext(stream)
        provider.enqueue("more")  # wakes the worker so it can see the flag
        await stream.aclose()
        return first

    first = asyncio.run(main())
    assert first.optimized_code == "abc"
    assert provider.closed.wait(5)


def test_fake_provider_end_marker():
    provider = FakeProvider().enqueue_json(OPTIMIZATION)
    assert service(provider).get_code_optimization(CODE, "python").explanation
    # the stream ended at the marker (it was not closed early by the service)
    assert provider.finished.is_set() and not provider.closed.is_set()
    assert provider.items.empty()


def test_fast_partial_construction_matches_model_construct():
    from interview_corvus.core.stream.assembler import construct_partial

    values = {"optimized_code": "x", "improvements": ["a"], "progress": 0.5,
              "is_complete": False, "original_code": "y", "language": "go"}
    defaults = {n: f.get_default(call_default_factory=True)
                for n, f in CodeOptimization.model_fields.items()}
    fast = construct_partial(CodeOptimization, values, defaults)
    slow = CodeOptimization.model_construct(**values)
    assert fast == slow and fast.model_dump() == slow.model_dump()
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump_json() == slow.model_dump_json()
    other = construct_partial(CodeOptimization, {}, defaults)
    other.improvements.append("z")
    assert construct_partial(CodeOptimization, {}, defaults).improvements == []
