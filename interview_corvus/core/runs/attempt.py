"""One run of a job on a provider: retries, fallback, cancellation, validation.

``ActiveRun.updates()`` drives the provider and yields ``StreamUpdate``s; the
last one is final and carries the validated model. ``latest()`` may be called
from another thread at any time for an up-to-date partial (the window and the
coalescers use it to show the newest state when the stream pauses).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from typing import Any

from interview_corvus.core.answers.models import StreamedAnswer
from interview_corvus.core.errors import AnswerError, ProviderError, RateLimited
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.runs.cancel import CancelToken
from interview_corvus.core.runs.checked import CheckedRun, Verifier
from interview_corvus.core.runs.repair import repair_request, repairable, reset_patches
from interview_corvus.core.runs.update import RunStats, StreamUpdate
from interview_corvus.core.stream.assembler import AnswerAssembler

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 60.0
CLOSE_GRACE_S = 1.0  # after the whole answer: how long a usage or finish chunk may take


@dataclass
class Job:
    """One answer to produce: what to ask and how to read the result."""

    model_cls: type[StreamedAnswer]
    request: AnswerRequest
    fixed: dict[str, Any]
    expected: dict[str, float]

    @property
    def kind(self) -> str:
        return self.model_cls.KIND


class ActiveRun(CheckedRun):
    def __init__(self, job: Job, provider: Provider, streaming: bool, *, max_retries: int,
                 backoff_base: float, cancel: CancelToken | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 lock: threading.RLock | None = None, repair: bool = False,
                 verifier: Verifier | None = None) -> None:
        self.job = job
        self.repair = repair
        # checks a complete optimization (core.verify); None: answers are not checked
        self.verifier = verifier
        self.provider = provider
        self.cancel = cancel or CancelToken()
        self.stats = RunStats(streaming=streaming)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self._clock = clock
        # shared with the run's log when it has one (the feed-and-log invariant)
        self._lock = lock or threading.RLock()
        self.assembler = AnswerAssembler(job.model_cls, job.fixed, job.expected, clock=clock)
        self.result: StreamedAnswer | None = None
        # Called with each update while the run's lock is held, so an observer can
        # log the update and take snapshots consistent with what it has logged.
        self.listener: Callable[[StreamUpdate], None] | None = None

    def latest(self) -> StreamedAnswer | None:
        """The newest state (complete once done); safe from any thread."""
        with self._lock:
            return self.result or self.assembler.partial()

    def _feed(self, delta: str) -> StreamUpdate | None:
        with self._lock:
            patches, partial = self.assembler.feed(delta)
            if not patches:
                return None
            update = StreamUpdate(patches, self.assembler.progress_value(), partial)
            if self.listener is not None:
                self.listener(update)
            return update

    def updates(self) -> Iterator[StreamUpdate]:
        started = self._clock()
        try:
            final, info = yield from self._answer()
        except AnswerError as exc:
            if not (self.repair and repairable(exc)) or self.cancel.cancelled:
                raise
            log.info("the answer was %s (%s); asking once more", exc.reason, exc.message)
            yield self._restart(exc)
            final, info = yield from self._answer()  # its own error, typed, ends the run
            self.stats.repaired = True
        if self.verifier is not None:
            final = yield from self._verified(final)
        stats = self.stats
        with self._lock:
            self.result = final
            stats.elapsed_ms = (self._clock() - started) * 1000
            stats.usage = info.usage
            update = StreamUpdate(patches=[], progress=1.0, partial=final, final=True,
                                  stats=stats)
            if self.listener is not None:
                self.listener(update)
        log.info("%s run finished in %.0f ms (%d deltas, streaming=%s, attempts=%d)",
                 self.job.kind, stats.elapsed_ms, stats.deltas, stats.streaming, stats.attempts)
        yield update

    def _answer(self) -> Generator[StreamUpdate, None, tuple[StreamedAnswer, StreamInfo]]:
        """One answer from the provider, validated (or a typed error)."""
        if self.stats.streaming:
            info = yield from self._stream_with_retries()
        else:
            text, info = self._complete_with_retries()
            self._feed(text)
        if self.cancel.cancelled:
            raise self.cancel.error(partial=self.latest(), raw=self.assembler.raw_text())
        with self._lock:
            final = self.assembler.finish(info.finish_reason, self.job.request.max_tokens)
        return final, info

    def _restart(self, error: AnswerError | None,
                 request: AnswerRequest | None = None) -> StreamUpdate:
        """Ask again, saying what was wrong; the run's answer starts over (reset patches)."""
        with self._lock:
            job, old = self.job, self.assembler
            if request is None:
                assert error is not None
                request = repair_request(job.request, error, old.raw_text())
            self.job = replace(job, request=request)
            self.assembler = AnswerAssembler(job.model_cls, job.fixed, job.expected,
                                             clock=self._clock, restarted=True,
                                             progress_floor=old.progress_value())
            update = StreamUpdate(reset_patches(job.model_cls), old.progress_value(),
                                  self.assembler.partial())
            if self.listener is not None:
                self.listener(update)
            return update

    def _stream_with_retries(self) -> Generator[StreamUpdate, None, StreamInfo]:
        stats, provider, cancel = self.stats, self.provider, self.cancel
        for attempt in range(self.max_retries + 1):
            stats.attempts += 1
            info = StreamInfo()
            cancel.on_cancel(info.abort)
            deltas = provider.stream(self.job.request, info)
            t0 = self._clock()
            grace: threading.Timer | None = None  # ends a stream silent after the answer
            try:
                for delta in deltas:
                    if cancel.cancelled:
                        break
                    if not delta:
                        continue
                    if self.assembler.closed:  # text after the whole answer (padding to
                        break  # the token limit): stop reading, which closes the stream
                    if stats.deltas == 0:
                        stats.first_delta_ms = (self._clock() - t0) * 1000
                    stats.deltas += 1
                    update = self._feed(delta)
                    if self.assembler.closed and grace is None:
                        grace = threading.Timer(CLOSE_GRACE_S, info.abort)
                        grace.daemon = True
                        grace.start()
                    if update is not None:
                        yield update
                return info
            except ProviderError as exc:
                if self.assembler.closed and info.aborted.is_set() and not cancel.cancelled:
                    return info  # the whole answer had come; the stream was then silent
                if cancel.cancelled:  # the abort broke the provider's read
                    raise self.cancel.error(partial=self.latest(),
                                            raw=self.assembler.raw_text()) from exc
                if stats.deltas:  # partials were shown: never retry silently
                    exc.partial = self.latest()
                    exc.raw = self.assembler.raw_text()
                    raise
                if not exc.retryable:
                    raise
                if attempt < self.max_retries:
                    self._backoff(exc, attempt)
                    continue
                log.info("streaming failed %d times; one non-streaming attempt", attempt + 1)
            finally:
                if grace is not None:
                    grace.cancel()
                _close(deltas)
        stats.fallback = True
        stats.attempts += 1
        info = StreamInfo()
        update = self._feed(self._complete(info))
        if update is not None:
            yield update
        return info

    def _complete_with_retries(self) -> tuple[str, StreamInfo]:
        for attempt in range(self.max_retries + 1):
            self.stats.attempts += 1
            info = StreamInfo()
            try:
                return self._complete(info), info
            except ProviderError as exc:
                if not exc.retryable or attempt == self.max_retries:
                    raise
                self._backoff(exc, attempt)
        raise AssertionError("unreachable")

    def _complete(self, info: StreamInfo) -> str:
        """``provider.complete``, ended at once by a cancel: the blocking call (an HTTP
        read, prompt processing) runs in a daemon thread; a cancel runs the provider's
        abort closers and raises here, and a late result is dropped."""
        done, outcome = threading.Event(), dict[str, Any]()

        def call() -> None:
            try:
                outcome["text"] = self.provider.complete(self.job.request, info)
            except BaseException as exc:  # raised in the run's thread below
                outcome["error"] = exc
            done.set()

        self.cancel.on_cancel(info.abort)
        self.cancel.on_cancel(done.set)
        threading.Thread(target=call, name="corvus-complete", daemon=True).start()
        done.wait()
        if "error" in outcome:
            raise outcome["error"]
        if "text" not in outcome:  # cancelled while the provider was still working
            raise self.cancel.error(partial=self.latest(), raw=self.assembler.raw_text())
        return str(outcome["text"])

    def _backoff(self, exc: ProviderError, attempt: int) -> None:
        delay = self.backoff_base * (2**attempt) * (1 + random.random() * 0.25)
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, MAX_RETRY_AFTER))
        log.info("%s (%s); retrying in %.2f s", exc.code, exc.message, delay)
        if self.cancel.wait(delay):
            raise self.cancel.error()


def _close(iterator: Any) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # a failing close must not hide the run's own outcome
            log.exception("closing the provider stream failed")
