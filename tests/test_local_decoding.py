"""How the local model keeps to JSON: sampled first and checked against the grammar, with
the code in a fence (catalog coder models), free decoding after a prefilled start, or the
schema grammar filtering every token; the answer ends when its object closes; the shared
prompt prefix is evaluated once per model process. Runs the real bundled model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview_corvus.core.answers.models import MODELS, CodeOptimization
from interview_corvus.core.catalog import entries
from interview_corvus.core.config.settings import Settings
from interview_corvus.core.providers.base import StreamInfo
from interview_corvus.core.providers.local import (
    LocalProvider,
    model_process,
    prefill,
    stop_processes,
)
from interview_corvus.core.providers.local_worker import ObjectEnd
from interview_corvus.core.runs.service import LLMService

CODE_PATH = Path(__file__).resolve().parent.parent / "examples" / "two_sum.py"
CODE = CODE_PATH.read_text()


@pytest.mark.parametrize(("pieces", "where"), [
    (['{"a": "x}"', ', "b": [1, {"c": "]"}]', "}\n```"], (2, 0)),
    (['{"a": "say \\"}\\" ok"}'], (0, 20)),
    (['{"a": "\\\\"}', " trailing"], (0, 10)),
    (["prose {", '"a": 1}'], (1, 6)),
    (['{"a": "', "still open"], None),
])
def test_object_end_finds_where_the_top_level_object_closes(pieces, where):
    closer = ObjectEnd()
    found = None
    for index, piece in enumerate(pieces):
        end = closer.feed(piece)
        if end >= 0:
            found = (index, end)
            break
    assert found == where


def test_prefill_opens_the_object_at_the_schema_first_field():
    schema = CodeOptimization.answer_schema()
    first = next(iter(schema["properties"]))
    assert prefill(schema) == '{"' + first + '": "'
    assert prefill({"properties": {"items": {"type": "array"}}}) == '{"items": '
    assert prefill({}) == "{"


def test_auto_decoding_resamples_for_catalog_coder_models_only(tmp_path):
    assert LocalProvider().decoding == "grammar"  # the fallback
    assert LocalProvider(catalog_name="smollm2-135m", decoding="free").decoding == "free"
    assert LocalProvider(tmp_path / "any.gguf").decoding == "grammar"
    coder = LocalProvider(catalog_name=entries.CODER_15B.name)  # not installed here
    assert coder.decoding == "resample" and coder.model == entries.CODER_15B.title
    assert coder.describe() == entries.CODER_15B.describe()


def test_the_code_is_fenced_only_when_resampling_and_the_schema_starts_with_it(tmp_path):
    resample = LocalProvider(tmp_path / "any.gguf", decoding="resample")
    schemas = {kind: MODELS[kind].answer_schema() for kind in MODELS}
    assert resample.code_fence("optimization", schemas["optimization"]) == "optimized_code"
    assert resample.code_fence("solution", schemas["solution"]) == "code"
    assert resample.code_fence("mcq", schemas["mcq"]) == ""  # its first field is no code
    later = {"properties": {"explanation": {}, "optimized_code": {}}}
    assert resample.code_fence("optimization", later) == ""
    for decoding in ("grammar", "free"):
        provider = LocalProvider(tmp_path / "any.gguf", decoding=decoding)
        assert provider.code_fence("optimization", schemas["optimization"]) == ""


@pytest.mark.model
@pytest.mark.timeout(240)
def test_free_decoding_streams_the_prefill_first_and_reuses_the_prompt_prefix():
    service = LLMService(Settings(llm={"provider": "local", "max_tokens": 48,
                                       "temperature": 0.0, "local_decoding": "free"}))
    provider = service.provider
    stop_processes()  # a fresh model process: the first run evaluates the whole prompt
    process = model_process(provider.path, provider.n_ctx)
    reports = []
    for code in (CODE, CODE.replace("two_sum", "pair_sum")):
        request = service.optimization_job(code, "python").request
        info = StreamInfo()
        deltas = list(provider.stream(request, info))
        assert deltas[0] == prefill(request.schema)
        assert info.usage["output_tokens"] == len(deltas) - 1
        reports.append(process.last_end)
    cold, warm = reports
    assert cold["prompt_tokens"] > 200  # system prompt, task, fields, code
    # the second run shares the system prompt and the task: only the input is evaluated
    assert 0 < warm["prompt_tokens"] < cold["prompt_tokens"] / 2
    assert warm["first_token_s"] < cold["first_token_s"]
    assert warm["tokens_per_s"] > 0


@pytest.mark.model
@pytest.mark.timeout(240)
def test_grammar_decoding_still_answers_in_json():
    service = LLMService(Settings(llm={"provider": "local", "max_tokens": 200,
                                       "temperature": 0.0, "local_decoding": "grammar"}))
    provider = service.provider
    request = service.optimization_job(CODE, "python").request
    text = "".join(provider.stream(request, StreamInfo()))
    assert text.lstrip().startswith("{")


@pytest.mark.model
@pytest.mark.timeout(240)
def test_resampling_keeps_even_the_demo_model_to_the_fenced_layout():
    """The grammar check makes any model's answer parse: code fenced, the rest JSON."""
    service = LLMService(Settings(llm={"provider": "local", "max_tokens": 300,
                                       "temperature": 0.0, "local_decoding": "resample"}))
    provider = service.provider
    job = service.optimization_job(CODE, "python")
    assert "Markdown code fence" in job.request.system
    assert "optimized_code" not in job.request.prompt.split("Answer layout:")[1].split("\n", 1)[1]
    info = StreamInfo()
    text = "".join(provider.stream(job.request, info))
    assert text.startswith('{"optimized_code": "')
    end = model_process(provider.path, provider.n_ctx).last_end
    assert end["grammar_checked"] >= end["output_tokens"] > 0
    if info.finish_reason == "stop":  # the object closed within the token limit
        answer = json.loads(text)
        assert next(iter(answer)) == "optimized_code" and set(answer) == set(
            CodeOptimization.answer_schema()["properties"])
