"""Code in a fence, the rest in JSON: how a small local model writes its answer best.

Small coder models write code well in a Markdown fence and badly inside a JSON
string: measured on bench_quality with Qwen2.5-Coder-1.5B, most wrong answers were
code squeezed onto one line, a triple-quoted string closed by two quotes, or a string never closed
(prose written into the code field). So when the answer's first field is its code,
the local model is asked (by a prefilled ```` ``` ````) for::

    ```python
    def f(...):
        ...
    ```
    {"improvements": [...], "original_time_complexity": "...", ...}

and ``FencedAnswer`` turns that text, as it streams, into the JSON the rest of the
pipeline reads: ``{"optimized_code": "def f(...):\\n    ...", "improvements": ...}``.
The grammar (``local_grammar.fenced_grammar``) keeps the model to this layout: a
language tag, code without a triple backtick, the closing fence, then the JSON
object of the other fields.
"""

from __future__ import annotations

import json
import re

MODEL_PREFILL = "```"  # written for the model, with the language: the answer opens a fence
_HELD = "\n`"  # a code tail of these may still become the closing fence
_JSON_START = re.compile(r'\n\{\s*"')  # a line opening the JSON of the other fields
_JSON_OPENING = re.compile(r"\n\{\s*$")  # a tail that may still become one


class FencedAnswer:
    """Text written in the fenced layout, fed in pieces → the answer's JSON text.

    ``prefix`` is the JSON already sent for the model (``{"optimized_code": "``).
    ``feed`` returns the JSON for what it can tell so far; a tail that may be the
    start of the closing fence is held until the next piece decides it.
    """

    def __init__(self) -> None:
        self.state = "code"  # code → gap → rest (the opening fence is written for the model)
        self.held = ""

    @staticmethod
    def _escaped(code: str) -> str:
        return json.dumps(code, ensure_ascii=False)[1:-1]

    def feed(self, text: str) -> str:
        out: list[str] = []
        while text:
            if self.state == "code":
                text = self._code(self.held + text, out)
            elif self.state == "gap":  # between the closing fence and the rest's "{"
                brace = text.find("{")
                if brace < 0:
                    return "".join(out)
                out.append('", ')
                self.state, text = "rest", text[brace + 1:]
            else:
                out.append(text)
                text = ""
        return "".join(out)

    def _code(self, text: str, out: list[str]) -> str:
        """Emit the code in ``text`` up to its end: a closing fence, or a line that opens
        the JSON object (``{`` at the start of a line, then a key: a model that wrote the
        rest inside the fence); return what follows."""
        fence = text.find("```")
        start = _JSON_START.search(text)
        if start is not None and (fence < 0 or start.start() < fence):
            out.append(self._escaped(text[:start.start()].rstrip("\n")) + '", ')
            self.held, self.state = "", "rest"
            return text[start.start() + 2:]  # after the line's "{"
        if fence >= 0:
            out.append(self._escaped(text[:fence].rstrip("\n")))
            self.held, self.state = "", "gap"
            return text[fence + 3:]
        keep = len(text)
        while keep > 0 and text[keep - 1] in _HELD:
            keep -= 1
        opening = _JSON_OPENING.search(text)
        if opening is not None:
            keep = min(keep, opening.start())
        out.append(self._escaped(text[:keep]))
        self.held = text[keep:]
        return ""
