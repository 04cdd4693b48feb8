"""History search: the words of a run's input and of its answer's text, never JSON syntax.

Stored runs are searched with SQLite FTS5 (``HistoryStore.list(query=...)``: the
``runs_text`` index, kept in step with ``runs`` by triggers that index only the
string values of the answer). Runs still in the hub are matched here in memory with
the same rules, so a search finds the runs of the current session too.

A query is words; each must occur (any order), the last token of each word as a
prefix (``two_s`` finds ``two_sum``). Punctuation separates words, as in the index:
``%``, ``_``, ``*``, quotes and NUL are never wildcards or query syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# what FTS5's unicode61 tokenizer keeps: letters and digits ("_" separates)
_TOKEN = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    """Case and diacritics folded, as the unicode61 tokenizer does."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))


def phrases(query: str) -> list[list[str]]:
    """The query's words, each as its tokens (``two_sum`` → ``[two, sum]``); words
    with no letter or digit (``%``, ``_``) are dropped."""
    found = (tokens(word) for word in query.replace("\0", " ").split())
    return [phrase for phrase in found if phrase]


def fts_query(query: str) -> str:
    """An FTS5 ``MATCH`` expression for ``query`` (every word, its last token a prefix);
    empty when the query has nothing to search for. Tokens are letters and digits
    only, so user text can never be read as FTS5 syntax."""
    return " AND ".join('"' + " ".join(phrase) + '"*' for phrase in phrases(query))


def answer_text(result: Any) -> str:
    """The text of an answer: its string values (list items included), one per line;
    no keys, numbers, booleans or JSON punctuation."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(result)
    return "\n".join(out)


def matches(texts: Iterable[str], query: str) -> bool:
    """Whether every word of ``query`` occurs in ``texts`` (the in-memory twin of the
    FTS5 search: phrase of tokens, the last one a prefix)."""
    wanted = phrases(query)
    if not wanted:
        return False
    streams = [tokens(text) for text in texts]
    return all(any(_has(stream, phrase) for stream in streams) for phrase in wanted)


def _has(stream: list[str], phrase: list[str]) -> bool:
    *whole, last = phrase
    size = len(phrase)
    for start in range(len(stream) - size + 1):
        if stream[start:start + size - 1] == whole and stream[start + size - 1].startswith(last):
            return True
    return False
