"""Log hygiene for every handler the app or CLI installs: no secrets, no storms."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from interview_corvus.core.redact import RedactingFilter


class RepeatFilter(logging.Filter):
    """Let a message through at most ``burst`` times per ``window`` seconds; then one
    summary with the count of what was dropped. Keeps a storm from filling a disk."""

    def __init__(self, burst: int = 5, window: float = 60.0) -> None:
        super().__init__()
        self.burst, self.window = burst, window
        self._seen: dict[tuple[str, str], list[Any]] = {}  # key → [start, count, dropped]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        # the start of the first line: messages that differ only in the details that
        # follow (addresses, timer handles, ids) count as one
        key = (record.name, str(record.msg).split("\n", 1)[0][:60])
        now = time.monotonic()
        with self._lock:
            state = self._seen.get(key)
            if state is None or now - state[0] > self.window:
                dropped = state[2] if state else 0
                self._seen[key] = [now, 1, 0]
                if len(self._seen) > 1000:
                    self._seen.clear()
                if dropped:
                    record.msg = f"{record.msg} (and {dropped} more like it in the last minute)"
                return True
            state[1] += 1
            if state[1] <= self.burst:
                return True
            state[2] += 1
            return False


def install_log_filters(logger: logging.Logger | None = None) -> None:
    """Redaction and storm control on every handler of ``logger`` (root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        for kind in (RedactingFilter, RepeatFilter):
            if not any(isinstance(f, kind) for f in handler.filters):
                handler.addFilter(kind())
