"""LLMService: structured answers from any provider, streamed as partial models.

The service owns everything that is the same for every backend: the prompt and
schema, retries before the first delta, the non-streaming fallback, progress,
cancellation, timing and final validation. Providers only yield text deltas.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from interview_corvus.core.answers import prompts
from interview_corvus.core.answers.models import (
    MODELS,
    CodeOptimization,
    CodeSolution,
    StreamedAnswer,
    normalize_language,
)
from interview_corvus.core.answers.verification import Verification
from interview_corvus.core.config.settings import Settings, load_settings
from interview_corvus.core.errors import BadRequest, CorvusError
from interview_corvus.core.providers import build_provider
from interview_corvus.core.providers.base import AnswerRequest, Provider
from interview_corvus.core.runs.attempt import ActiveRun, CancelToken, Job
from interview_corvus.core.runs.bridge import iterate_in_thread
from interview_corvus.core.runs.update import RunStats, StreamUpdate
from interview_corvus.core.stream.partial_json import clean_text

log = logging.getLogger(__name__)


def _verify(answer: StreamedAnswer, cancelled: threading.Event) -> Verification:
    """Run the optimization against the original in the sandbox (core.verify)."""
    from interview_corvus.core.verify import verify_optimization

    assert isinstance(answer, CodeOptimization)
    return verify_optimization(answer, cancelled=cancelled)

MAX_IMAGES = 10


class LLMService:
    def __init__(
        self,
        settings: Settings | None = None,
        provider: Provider | None = None,
        *,
        backoff_base: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or load_settings()
        self._provider = provider
        self.backoff_base = backoff_base
        self._clock = clock

    # -- configuration ----------------------------------------------------
    @property
    def provider(self) -> Provider:
        if self._provider is None:
            self._provider = build_provider(self.settings)
        return self._provider

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings from the next run on (no restart)."""
        old = self._provider
        self.settings = settings
        self._provider = None
        if old is not None:
            old.close()

    @property
    def streaming(self) -> bool:
        return self.settings.llm.streaming and self.provider.supports_streaming

    # -- jobs -------------------------------------------------------------
    def answer_job(self, model_cls: type[StreamedAnswer], language: str, input_chars: int,
                   prompt: Callable[[str, dict[str, Any], str], str]) -> Job:
        """A job for ``model_cls``: the schema (bounded where the provider needs it), the
        prompt (``prompt(language, schema, fence)``, ``fence`` the code field the model
        writes in a Markdown fence, or "") and the fields the request fixes. The text,
        image and follow-up jobs are all made here."""
        language = language_of(language)
        schema = model_cls.answer_schema(self.provider.schema_limits(model_cls.KIND,
                                                                     input_chars))
        llm = self.settings.llm
        fence = self.provider.code_fence(model_cls.KIND, schema)
        request = AnswerRequest(kind=model_cls.KIND, system=prompts.system_prompt(fence),
                                prompt=prompt(language, schema, fence), schema=schema,
                                max_tokens=llm.max_tokens, temperature=llm.temperature,
                                language=language)
        return Job(model_cls, request, {"language": language},
                   model_cls.expected_sizes(input_chars))

    def text_job(self, kind: str, text: str, language: str) -> Job:
        """A job for any kind of answer asked in text (``MODELS``: optimization, solution,
        mcq); the calls below name one kind each."""
        model_cls = answer_class(kind)
        if not text or not text.strip():
            raise BadRequest(model_cls.EMPTY_INPUT)
        text = clean_text(text)
        task = self.settings.llm.task_prompts.get(model_cls.KIND)
        job = self.answer_job(model_cls, language, len(text), lambda language, schema, fence:
                              prompts.answer_prompt(model_cls.KIND, text, language, schema,
                                                    task, fence))
        if "original_code" in model_cls.REQUEST_FIELDS:
            job.fixed["original_code"] = text
        return job

    def optimization_job(self, code: str, language: str) -> Job:
        return self.text_job("optimization", code, language)

    def solution_job(self, problem: str, language: str) -> Job:
        return self.text_job("solution", problem, language)

    def mcq_job(self, question: str, language: str) -> Job:
        """Answer a multiple-choice question (the options are in the text)."""
        return self.text_job("mcq", question, language)

    def image_solution_job(self, images: Sequence[str | Path], language: str,
                           text: str = "") -> Job:
        """Solve the problem the screenshots show; ``text`` is what the user typed beside."""
        paths = [Path(p) for p in images]
        if not paths:
            raise BadRequest("No screenshots to solve: capture at least one.")
        if len(paths) > MAX_IMAGES:
            raise BadRequest(f"Too many screenshots: {len(paths)} (at most {MAX_IMAGES}).")
        for path in paths:
            if not path.is_file():
                raise BadRequest(f"Screenshot not found: {path}")
        if not self.provider.supports_vision:
            raise BadRequest(
                f"The {self.provider.name} provider cannot read images. Choose a "
                "vision-capable provider (OpenAI or Anthropic) in settings, or paste the "
                "problem as text."
            )
        text = clean_text(text)
        job = self.answer_job(CodeSolution, language, 0, lambda language, schema, fence:
                              prompts.image_solution_prompt(language, schema, len(paths),
                                                            text, fence))
        job.request.images = paths
        return job

    # -- the run ----------------------------------------------------------
    def open_run(self, job: Job, cancel: CancelToken | None = None,
                 lock: threading.RLock | None = None, *, verify: bool = True) -> ActiveRun:
        """A run of ``job`` on the current provider; iterate ``updates()`` to drive it.
        ``lock`` is the run log's when the run is logged (fed and logged in one step).
        ``verify=False`` never runs code for this run (HTTP requests, unless the server
        allows it); otherwise the ``verify`` setting decides for optimizations."""
        checks = verify and self.settings.llm.verify and job.kind == "optimization"
        return ActiveRun(job, self.provider, self.streaming,
                         max_retries=self.settings.llm.max_retries,
                         backoff_base=self.backoff_base, cancel=cancel, clock=self._clock,
                         lock=lock, repair=self.settings.llm.self_repair,
                         verifier=_verify if checks else None)

    def run(self, job: Job, cancel: CancelToken | None = None) -> Iterator[StreamUpdate]:
        """Stream the job as updates; the last is final. Errors are ``CorvusError``s.

        Closing the generator (or setting ``cancel``) closes the provider stream.
        """
        return self.open_run(job, cancel).updates()

    # -- public calls -----------------------------------------------------
    def stream_job(self, job: Job, cancel: CancelToken | None = None
                   ) -> Iterator[StreamedAnswer]:
        """Partial models as they become due; the last one is complete."""
        for update in self.run(job, cancel):
            if update.partial is not None:
                yield update.partial

    def complete_job(self, job: Job, cancel: CancelToken | None = None) -> StreamedAnswer:
        result: StreamedAnswer | None = None
        for result in self.stream_job(job, cancel):  # noqa: B007
            pass
        assert result is not None and result.is_complete
        return result

    def get_code_optimization(self, code: str, language: str,
                              cancel: CancelToken | None = None) -> CodeOptimization:
        return self.complete_job(self.optimization_job(code, language), cancel)  # type: ignore[return-value]

    def get_code_optimization_stream(self, code: str, language: str,
                                     cancel: CancelToken | None = None,
                                     ) -> Iterator[CodeOptimization]:
        return self.stream_job(self.optimization_job(code, language), cancel)  # type: ignore[return-value]

    def get_code_solution(self, problem: str, language: str,
                          cancel: CancelToken | None = None) -> CodeSolution:
        return self.complete_job(self.solution_job(problem, language), cancel)  # type: ignore[return-value]

    def get_code_solution_stream(self, problem: str, language: str,
                                 cancel: CancelToken | None = None) -> Iterator[CodeSolution]:
        return self.stream_job(self.solution_job(problem, language), cancel)  # type: ignore[return-value]

    def get_code_solution_from_images(self, images: Sequence[str | Path], language: str,
                                      cancel: CancelToken | None = None) -> CodeSolution:
        return self.complete_job(self.image_solution_job(images, language), cancel)  # type: ignore[return-value]

    def get_code_solution_from_images_stream(self, images: Sequence[str | Path], language: str,
                                             cancel: CancelToken | None = None,
                                             ) -> Iterator[CodeSolution]:
        return self.stream_job(self.image_solution_job(images, language), cancel)  # type: ignore[return-value]

    # -- async twins (the provider runs in a worker thread) ---------------
    def astream_job(self, job: Job, cancel: CancelToken | None = None
                    ) -> AsyncIterator[StreamedAnswer]:
        token = cancel or CancelToken()
        return iterate_in_thread(lambda: self.stream_job(job, token), token.cancel)

    async def acomplete_job(self, job: Job, cancel: CancelToken | None = None
                            ) -> StreamedAnswer:
        result: StreamedAnswer | None = None
        async for result in self.astream_job(job, cancel):  # noqa: B007
            pass
        assert result is not None and result.is_complete
        return result

    async def aget_code_optimization(self, code: str, language: str) -> CodeOptimization:
        return await self.acomplete_job(self.optimization_job(code, language))  # type: ignore[return-value]

    def aget_code_optimization_stream(self, code: str, language: str
                                      ) -> AsyncIterator[StreamedAnswer]:
        return self.astream_job(self.optimization_job(code, language))

    async def aget_code_solution(self, problem: str, language: str) -> CodeSolution:
        return await self.acomplete_job(self.solution_job(problem, language))  # type: ignore[return-value]

    def aget_code_solution_stream(self, problem: str, language: str
                                  ) -> AsyncIterator[StreamedAnswer]:
        return self.astream_job(self.solution_job(problem, language))


def answer_class(kind: str) -> type[StreamedAnswer]:
    """The answer model of ``kind``; an unknown kind is a ``BadRequest`` naming the choices."""
    if kind not in MODELS:
        raise BadRequest(f"Unknown kind {kind!r}; choose one of: {', '.join(MODELS)}.")
    return MODELS[kind]


def language_of(value: str) -> str:
    try:
        return normalize_language(value)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc


__all__ = ["ActiveRun", "CancelToken", "CorvusError", "Job", "LLMService", "RunStats",
           "StreamUpdate"]
