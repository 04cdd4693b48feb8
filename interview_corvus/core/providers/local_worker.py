"""The local model's own process: llama.cpp runs here, never in the app's process.

A native crash in llama.cpp (a grammar it cannot handle, a bad GGUF, an
unsupported CPU path) ends this process only; the app sees the pipe close and
reports a typed error, keeping the partial answer. Started by ``local.py`` as
``python -m interview_corvus.core.providers.local_worker MODEL N_CTX``.

Protocol: JSON lines. The parent writes requests on stdin::

    {"op": "generate", "id": 1, "messages": [...], "schema": {...},
     "max_tokens": 600, "temperature": 0.2, "repeat_penalty": 1.15,
     "decoding": "resample", "prefill": "{\"optimized_code\": \""}
    {"op": "cancel", "id": 1}

and reads, on the original stdout, ``{"ready": {...}}`` once the model is
loaded, then per request any number of ``{"id": 1, "d": "text"}`` and exactly
one of ``{"id": 1, "end": {...}}`` or ``{"id": 1, "error": {...}}``. Native
code's own prints are sent to stderr so they cannot corrupt the protocol.
Stdin closing (the parent died) stops the answer being written within a token and ends
this process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from interview_corvus.core.providers.local_fence import MODEL_PREFILL, FencedAnswer
from interview_corvus.core.providers.local_stops import (
    RUNAWAY_EVERY,
    RUNAWAY_PERIOD,
    RUNAWAY_WINDOW,
    ObjectEnd,
    is_runaway,
)

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _without_extra_buffers() -> Iterator[None]:
    """Load weights without llama.cpp's extra buffer types (runtime repacking, AMX).

    On CPUs that advertise AMX inside some VMs, batched prompt evaluation through
    those buffers crashes the process (seen with llama-cpp-python 0.3.36). The
    bundled Q4_1 model gains nothing from repacking elsewhere, so it is off.
    ``Llama`` takes no parameter for it, hence the brief swap of the defaults.
    """
    import llama_cpp.llama_cpp as lib

    original = lib.llama_model_default_params

    def defaults() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    lib.llama_model_default_params = defaults
    try:
        yield
    finally:
        lib.llama_model_default_params = original


def load_model(path: Path, n_ctx: int) -> Any:
    from interview_corvus.core.providers.local_grammar import CheckedLlama

    threads = os.cpu_count() or 1
    with _without_extra_buffers():
        return CheckedLlama(model_path=str(path), n_ctx=n_ctx, n_threads=threads,
                     n_threads_batch=threads, verbose=False)


class Worker:
    def __init__(self, llm: Any, out: IO[str]) -> None:
        self.llm = llm
        self.out = out
        self.requests: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.cancelled: set[int] = set()
        self.orphaned = False  # stdin closed: the app that asked is gone
        self.lock = threading.Lock()
        self.formatter: Any = None  # the GGUF's chat template, for free decoding

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def read_commands(self, stream: IO[str]) -> None:
        for line in stream:
            try:
                command = json.loads(line)
            except ValueError:
                continue
            if command.get("op") == "cancel":
                with self.lock:
                    self.cancelled.add(int(command.get("id", -1)))
            elif command.get("op") == "generate":
                self.requests.put(command)
        with self.lock:  # the parent is gone: stop what runs now, serve nothing more
            self.orphaned = True
        self.requests.put(None)

    def serve(self) -> None:
        while (command := self.requests.get()) is not None:
            rid = int(command["id"])
            try:
                end = self.generate(rid, command)
            except ValueError as exc:  # e.g. the prompt exceeds the context window
                self.send({"id": rid, "error": {"code": "bad_request", "message": str(exc)}})
            except Exception as exc:
                log.exception("local generation failed")
                self.send({"id": rid, "error": {"code": "internal",
                                                "message": type(exc).__name__}})
            else:
                self.send({"id": rid, "end": end})
            with self.lock:
                self.cancelled.discard(rid)

    def _is_cancelled(self, rid: int) -> bool:
        with self.lock:
            return self.orphaned or rid in self.cancelled

    def generate(self, rid: int, command: dict[str, Any]) -> dict[str, Any]:
        if self._is_cancelled(rid):
            return {"finish_reason": None, "output_tokens": 0, "after_cancel": 0,
                    "cancelled": True}
        started = time.perf_counter()
        prompt_before = self.prompt_evaluated()
        chunks = self._chunks(command)
        produced, finish = 0, None
        recent = ""  # the tail the loop detector reads, kept at its size
        cancelled_at: int | None = None
        closer = ObjectEnd()
        first_at: float | None = None
        decoding = command.get("decoding", "grammar")
        prefill = str(command.get("prefill") or "") if decoding != "grammar" else ""
        fenced = FencedAnswer() if self._fence(command) else None
        if prefill:
            self.send({"id": rid, "d": prefill})
            closer.feed(prefill)
        try:
            for chunk in chunks:
                if self._is_cancelled(rid):
                    cancelled_at = self.llm.n_tokens
                    break
                choice = chunk["choices"][0]
                if choice.get("finish_reason"):
                    finish = choice["finish_reason"]
                delta = choice["delta"].get("content") if "delta" in choice else choice["text"]
                if not delta:
                    continue
                if first_at is None:
                    first_at = time.perf_counter()
                produced += 1
                if fenced is not None:  # the code in a fence → the answer's JSON
                    delta = fenced.feed(delta)
                    if not delta:
                        continue
                end = closer.feed(delta)
                if end >= 0:  # the answer's object closed: nothing more to read
                    self.send({"id": rid, "d": delta[:end + 1]})
                    finish = "stop"
                    break
                self.send({"id": rid, "d": delta})
                recent = (recent + delta)[-(RUNAWAY_WINDOW + RUNAWAY_PERIOD):]
                if produced % RUNAWAY_EVERY == 0 and is_runaway(recent):
                    finish = "repetition"
                    break
        finally:
            chunks.close()  # stops llama.cpp at the current token
            check = getattr(self.llm, "grammar_check", None)
            self.llm.grammar_check = None
            if check is not None:
                check.close()
        ended = time.perf_counter()
        # tokens evaluated after the cancel was seen (the proof that closing stops compute)
        after = 0 if cancelled_at is None else self.llm.n_tokens - cancelled_at
        first = (first_at or ended) - started
        return {"finish_reason": finish, "output_tokens": produced, "after_cancel": after,
                "cancelled": cancelled_at is not None, "first_token_s": round(first, 4),
                "prompt_tokens": self.prompt_evaluated() - prompt_before,
                "generation_s": round(ended - (first_at or ended), 4),
                "tokens_per_s": round(produced / max(ended - (first_at or ended), 1e-9), 2)
                if produced > 1 else 0.0,
                "grammar_checked": check.checked if check is not None else 0,
                "grammar_rejected": check.rejected if check is not None else 0}

    def prompt_evaluated(self) -> int:
        """Prompt tokens llama.cpp evaluated so far (a reused prefix is not evaluated)."""
        return int(getattr(self.llm, "_corvus_prompt_tokens", 0))

    def _chunks(self, command: dict[str, Any]) -> Any:
        """llama.cpp's chunks for one request, by ``decoding``: ``grammar`` is a chat
        completion with the schema's grammar filtering the vocabulary at every token;
        ``free`` and ``resample`` continue the chat template's prompt after ``prefill``,
        ``resample`` checking each sampled token against the grammar (``local_grammar``)."""
        options = {"stream": True, "max_tokens": int(command["max_tokens"]),
                   "temperature": float(command["temperature"]),
                   "repeat_penalty": float(command["repeat_penalty"])}
        decoding = command.get("decoding", "grammar")
        if decoding == "grammar":
            with contextlib.suppress(ValueError):  # counted as the chat handler formats it
                self._count_prompt(self._prompt_tokens(command["messages"])[0])
            return self.llm.create_chat_completion(
                command["messages"],
                response_format={"type": "json_object", "schema": command["schema"]},
                **options)
        tokens, stop = self._prompt_tokens(command["messages"])
        fence = self._fence(command)
        prefill = (f"{MODEL_PREFILL}{command.get('fence_tag') or ''}\n" if fence
                   else str(command.get("prefill") or ""))
        start = self.llm.tokenize(prefill.encode("utf-8"), add_bos=False, special=False)
        tokens += start
        self._count_prompt(tokens)
        if decoding == "resample":
            from interview_corvus.core.providers.local_grammar import GrammarCheck, grammar_for

            self.llm.grammar_check = GrammarCheck(
                self.llm, grammar_for(command["schema"], fence), start)
        return self.llm.create_completion(tokens, stop=stop, **options)

    @staticmethod
    def _fence(command: dict[str, Any]) -> str:
        """The code field written in a fence (``local_fence``), or "" for plain JSON.
        Only with the grammar check, which keeps the model to that layout."""
        return str(command.get("fence") or "") if command.get("decoding") == "resample" else ""

    def _count_prompt(self, tokens: list[int]) -> None:
        """Count the prompt tokens that are not a prefix llama.cpp already holds."""
        held = list(self.llm.input_ids[:self.llm.n_tokens])
        same = 0
        for ours, theirs in zip(tokens, held, strict=False):
            if ours != theirs:
                break
            same += 1
        self.llm._corvus_prompt_tokens = self.prompt_evaluated() + len(tokens) - same

    def _prompt_tokens(self, messages: list[dict[str, str]]) -> tuple[list[int], list[str]]:
        """The model's own chat template applied to ``messages`` (ending where the
        assistant's answer begins), as tokens, and the template's stop strings."""
        if self.formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            template = self.llm.metadata.get("tokenizer.chat_template")
            if not template:
                raise ValueError("this GGUF has no chat template; use grammar decoding")
            eos, bos = self.llm.token_eos(), self.llm.token_bos()
            text = self.llm._model.token_get_text
            self.formatter = Jinja2ChatFormatter(
                template, eos_token=text(eos) if eos != -1 else "",
                bos_token=text(bos) if bos != -1 else "", add_generation_prompt=True)
        formatted = self.formatter(messages=messages)
        tokens = self.llm.tokenize(formatted.prompt.encode("utf-8"),
                                   add_bos=not formatted.added_special, special=True)
        stop = formatted.stop if isinstance(formatted.stop, list) else [formatted.stop]
        return tokens, [s for s in stop if s]


def main(argv: list[str]) -> int:
    path, n_ctx = Path(argv[0]), int(argv[1])
    # The protocol gets a private copy of stdout; fd 1 then points at stderr, so
    # anything native code prints cannot end up in the middle of a message.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    commands = sys.stdin
    try:
        llm = load_model(path, n_ctx)
    except Exception as exc:  # a file llama.cpp cannot read
        out.write(json.dumps({"failed": {"code": "bad_request", "message": str(exc)}}) + "\n")
        out.flush()
        return 1
    worker = Worker(llm, out)
    worker.send({"ready": {"n_ctx": n_ctx, "threads": os.cpu_count() or 1}})
    threading.Thread(target=worker.read_commands, args=(commands,), daemon=True).start()
    worker.serve()
    llm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
