"""Follow-ups in the window: the bar under an answer that continues it, and the strip
above it that shows the thread (the question, the earlier turns).

``FollowUps`` keeps the thread on show: reopening a turn of it (from the strip or
History) keeps the whole chain reachable; any other run shows its own ancestors.
``asked(parent id, message)`` starts a follow-up; ``reopen(entry)`` shows a turn.
"""

from __future__ import annotations

import contextlib

from PyQt6.QtCore import QObject, pyqtSignal

from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.follow_up import entry_of, lineage, thread
from interview_corvus.core.runs.history import RunEntry
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.ui.window.follow_up_bar import FollowUpBar
from interview_corvus.ui.window.thread_strip import ThreadStrip


class FollowUps(QObject):
    asked = pyqtSignal(str, str)  # the run followed up, the message
    reopen = pyqtSignal(object)  # RunEntry: a turn of the thread to show

    def __init__(self, hub: RunHub, bar: FollowUpBar, strip: ThreadStrip,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hub, self.bar, self.strip = hub, bar, strip
        bar.asked.connect(self._on_asked)
        strip.turn_chosen.connect(self._on_turn_chosen)

    def offer(self, run_id: str) -> None:
        """The bar continues ``run_id`` (a finished answer); nothing to continue: off."""
        with contextlib.suppress(CorvusError):
            chain = thread(self.hub, run_id)
            self.bar.set_target(run_id, len(chain) - 1, chain[-1].kind)

    def show(self, entry: RunEntry) -> RunEntry | None:
        """Show ``entry``'s thread over its answer; returns the turn whose input belongs
        in the code editor (the thread's first, when it is known), else None — a
        follow-up's message is never code."""
        if entry.parent_id and self.bar.edit.text().strip() == entry.input:
            self.bar.edit.clear()  # asked and started: the field is free again
        chain = self.strip.chain
        if not any(turn.id == entry.id for turn in chain):
            chain = lineage(self.hub, entry)
        else:  # the same thread: newer state of the shown turn, the rest kept
            chain = [entry if turn.id == entry.id else turn for turn in chain]
        self.strip.show_thread(chain, entry.id)
        return None if chain[0].parent_id else chain[0]

    def _on_asked(self, message: str) -> None:
        if self.bar.run_id is not None:
            self.asked.emit(self.bar.run_id, message)

    def _on_turn_chosen(self, run_id: str) -> None:
        entry = entry_of(self.hub, run_id)
        if entry is not None:
            self.reopen.emit(entry)
