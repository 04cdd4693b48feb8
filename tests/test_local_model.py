"""The real bundled model (SmolLM2-135M via llama.cpp): streams, ends, cancels."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakes import run_real_model

from interview_corvus.core.errors import CorvusError
from interview_corvus.core.llm_service import LLMService
from interview_corvus.core.models import CodeOptimization
from interview_corvus.core.providers.local import LocalProvider, bundled_model_path, load_model
from interview_corvus.core.settings import Settings

pytestmark = pytest.mark.model
CODE = (Path(__file__).resolve().parent.parent / "examples" / "two_sum.py").read_text()


def local_service(**llm) -> LLMService:
    settings = Settings(llm={"provider": "local", "max_tokens": 600, **llm})
    return LLMService(settings)


def test_bundled_model_ships_in_the_package():
    path = bundled_model_path()
    assert path.is_file() and path.stat().st_size > 50_000_000
    assert LocalProvider().model == path.stem


def test_real_stream_gives_partials_and_ends_within_bounded_time():
    started = time.monotonic()
    partials, outcome = run_real_model(
        local_service().get_code_optimization_stream(CODE, "python"))
    elapsed = time.monotonic() - started
    assert elapsed < 180
    streamed = [p for p in partials if not p.is_complete]
    assert len(streamed) >= 2
    if isinstance(outcome, CodeOptimization):
        assert outcome.original_code == CODE
        CodeOptimization.model_validate(outcome.model_dump())
    progress = [p.progress for p in partials]
    assert progress == sorted(progress)


def test_closing_the_stream_stops_the_model_within_one_token():
    service = local_service()
    stream = service.get_code_optimization_stream(CODE, "python")
    for count, _partial in enumerate(stream):
        if count == 3:
            break
    llm = load_model(service.provider.path, service.provider.n_ctx)
    tokens_at_close = llm.n_tokens
    t0 = time.monotonic()
    stream.close()
    closed_in = time.monotonic() - t0
    time.sleep(0.3)
    assert llm.n_tokens - tokens_at_close <= 1
    assert closed_in < 1.0
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
