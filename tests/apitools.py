"""Helpers for API tests: a hub on a scripted provider, SSE parsing, patch rebuild."""

from __future__ import annotations

import codecs
import json
import threading
from collections.abc import Iterator
from typing import Any

from httpx_sse import ServerSentEvent
from httpx_sse._decoders import SSEDecoder

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.service import LLMService

ANSWER = {
    "optimized_code": "def two_sum(nums, target):\n    seen = {}  # value → index\n"
                      "    for i, v in enumerate(nums):\n        if target - v in seen:\n"
                      "            return [seen[target - v], i]\n        seen[v] = i\n"
                      "    return []\n",
    "improvements": ["One pass instead of two nested loops — O(n).", "Hash map lookups 😀",
                     "enumerate() instead of indexing"],
    "original_time_complexity": "O(n²)",
    "optimized_time_complexity": "O(n)",
    "original_space_complexity": "O(1)",
    "optimized_space_complexity": "O(n)",
    "explanation": "Trade memory for time: remember each value's index in a dict; "
                   "the complement check is then O(1). «Ünïcödé» stays intact.",
}


SOLUTION = {
    "code": "def solve(xs):\n    return sorted(xs)\n",
    "explanation": "Sort — then read the answer off. ✓",
    "time_complexity": "O(n log n)",
    "space_complexity": "O(n)",
    "edge_cases": ["empty input", "duplicates"],
    "alternative_approaches": "Counting sort when values are small.",
}

MCQ = {
    "answer": "B) O(log n)",
    "option_notes": ["A) no", "B) yes: each step halves the range", "C) no", "D) no"],
    "explanation": "Binary search halves the range at each step — «log₂ n» steps.",
}


class ScriptedProvider(Provider):
    """Streams a JSON answer at a steady pace; input containing ``FAIL`` fails mid-stream.

    Like the replay provider it honours ``info.aborted`` (a cancel ends the wait at once),
    and it counts streams closed before their end, to observe cancellation.
    """

    def __init__(self, answer: dict[str, Any], *, delay: float = 0.005, chunk: int = 4,
                 name: str = "scripted") -> None:
        super().__init__("scripted-model")
        self.name = name
        self.text = json.dumps(answer, ensure_ascii=False)
        self.solution_text = json.dumps(SOLUTION, ensure_ascii=False)
        self.mcq_text = json.dumps(MCQ, ensure_ascii=False)
        self.delay = delay
        self.chunk = chunk
        self.started = 0
        self.closed_early = 0
        self.lock = threading.Lock()
        self.closed_event = threading.Event()

    def stream(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        with self.lock:
            self.started += 1
        return self._run(request, info)

    def _run(self, request: AnswerRequest, info: StreamInfo) -> Iterator[str]:
        from interview_corvus.core.errors import Unavailable

        finished = False
        text = {"solution": self.solution_text, "mcq": self.mcq_text}.get(request.kind,
                                                                          self.text)
        try:
            for i in range(0, len(text), self.chunk):
                if i and "FAIL" in request.prompt and i > len(text) // 3:
                    finished = True
                    raise Unavailable("The scripted provider failed mid-stream.")
                if self.delay and info.aborted.wait(self.delay):
                    return
                yield text[i : i + self.chunk]
            info.finish_reason = "stop"
            finished = True
        finally:
            if not finished:
                with self.lock:
                    self.closed_early += 1
                self.closed_event.set()


def make_hub(provider: Provider, history=None, **kw: Any) -> RunHub:
    service = LLMService(Settings(llm={"provider": "replay"}), provider, backoff_base=0.001)
    return RunHub(service, history, **kw)


def parse_sse(raw: bytes) -> list[ServerSentEvent]:
    """Parse a whole SSE body (any line endings) into events, like a client would."""
    return list(SSEParser().feed(raw))


class SSEParser:
    """Incremental: bytes may be split anywhere, even inside a UTF-8 character or CRLF."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._decoder = SSEDecoder()
        self._pending = ""

    def feed(self, data: bytes) -> Iterator[ServerSentEvent]:
        self._pending += self._text.decode(data)
        while True:
            cut = min((i for i in (self._pending.find("\r"), self._pending.find("\n"))
                       if i >= 0), default=-1)
            if cut < 0 or (self._pending[cut] == "\r" and cut + 1 == len(self._pending)):
                return  # need more bytes (a lone CR may be the start of CRLF)
            end = cut + 2 if self._pending.startswith("\r\n", cut) else cut + 1
            line, self._pending = self._pending[:cut], self._pending[end:]
            event = self._decoder.decode(line)
            if event is not None:
                yield event


def payloads(events: list[ServerSentEvent]) -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in events if e.data]


def rebuild(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Apply partials as the documented client rule does."""
    doc: Any = None
    for event in events:
        if event["type"] != "partial":
            continue
        if "data" in event:
            doc = json.loads(json.dumps(event["data"]))
            continue
        for patch in event["patch"]:
            target = doc
            for key in patch["path"][:-1]:
                target = target[key]
            key = patch["path"][-1]
            if patch["op"] == "append":
                target[key] += patch["value"]
            elif isinstance(target, list) and key == len(target):
                target.append(patch["value"])
            else:
                target[key] = patch["value"]
    return doc
