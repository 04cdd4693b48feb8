"""JSON text for line-based wire formats: SSE ``data:`` lines and JSON Lines output.

``json.dumps(..., ensure_ascii=False)`` leaves U+2028 LINE SEPARATOR, U+2029
PARAGRAPH SEPARATOR and U+0085 NEXT LINE raw inside strings. They are valid JSON,
but Python's ``str.splitlines`` (used by httpx's ``iter_lines``, older httpx-sse,
and sse-starlette itself when it frames ``data:``) and JavaScript line readers
split on them, so the event arrives cut in two and never parses. Escaped as
``\\u2028`` etc. they mean the same to every JSON reader and break no line.
"""

from __future__ import annotations

import json
from typing import Any

# characters line readers end a line at that JSON leaves raw (it escapes those below U+0020)
_LINE_BREAKS = {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"}


def line_json(payload: Any, *, compact: bool = False) -> str:
    """``payload`` as one line of JSON that no line reader splits (non-ASCII kept)."""
    separators = (",", ":") if compact else None
    return json.dumps(payload, ensure_ascii=False, separators=separators).translate(_LINE_BREAKS)
