"""Guess the language of pasted code from telltale lines (cheap, no model).

Each language has a few weighted patterns; the best score wins if it is clearly
ahead, otherwise there is no guess (the user's choice stays). Only the first
200 lines are read, so a huge paste costs the same as a small one.
"""

from __future__ import annotations

import re

_RULES: dict[str, list[tuple[str, int]]] = {
    "python": [(r"^\s*def \w+\(.*\)\s*(->\s*[\w\[\], .|]+)?:\s*$", 3),
               (r"^\s*(from [\w.]+ )?import \w+", 1), (r"^\s*(elif|except)\b.*:\s*$", 3),
               (r"\bself\.\w+", 2), (r"^\s*class \w+(\(.*\))?:\s*$", 3),
               (r"\bprint\(", 1), (r"\bNone\b|\bTrue\b|\bFalse\b", 1)],
    "java": [(r"\bpublic\s+(static\s+)?(final\s+)?(class|void|int|String)\b", 3),
             (r"\bSystem\.out\.print", 4), (r"\bimport java\.", 5),
             (r"\bnew \w+(<.*>)?\(", 1), (r"\bString\[\]", 3)],
    "c++": [(r"^\s*#include\s*[<\"]", 4), (r"\bstd::", 4), (r"\bcout\s*<<", 4),
            (r"\bvector<", 2), (r"\busing namespace std\b", 5)],
    "c#": [(r"\busing System(\.\w+)*;", 5), (r"\bConsole\.Write", 5),
           (r"\bnamespace \w+", 2), (r"\bpublic\s+\w+\s+\w+\s*\{\s*get;", 5),
           (r"\bvar \w+ = new\b", 1), (r"\bList<\w+>", 1)],
    "javascript": [(r"\bconsole\.log\(", 3), (r"\bfunction\s*\w*\s*\(", 2),
                   (r"\b(const|let)\s+\w+\s*=", 2), (r"=>\s*[{(\w]", 1),
                   (r"\brequire\(['\"]", 3), (r"\bmodule\.exports\b", 4)],
    "typescript": [(r"\b(interface|type)\s+\w+\s*(=|\{)", 3),
                   (r"\b\w+\s*:\s*(number|string|boolean|void)(\[\])?\b", 4),
                   (r"\bexport\s+(default\s+)?(function|class|const)\b", 1)],
    "go": [(r"^\s*package \w+", 4), (r"^\s*func (\(\w+ \*?\w+\) )?\w+\(", 4),
           (r"\bfmt\.Print", 4), (r":=", 2)],
    "rust": [(r"^\s*(pub\s+)?fn \w+(<.*>)?\(", 4), (r"\blet mut\b", 4),
             (r"\bimpl\b", 2), (r"\bprintln!\(", 5), (r"&(mut )?\w+", 0),
             (r"\bVec<", 3), (r"->\s*(i32|i64|usize|bool|String|Vec)", 3)],
    "ruby": [(r"^\s*def \w+[?!]?(\(.*\))?\s*$", 3), (r"^\s*end\s*$", 2),
             (r"\bputs\b", 3), (r"\.each do\b|\bdo \|\w+\|", 4),
             (r"^\s*require ['\"]", 2)],
    "kotlin": [(r"^\s*fun \w+\(", 4), (r"\bval \w+", 2), (r"\bprintln\(", 1),
               (r"\bvar \w+\s*:\s*\w+", 2)],
    "swift": [(r"^\s*func \w+\(.*\)\s*(->\s*\w+)?\s*\{", 4),
              (r"\bimport (Foundation|UIKit|SwiftUI)\b", 5),
              (r"\bguard let\b|\bif let\b", 4), (r"\bvar \w+\s*:\s*\[?\w+\]?", 1)],
    "sql": [(r"(?i)^\s*select\b.+\bfrom\b", 5),
            (r"(?i)^\s*(insert into|create table|update \w+ set)\b", 5),
            (r"(?i)\b(where|group by|order by|join)\b", 1)],
}
_COMPILED = {language: [(re.compile(pattern, re.MULTILINE), weight) for pattern, weight in rules]
             for language, rules in _RULES.items()}
MAX_LINES = 200


def detect_language(text: str) -> str | None:
    """The language ``text`` is most likely written in, or None when unsure."""
    sample = "\n".join(text.splitlines()[:MAX_LINES])
    if not sample.strip():
        return None
    scores = {language: sum(weight for rule, weight in rules if rule.search(sample))
              for language, rules in _COMPILED.items()}
    if scores["typescript"]:  # TypeScript is JavaScript with types: it has both's marks
        scores["typescript"] += scores["javascript"]
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= 3 and top >= second + 2:
        return best
    return None
