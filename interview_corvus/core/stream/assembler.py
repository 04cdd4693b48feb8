"""From raw deltas to partial answer models: parser, progress and snapshots.

``AnswerAssembler.feed(delta)`` costs time proportional to the delta: the
parser never re-reads earlier text, progress is updated from the delta's
patches, and a partial model is materialized only on a schedule — when the
text added since the last snapshot is at least 1/16 of the whole, or 50 ms
have passed — so the copying a snapshot needs adds up to a constant factor of
the answer's length instead of its square. ``patches`` are always available
for consumers that want every change (SSE delta mode, the window).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from interview_corvus.core.answers.models import FieldState, StreamedAnswer
from interview_corvus.core.errors import AnswerIncomplete, AnswerInvalid
from interview_corvus.core.stream.ending import (
    PLAIN_STOPS,
    construct_partial,
    stop_error,
    validate_answer,
)
from interview_corvus.core.stream.partial_json import (
    IncrementalJSONParser,
    JSONStreamError,
    Patch,
    clean_text,
)
from interview_corvus.core.stream.preamble import ReasoningFilter
from interview_corvus.core.stream.progress import ProgressEstimator

MAX_RESYNCS = 64  # candidates tried before the answer's first field, per delta
SNAPSHOT_RATIO = 16
SNAPSHOT_INTERVAL = 0.05


class AnswerAssembler:
    def __init__(
        self,
        model_cls: type[StreamedAnswer],
        fixed: dict[str, Any],
        expected: dict[str, float],
        *,
        clock: Callable[[], float] = time.monotonic,
        snapshot_interval: float = SNAPSHOT_INTERVAL,
        progress_floor: float = 0.0,
        restarted: bool = False,
    ) -> None:
        self.model_cls = model_cls
        self.fixed = fixed
        self.fields = model_cls.answer_fields()
        self._lists = {
            name for name in self.fields
            if model_cls.model_fields[name].annotation in (list[str], "list[str]")
        }
        self.parser = IncrementalJSONParser(skip_prefix=True, track_closed=True)
        # before the answer's first field: the text since the current candidate's start,
        # reasoning blocks dropped, to look for the next candidate if this one fails
        self._search: str | None = ""
        self._reasoning = ReasoningFilter()
        self._failed = ""  # why the last candidate failed (none found: the error names it)
        self.states: dict[str, FieldState] = dict.fromkeys(self.fields, "pending")
        self._states_changed = False
        self.progress = ProgressEstimator(expected, progress_floor)
        self._restarted = restarted  # a repair: an empty answer stands before the first delta
        self.raw: list[str] = []
        self.chars = 0
        self._clock = clock
        self._interval = snapshot_interval
        self._since_snapshot = 0
        self._last_snapshot = clock()
        self._partial: StreamedAnswer | None = None
        self._defaults = {name: info.get_default(call_default_factory=True)
                          for name, info in model_cls.model_fields.items()}

    # -- per delta --------------------------------------------------------
    def feed(self, delta: str) -> tuple[list[Patch], StreamedAnswer | None]:
        """Consume one delta; return its patches and, when due, a fresh partial."""
        delta = clean_text(delta)
        self.raw.append(delta)
        try:
            patches = self._parse(delta)
        except JSONStreamError as exc:
            raise AnswerInvalid(
                f"The model's answer is not valid JSON: {exc}", reason="json",
                partial=self.partial(), raw=self.raw_text(),
            ) from exc
        observe = self.progress.observe
        added = 0
        for _op, path, value in patches:
            if path and isinstance(value, str):
                observe(path[0], len(value))
                added += len(value)
        changes = self._track(patches)  # a closing quote alone moves a state, no text
        if not patches and not changes:
            return patches, None
        patches.extend(changes)
        self._states_changed = self._states_changed or bool(changes)
        self.chars += added
        self._since_snapshot += added
        now = self._clock()
        if (self._since_snapshot * SNAPSHOT_RATIO >= self.chars
                or now - self._last_snapshot >= self._interval):
            return patches, self.snapshot(now)
        return patches, None

    def _parse(self, text: str) -> list[Patch]:
        """The parser's patches for ``text``. Until the answer's first field appears,
        reasoning blocks are dropped (``ReasoningFilter``) and a candidate that fails, or
        closes without any of the answer's fields, is given up for the next ``{``."""
        if self._search is None:
            return self.parser.feed(text)
        text = self._reasoning.feed(text)
        self._search += text
        for _ in range(MAX_RESYNCS):
            try:
                patches = self.parser.feed(text)
            except JSONStreamError as exc:
                self._failed = str(exc)
                self._resync(after_failure=True)
                text = self._search
                continue
            if any(path and path[0] in self.states for _op, path, _value in patches):
                self._search = None  # the answer has begun: no more looking back
                return patches
            if self.parser.done and self._resync(after_failure=False):
                text = self._search
                continue
            return patches
        raise JSONStreamError(f"no JSON object with the answer's fields in the first "
                              f"{MAX_RESYNCS} candidates", len(self._search))

    def _resync(self, *, after_failure: bool) -> bool:
        """Start over at the ``{`` after the current candidate's start. With none yet, a
        failed candidate is dropped (a later ``{`` may begin the answer); a closed one
        stands (False)."""
        assert self._search is not None
        starts = [p for p in (self._search.find("{"), self._search.find("[")) if p >= 0]
        after = self._search.find("{", min(starts) + 1) if starts else -1
        if after < 0 and not after_failure:
            return False
        self._search = self._search[after:] if after >= 0 else ""
        self.parser = IncrementalJSONParser(skip_prefix=True, track_closed=True)
        return True

    def _track(self, patches: list[Patch]) -> list[Patch]:
        """Field states moved by a delta's patches and the values the parser closed, as
        ``("set", ("fields", key), state)`` patches."""
        states, lists, out = self.states, self._lists, []
        for _op, path, _value in patches:
            if not path or path[0] not in states:
                continue
            name = path[0]
            keys = [name, f"{name}[{path[1]}]"] if len(path) == 2 and name in lists else [name]
            for key in keys:  # a value opened, or opened again (a key written twice)
                if states.get(key, "pending") != "streaming":
                    states[key] = "streaming"
                    out.append(("set", ("fields", key), "streaming"))
        closed = self.parser.closed or []
        for path in closed:
            if len(path) == 1 and path[0] in states:
                key = path[0]
            elif len(path) == 2 and path[0] in lists and isinstance(path[1], int):
                key = f"{path[0]}[{path[1]}]"
            else:
                continue
            states[key] = "done"
            out.append(("set", ("fields", key), "done"))
        closed.clear()
        return out

    def snapshot(self, now: float | None = None) -> StreamedAnswer:
        """Materialize the partial model now (cost: the answer's size)."""
        self._since_snapshot = 0
        self._last_snapshot = self._clock() if now is None else now
        doc = self.parser.materialize()
        values: dict[str, Any] = {}
        if isinstance(doc, dict):
            for name in self.fields:
                value = doc.get(name)
                if name in self._lists:
                    if isinstance(value, list):
                        values[name] = [v for v in value if isinstance(v, str)]
                elif isinstance(value, str):
                    values[name] = value
        values.update(self.fixed)
        values["progress"] = self.progress.value()
        values["is_complete"] = False
        values["fields"] = dict(self.states)
        self._states_changed = False
        self._partial = construct_partial(self.model_cls, values, self._defaults)
        return self._partial

    def partial(self) -> StreamedAnswer | None:
        """The partial so far (materialized if anything changed since the last one)."""
        if not self.parser.started:
            return self.snapshot() if self._restarted else None
        if self._since_snapshot or self._states_changed or self._partial is None:
            return self.snapshot()
        return self._partial

    def touch(self) -> None:
        """Rebuild the partial at the next ``partial()`` (a fixed value changed)."""
        self._states_changed = True

    @property
    def closed(self) -> bool:
        """Whether the answer's top-level object has closed: nothing after it is read."""
        return self._search is None and self.parser.done

    def progress_value(self) -> float:
        return self.progress.value()

    def raw_text(self) -> str:
        return "".join(self.raw)

    # -- at the end -------------------------------------------------------
    def finish(self, finish_reason: str | None, max_tokens: int | None = None) -> StreamedAnswer:
        """Validate the complete answer; raise a typed error carrying the partial.

        An answer whose object has closed is whole whatever the stop reason says (a
        model may pad to the token limit). Otherwise each documented stop reason is
        named (``stop_error``): OpenAI's ``length`` and ``content_filter``, Anthropic's
        ``max_tokens``, ``refusal``, ``model_context_window_exceeded``, ``pause_turn``,
        Gemini's ``MAX_TOKENS``, ``SAFETY``, ``RECITATION`` and the like.
        """
        if self.parser.done:
            finish_reason = "stop"
        elif (stopped := stop_error(finish_reason)) is not None:
            stopped.partial, stopped.raw = self.partial(), self.raw_text()
            raise stopped
        if finish_reason in ("length", "max_tokens", "MAX_TOKENS"):
            limit = f" ({max_tokens} tokens)" if max_tokens else ""
            raise AnswerIncomplete(
                f"The answer was cut off at the token limit{limit}. Raise max tokens "
                "in settings or shorten the input.", reason="length",
                partial=self.partial(), raw=self.raw_text(),
            )
        if finish_reason == "repetition":
            raise AnswerIncomplete(
                "The model started repeating itself and was stopped; what it wrote is kept. "
                "Try again, or choose a larger model in settings.", reason="repetition",
                partial=self.partial(), raw=self.raw_text(),
            )
        if not self.parser.started and self._failed:
            raise AnswerInvalid(f"The model's answer is not valid JSON: {self._failed}",
                                reason="json", raw=self.raw_text())
        if not self.parser.started:
            raise AnswerIncomplete("The model returned no answer.", reason="empty",
                                   raw=self.raw_text())
        try:
            doc = self.parser.finish()
        except JSONStreamError as exc:
            how = (f" (the server's stop reason: {finish_reason})"
                   if finish_reason not in PLAIN_STOPS else "")
            raise AnswerIncomplete(
                f"The model's answer ended before the JSON object was complete{how}.",
                reason="truncated", partial=self.partial(), raw=self.raw_text(),
            ) from exc
        return validate_answer(self.model_cls, doc, self.fixed, partial=self.partial(),
                               raw=self.raw_text())
