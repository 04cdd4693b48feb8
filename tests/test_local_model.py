"""The real bundled model (SmolLM2-135M via llama.cpp): streams, ends, cancels."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fakes import run_real_model

from interview_corvus.core.answers.models import CodeOptimization, CodeSolution
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.errors import BadRequest, CorvusError
from interview_corvus.core.providers.local import (
    MAX_GRAMMAR_LENGTH,
    LocalProvider,
    ModelCrashed,
    bundled_model_path,
    model_process,
)
from interview_corvus.core.runs.service import LLMService

pytestmark = pytest.mark.model
CODE = (Path(__file__).resolve().parent.parent / "examples" / "two_sum.py").read_text()


def local_service(**llm) -> LLMService:
    settings = Settings(llm={"provider": "local", "max_tokens": 600, **llm})
    return LLMService(settings)


def test_bundled_model_ships_in_the_package():
    path = bundled_model_path()
    assert path.is_file() and path.stat().st_size > 50_000_000
    provider = LocalProvider()  # no coder model in the test environment: the fallback
    assert provider.model == "SmolLM2-135M-Instruct" and provider.path == path
    assert provider.decoding == "grammar" and not provider.needs_preparing
    assert provider.describe().startswith("SmolLM2-135M-Instruct (135M, Q4_1")


@pytest.mark.timeout(180)
def test_real_stream_gives_partials_and_ends_within_bounded_time():
    partials, outcome = run_real_model(
        local_service().get_code_optimization_stream(CODE, "python"))
    streamed = [p for p in partials if not p.is_complete]
    assert len(streamed) >= 2
    if isinstance(outcome, CodeOptimization):
        assert outcome.original_code == CODE
        CodeOptimization.model_validate(outcome.model_dump())
    progress = [p.progress for p in partials]
    assert progress == sorted(progress)


def test_closing_the_stream_stops_the_model_within_one_token():
    service = local_service()
    run = service.open_run(service.optimization_job(CODE, "python"))
    updates = run.updates()
    for count, _update in enumerate(updates):
        if count == 3:
            break
    closing = threading.Thread(target=updates.close)
    closing.start()
    closing.join(5)
    assert not closing.is_alive(), "closing the stream returns (it does not wait for the end)"
    # the child measured the tokens it evaluated after it saw the cancel
    process = model_process(service.provider.path, service.provider.n_ctx)
    assert process.alive
    assert process.last_end["cancelled"] is True
    assert process.last_end["after_cancel"] <= 1
    # the model is free again: a new generation starts at once
    again = local_service().get_code_optimization_stream(CODE, "python")
    assert next(again).original_code == CODE
    again.close()


def test_non_streaming_call_returns_one_result_or_typed_error():
    results, _ = run_real_model(
        local_service(streaming=False).get_code_optimization_stream(CODE, "python"))
    assert len(results) <= 1


def test_missing_gguf_is_a_clear_error(tmp_path):
    service = LLMService(Settings(llm={"provider": "local",
                                       "gguf_path": str(tmp_path / "none.gguf")}))
    with pytest.raises(CorvusError, match="GGUF model file not found"):
        service.get_code_optimization(CODE, "python")


def code_of_size(size: int) -> str:
    """Ordinary Python of about ``size`` characters: many small functions."""
    parts: list[str] = []
    index = 0
    while sum(map(len, parts)) < size:
        parts.append(
            f"def pair_sum_{index}(numbers, target):\n"
            f"    # brute force: try every pair ({index})\n"
            "    for i in range(len(numbers)):\n"
            "        for j in range(i + 1, len(numbers)):\n"
            "            if numbers[i] + numbers[j] == target:\n"
            "                return [i, j]\n"
            "    return []\n\n")
        index += 1
    return "".join(parts)[:size]


@pytest.mark.parametrize("size", [500, 2000, 8000, 16000])
def test_schema_keeps_the_grammar_small_for_any_input(size):
    provider = LocalProvider()
    for kind, model in (("optimization", CodeOptimization), ("solution", CodeSolution)):
        schema = model.answer_schema(provider.schema_limits(kind, size))
        lengths = [prop.get("maxLength", 0) for prop in schema["properties"].values()]
        lengths += [prop.get("items", {}).get("maxLength", 0)
                    for prop in schema["properties"].values()]
        assert max(lengths) <= MAX_GRAMMAR_LENGTH


@pytest.mark.parametrize("size", [510, 2000, 8000, 16000])
def test_inputs_of_every_size_end_in_an_answer_or_a_clear_error(size):
    code = code_of_size(size)
    service = local_service()
    _, outcome = run_real_model(service.get_code_optimization_stream(code, "python"),
                                also=("bad_request",))
    if isinstance(outcome, BadRequest):  # too long for the context window: said plainly
        assert size >= 8000, outcome
        assert "too long for the local model" in outcome.message
        assert "context window holds 4096" in outcome.message
    if isinstance(outcome, CodeOptimization):
        assert outcome.original_code == code
    # the model process survived and serves the next request
    assert model_process(service.provider.path, service.provider.n_ctx).alive


def test_a_crash_of_the_model_process_is_a_typed_error_and_the_next_run_works():
    service = local_service()
    stream = service.get_code_optimization_stream(CODE, "python")
    partials = [next(stream) for _ in range(2)]
    process = model_process(service.provider.path, service.provider.n_ctx)
    os.kill(process.proc.pid, signal.SIGSEGV)
    with pytest.raises(ModelCrashed, match="crashed \\(signal SIGSEGV\\)") as caught:
        for partial in stream:
            partials.append(partial)
    assert caught.value.partial is not None  # what arrived is kept
    assert caught.value.partial.original_code == CODE
    again = local_service().get_code_optimization_stream(CODE, "python")
    assert next(again).original_code == CODE
    again.close()
    assert model_process(service.provider.path, service.provider.n_ctx) is not process


def test_cli_on_a_long_input_never_crashes(tmp_path):
    source = tmp_path / "long.py"
    source.write_text(code_of_size(2000))
    done = subprocess.run([sys.executable, "-m", "interview_corvus.cli", "optimize", str(source),
                           "--json", "--max-tokens", "300"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    last = json.loads(done.stdout.splitlines()[-1])
    assert last["type"] in ("done", "error")


def test_the_loop_detector_stops_repetition_only():
    from interview_corvus.core.providers.local_worker import is_runaway

    assert is_runaway('"a": "' + "la " * 300)
    assert is_runaway("x" * 600)
    varied = "".join(f"line {i}: value = compute({i} * {i})\n" for i in range(60))
    assert not is_runaway(varied)
    assert not is_runaway("abc" * 10)  # too short to judge
