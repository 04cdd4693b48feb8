"""The check step of a run: after an optimization completes, run it against the original
(``core.verify``, sandboxed), stream the check's state as the answer's ``verification``,
and on a counterexample ask once more with it and check the new answer.

``CheckedRun`` is a mixin of ``ActiveRun`` (it uses the run's lock, assembler, listener,
cancel token and ``_answer``/``_restart``), kept apart so each file stays one idea.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from typing import Any

from interview_corvus.core.answers.models import StreamedAnswer
from interview_corvus.core.answers.verification import Verification
from interview_corvus.core.errors import AnswerError
from interview_corvus.core.runs.repair import counterexample_request
from interview_corvus.core.runs.update import StreamUpdate
from interview_corvus.core.stream.assembler import AnswerAssembler
from interview_corvus.core.stream.partial_json import Patch

log = logging.getLogger(__name__)

# checks a complete answer; the event is set when the run is cancelled
Verifier = Callable[[StreamedAnswer, threading.Event], Verification]


class CheckedRun:
    verifier: Verifier | None
    repair: bool
    job: Any
    assembler: AnswerAssembler
    cancel: Any
    stats: Any
    result: StreamedAnswer | None
    listener: Callable[[StreamUpdate], None] | None
    _lock: threading.RLock
    _clock: Callable[[], float]

    def _answer(self) -> Generator[StreamUpdate, None, tuple[StreamedAnswer, Any]]:
        raise NotImplementedError

    def _restart(self, error: AnswerError | None, request: Any = None) -> StreamUpdate:
        raise NotImplementedError

    def latest(self) -> StreamedAnswer | None:
        raise NotImplementedError

    def _update(self, patches: list[Patch], partial: StreamedAnswer | None) -> StreamUpdate:

        update = StreamUpdate(patches, self.assembler.progress_value(), partial)
        if self.listener is not None:
            self.listener(update)
        return update

    def _verified(self, final: StreamedAnswer) -> Generator[StreamUpdate, None, StreamedAnswer]:
        """Check the complete answer (streamed as ``verification``: checking, then the
        verdict); on a counterexample, ask once more with it and check the new answer."""
        assert self.verifier is not None
        yield self._set_verification(Verification(
            status="checking", summary="checking: running both versions on the same inputs…"))
        verdict = self._check(final)
        if verdict.status == "counterexample" and self.repair and verdict.counterexample:
            log.info("the optimized code differs from the original (%s); asking once more",
                     verdict.summary)
            yield self._restart(None, counterexample_request(self.job.request, verdict))
            try:
                second, _info = yield from self._answer()
            except AnswerError as exc:  # the re-ask failed: keep the first, checked answer
                log.info("the repair failed (%s); keeping the first answer", exc.message)
                yield self._restore(final)
            else:
                first = verdict.counterexample
                yield self._set_verification(Verification(
                    status="checking", repaired=True,
                    summary="checking the repaired answer…"))
                # the repaired answer is checked on the input the first one failed on too
                examples = list(getattr(second, "examples", []))  # an optimization's
                checked = second.model_copy(update={"examples": [first.call, *examples]})
                verdict = self._check(checked).model_copy(
                    update={"repaired": True, "first_counterexample": first})
                final = second
                self.stats.repaired = True
        return final.model_copy(update={"verification": verdict})

    def _check(self, final: StreamedAnswer) -> Verification:
        assert self.verifier is not None
        stop = threading.Event()
        self.cancel.on_cancel(stop.set)
        verdict = self.verifier(final, stop)
        if self.cancel.cancelled:
            raise self.cancel.error(partial=self.latest(), raw=self.assembler.raw_text())
        return verdict

    def _set_verification(self, verification: Verification) -> StreamUpdate:
        """Show the check's state on the partial (a patch on ``verification``)."""
        with self._lock:
            self.assembler.fixed = {**self.assembler.fixed, "verification": verification}
            self.assembler.touch()
            return self._update([("set", ("verification",), verification.model_dump())],
                                self.assembler.partial())

    def _restore(self, final: StreamedAnswer) -> StreamUpdate:
        """Put the first answer back after a failed repair (one patch per field)."""
        with self._lock:
            values = final.model_dump()
            patches: list[Patch] = [("set", (name,), values[name])
                                    for name in final.answer_fields()]
            patches.append(("set", ("fields",), dict(final.fields)))
            self.assembler = AnswerAssembler(self.job.model_cls, self.job.fixed,
                                             self.job.expected, clock=self._clock,
                                             restarted=True,
                                             progress_floor=self.assembler.progress_value())
            self.result = final
            return self._update(patches, final)
