"""How far an answer has come: characters received per field against expected sizes."""

from __future__ import annotations


class ProgressEstimator:
    """Progress from characters received per field against expected sizes.

    A field's expected size is a prior until it streams; a finished field counts
    at its real size, and the field in progress is assumed to need at least 15%
    more than it has. The result is clamped to be monotonic and below 1.0.
    Every call is O(1): the sums are kept up to date as fields start.
    """

    def __init__(self, expected: dict[str, float], floor: float = 0.0) -> None:
        self.expected = dict(expected)
        self.received: dict[str, int] = {}
        self.total_received = 0
        self._current: str | None = None
        self._done_total = 0.0  # real sizes of fields finished (a later one started)
        self._pending = float(sum(self.expected.values()))  # priors of fields not started
        self._value = floor  # a repair starts where the first answer's progress was

    def observe(self, field: str, chars: int) -> None:
        if field != self._current:
            if field in self.received:  # back to an earlier field: count it as current
                self._done_total -= self.received[field]
            else:
                self.received[field] = 0
                self._pending -= self.expected.get(field, 0.0)
            if self._current is not None:
                self._done_total += self.received[self._current]
            self._current = field
        self.received[field] += chars
        self.total_received += chars

    def value(self) -> float:
        current = self._current
        in_progress = 0.0
        if current is not None:
            in_progress = max(self.expected.get(current, 0.0), self.received[current] * 1.15)
        total = self._done_total + in_progress + self._pending
        estimate = self.total_received / total if total > 0 else 0.0
        if estimate > self._value:  # 4 decimals: finer than any display, cheaper on the wire
            self._value = min(round(estimate, 4), 0.99)
        return self._value
