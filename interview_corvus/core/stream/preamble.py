"""Reasoning blocks before an answer: ``<think>…</think>`` and its relatives.

Reasoning models (DeepSeek-R1, Qwen3, QwQ and servers that pass their output
through) write their thinking before the answer, often with braces in it, so
the answer's parser would take the thinking's first ``{`` for the answer's
start. ``ReasoningFilter`` drops those blocks from text fed in pieces, before
the answer has begun; a tag split across pieces is held until it is decided.
"""

from __future__ import annotations

import re

# the tags reasoning models and their servers use (lower case; matched ignoring case)
REASONING_TAGS = ("think", "thinking", "reasoning", "thought", "reflection")
_OPEN = re.compile("<(" + "|".join(REASONING_TAGS) + ")>", re.IGNORECASE)
_LONGEST_TAG = max(len(tag) for tag in REASONING_TAGS) + 3  # "</" + tag + ">"


class ReasoningFilter:
    """``feed(text)`` → ``text`` without reasoning blocks (linear in what is fed)."""

    def __init__(self) -> None:
        self._closing: str | None = None  # "</think>" while inside a block
        self._held = ""
        self.dropped = 0  # characters of reasoning dropped

    def feed(self, text: str) -> str:
        text = self._held + text
        self._held = ""
        out: list[str] = []
        while text:
            if self._closing is not None:
                end = text.lower().find(self._closing)
                if end < 0:
                    keep = _partial_suffix(text, self._closing)
                    self.dropped += len(text) - keep
                    self._held = text[len(text) - keep:] if keep else ""
                    return "".join(out)
                self.dropped += end + len(self._closing)
                text = text[end + len(self._closing):]
                self._closing = None
                continue
            match = _OPEN.search(text)
            if match is None:
                start = text.rfind("<", max(0, len(text) - _LONGEST_TAG))
                if start >= 0 and _could_open(text[start:]):
                    out.append(text[:start])
                    self._held = text[start:]
                else:
                    out.append(text)
                return "".join(out)
            out.append(text[:match.start()])
            self._closing = f"</{match.group(1).lower()}>"
            text = text[match.end():]
        return "".join(out)

    def flush(self) -> str:
        """Text held as a possible tag start when the stream ends (it was none)."""
        held, self._held = ("" if self._closing else self._held), ""
        return held


def _could_open(tail: str) -> bool:
    """Whether ``tail`` (starting with ``<``) may still become an opening tag."""
    name = tail[1:].lower()
    return any(f"{tag}>".startswith(name) for tag in REASONING_TAGS)


def _partial_suffix(text: str, closing: str) -> int:
    """The length of the longest end of ``text`` that begins ``closing``."""
    lowered = text.lower()
    for size in range(min(len(closing) - 1, len(text)), 0, -1):
        if closing.startswith(lowered[-size:]):
            return size
    return 0
