"""When the local model's answer is over: its JSON object closed, or the model looping.

Both run on every token inside the model's process (``local_worker``), so both are
linear in what they read: ``ObjectEnd`` in what is fed, ``is_runaway`` in its window.
"""

from __future__ import annotations

RUNAWAY_WINDOW = 480  # characters of output checked for a loop
RUNAWAY_PERIOD = 80  # the longest repeating unit detected
RUNAWAY_EVERY = 16  # check every N tokens


def is_runaway(text: str) -> bool:
    """True when the tail of ``text`` is one short unit repeated over and over."""
    if len(text) < RUNAWAY_WINDOW + RUNAWAY_PERIOD:
        return False
    tail = text[-RUNAWAY_WINDOW - RUNAWAY_PERIOD:]
    end = len(tail)
    for period in range(1, RUNAWAY_PERIOD + 1):
        if tail[end - RUNAWAY_WINDOW:] == tail[end - RUNAWAY_WINDOW - period:end - period]:
            return True
    return False


class ObjectEnd:
    """Tells when the top-level JSON object of a text fed in pieces has closed.

    Counts braces and brackets outside strings (escapes honoured); text before the
    first ``{`` is ignored. Linear in what is fed.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.started = False
        self.in_string = False
        self.escaped = False

    def feed(self, text: str) -> int:
        """Where in ``text`` the object closed, or -1 while it is still open."""
        for index, char in enumerate(text):
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif char == "\\":
                    self.escaped = True
                elif char == '"':
                    self.in_string = False
            elif char == '"' and self.started:
                self.in_string = True
            elif char in "{[":
                self.started = True
                self.depth += 1
            elif char in "}]" and self.started:
                self.depth -= 1
                if self.depth == 0:
                    return index
        return -1
