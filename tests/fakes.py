"""A fake provider you can ``enqueue`` deltas into, for service and UI tests."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo

END = object()
CODE = (Path(__file__).resolve().parent.parent / "examples" / "two_sum.py").read_text()


class FakeProvider(Provider):
    """Streams what the test enqueues; blocks (with a timeout) when it runs dry."""

    name = "fake"

    def __init__(self, *, streaming: bool = True, vision: bool = False) -> None:
        super().__init__("fake-model")
        self.supports_streaming = streaming
        self.supports_vision = vision
        self.items: queue.Queue[object] = queue.Queue()
        self.requests: list[AnswerRequest] = []
        self.closed = threading.Event()
        self.finished = threading.Event()
        self.finish_reason = "stop"
        self.complete_text: str | None = None

    def enqueue(self, *items: object) -> FakeProvider:
        for item in items:
            self.items.put(item)
        return self

    def enqueue_json(self, answer: dict, chunk: int = 5) -> FakeProvider:
        text = json.dumps(answer)
        self.enqueue(*(text[i : i + chunk] for i in range(0, len(text), chunk)), END)
        return self

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        self.requests.append(request)
        try:
            while True:
                item = self.items.get(timeout=10)
                if item is END:
                    info.finish_reason = self.finish_reason
                    self.finished.set()
                    return
                if isinstance(item, BaseException):
                    raise item
                yield str(item)
        except GeneratorExit:  # closed by the consumer
            self._skip_to_end()
            raise
        finally:
            if not self.finished.is_set():
                self.closed.set()

    def _skip_to_end(self) -> None:
        """A stream closed early (e.g. once its answer object closed): what is left of
        its answer, up to an END already queued, is not the next stream's."""
        with self.items.mutex:
            if END in self.items.queue:
                while self.items.queue.popleft() is not END:
                    pass

    def complete(self, request: AnswerRequest, info: StreamInfo) -> str:
        self.requests.append(request)
        if self.complete_text is None:
            return super().complete(request, info)
        info.finish_reason = self.finish_reason
        return self.complete_text


OPTIMIZATION = {
    "optimized_code": "def f(xs):\n    return sum(xs)\n",
    "improvements": ["Use the built-in sum", "No manual loop"],
    "original_time_complexity": "O(n)",
    "optimized_time_complexity": "O(n)",
    "original_space_complexity": "O(1)",
    "optimized_space_complexity": "O(1)",
    "explanation": "sum() runs in C and is clearer.",
}


def run_real_model(stream, also: tuple[str, ...] = ()) -> tuple[list, object]:
    """Drain a real model's stream: (partials, outcome). A tiny model may be cut off
    or go off-schema; that must end in a typed error carrying the partial, never a hang."""
    from interview_corvus.core.errors import CorvusError

    partials: list = []
    try:
        for partial in stream:
            partials.append(partial)
    except CorvusError as exc:
        assert exc.code in ("incomplete", "invalid", *also), exc
        assert exc.partial is not None or not partials
        return partials, exc
    assert partials and partials[-1].is_complete and partials[-1].progress == 1.0
    return partials, partials[-1]


def transcript(tmp_path, answer=OPTIMIZATION, *, delay=15, chunk=6, fail_after=None) -> Path:
    text = json.dumps(answer)
    lines = []
    for index, start in enumerate(range(0, len(text), chunk)):
        if fail_after is not None and index == fail_after:
            lines.append({"raise": "server_error"})
        lines.append({"delta": text[start : start + chunk], "delay_ms": delay})
    path = tmp_path / "transcript.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path
