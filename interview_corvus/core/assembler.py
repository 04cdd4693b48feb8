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

from interview_corvus.core.errors import AnswerIncomplete, AnswerInvalid
from interview_corvus.core.models import StreamedAnswer
from interview_corvus.core.partial_json import IncrementalJSONParser, JSONStreamError, Patch

SNAPSHOT_RATIO = 16
SNAPSHOT_INTERVAL = 0.05


class ProgressEstimator:
    """Progress from characters received per field against expected sizes.

    A field's expected size is a prior until it streams; a finished field counts
    at its real size, and the field in progress is assumed to need at least 15%
    more than it has. The result is clamped to be monotonic and below 1.0.
    """

    def __init__(self, expected: dict[str, float]) -> None:
        self.expected = dict(expected)
        self.received: dict[str, int] = dict.fromkeys(expected, 0)
        self.order: list[str] = []
        self.total_received = 0
        self._value = 0.0

    def observe(self, field: str, chars: int) -> None:
        if field not in self.received:
            self.received[field] = 0
            self.expected.setdefault(field, 0.0)
        if (not self.order or self.order[-1] != field) and field not in self.order:
            self.order.append(field)
        self.received[field] += chars
        self.total_received += chars

    def value(self) -> float:
        current = self.order[-1] if self.order else None
        done = set(self.order[:-1])
        total = 0.0
        for name, expected in self.expected.items():
            got = self.received[name]
            if name in done:
                total += got
            elif name == current:
                total += max(expected, got * 1.15)
            else:
                total += expected
        estimate = self.total_received / total if total > 0 else 0.0
        self._value = max(self._value, min(estimate, 0.99))
        return self._value


class AnswerAssembler:
    def __init__(
        self,
        model_cls: type[StreamedAnswer],
        fixed: dict[str, Any],
        expected: dict[str, float],
        *,
        clock: Callable[[], float] = time.monotonic,
        snapshot_interval: float = SNAPSHOT_INTERVAL,
    ) -> None:
        self.model_cls = model_cls
        self.fixed = fixed
        self.fields = model_cls.answer_fields()
        self._field_set = set(self.fields)
        self._lists = {
            name for name in self.fields
            if model_cls.model_fields[name].annotation in (list[str], "list[str]")
        }
        self.parser = IncrementalJSONParser(skip_prefix=True)
        self.progress = ProgressEstimator(expected)
        self.raw: list[str] = []
        self.chars = 0
        self._clock = clock
        self._interval = snapshot_interval
        self._since_snapshot = 0
        self._last_snapshot = clock()
        self._partial: StreamedAnswer | None = None

    # -- per delta --------------------------------------------------------
    def feed(self, delta: str) -> tuple[list[Patch], StreamedAnswer | None]:
        """Consume one delta; return its patches and, when due, a fresh partial."""
        self.raw.append(delta)
        try:
            patches = self.parser.feed(delta)
        except JSONStreamError as exc:
            raise AnswerInvalid(
                f"The model's answer is not valid JSON: {exc}",
                partial=self.partial(), raw=self.raw_text(),
            ) from exc
        if not patches:
            return patches, None
        observe = self.progress.observe
        added = 0
        for _op, path, value in patches:
            if path and isinstance(value, str):
                observe(path[0], len(value))
                added += len(value)
        self.chars += added
        self._since_snapshot += added
        now = self._clock()
        if (self._since_snapshot * SNAPSHOT_RATIO >= self.chars
                or now - self._last_snapshot >= self._interval):
            return patches, self.snapshot(now)
        return patches, None

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
        self._partial = self.model_cls.model_construct(
            **self.fixed, **values, progress=self.progress.value(), is_complete=False
        )
        return self._partial

    def partial(self) -> StreamedAnswer | None:
        """The partial so far (materialized if anything changed since the last one)."""
        if not self.parser.started:
            return None
        if self._since_snapshot or self._partial is None:
            return self.snapshot()
        return self._partial

    def progress_value(self) -> float:
        return self.progress.value()

    def raw_text(self) -> str:
        return "".join(self.raw)

    # -- at the end -------------------------------------------------------
    def finish(self, finish_reason: str | None, max_tokens: int | None = None) -> StreamedAnswer:
        """Validate the complete answer; raise a typed error carrying the partial."""
        if finish_reason == "length":
            limit = f" ({max_tokens} tokens)" if max_tokens else ""
            raise AnswerIncomplete(
                f"The answer was cut off at the token limit{limit}. Raise max tokens "
                "in settings or shorten the input.",
                partial=self.partial(), raw=self.raw_text(),
            )
        if not self.parser.started:
            raise AnswerIncomplete("The model returned no answer.", raw=self.raw_text())
        try:
            doc = self.parser.finish()
        except JSONStreamError as exc:
            raise AnswerIncomplete(
                "The model's answer ended before the JSON object was complete.",
                partial=self.partial(), raw=self.raw_text(),
            ) from exc
        return validate_answer(self.model_cls, doc, self.fixed, partial=self.partial(),
                               raw=self.raw_text())


def validate_answer(model_cls: type[StreamedAnswer], doc: Any, fixed: dict[str, Any], *,
                    partial: StreamedAnswer | None = None, raw: str = "") -> StreamedAnswer:
    """The validated, complete model, or ``AnswerInvalid`` naming what was wrong."""
    if not isinstance(doc, dict):
        raise AnswerInvalid(
            f"The model answered with a JSON {type(doc).__name__}, not an object.",
            partial=partial, raw=raw,
        )
    missing = [name for name in model_cls.answer_fields() if name not in doc]
    if missing:
        raise AnswerInvalid(
            f"The model's answer is missing {', '.join(missing)}.", partial=partial, raw=raw
        )
    data = {k: v for k, v in doc.items() if k in model_cls.answer_fields()}
    try:
        return model_cls.model_validate({**data, **fixed, "progress": 1.0, "is_complete": True})
    except ValueError as exc:
        errors = getattr(exc, "errors", lambda: [])()
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:5]
        ) or str(exc)
        raise AnswerInvalid(
            f"The model's answer does not match the schema ({where}).", partial=partial, raw=raw
        ) from exc
