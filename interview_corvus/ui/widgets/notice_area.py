"""The place of the bars above the answer, which holds still under the pointer.

Bars come and go on their own (a run from elsewhere ends, a new run clears an error):
each time, everything below them would move. A bar that goes while the pointer is
over the panel leaves its room empty until the pointer leaves — what browsers do
for a closing tab, so that the next click lands on what the user aimed at (the
issue's case: a click meant for *Cancel run* hit *Copy code* as the bar vanished).
A bar that appears does move what is below it; its own buttons ignore clicks for
``CLICK_GUARD_S`` so a click aimed at what was there cannot press them (Firefox's
``security.dialog_enable_delay`` for the same reason).
"""

from __future__ import annotations

import time

from PyQt6.QtCore import QEvent, QObject, QTimer
from PyQt6.QtGui import QCursor
from PyQt6.QtWidgets import QAbstractButton, QVBoxLayout, QWidget

CLICK_GUARD_S = 0.6  # a bar's buttons take clicks this long after it appeared
POLL_MS = 200  # while the room is held: how often the pointer is looked for
MOUSE_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                QEvent.Type.MouseButtonDblClick)


class NoticeArea(QWidget):
    """Bars stacked (top to bottom) above ``owner``'s content: the room of a bar that
    hides under the pointer is kept until the pointer leaves ``owner``."""

    def __init__(self, bars: list[QWidget], owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self._shown_at: dict[QWidget, float] = {}
        for bar in bars:
            layout.addWidget(bar)
            bar.installEventFilter(self)
            for button in bar.findChildren(QAbstractButton):
                button.installEventFilter(self)
        self._release = QTimer(self)
        self._release.setInterval(POLL_MS)
        self._release.timeout.connect(self._on_poll)

    @property
    def holding(self) -> bool:
        """Whether an empty room is being kept for a bar that went."""
        return self._release.isActive()

    def pointer_over(self) -> bool:
        owner = self.owner
        return owner.isVisible() and owner.rect().contains(owner.mapFromGlobal(QCursor.pos()))

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is None or not isinstance(watched, QWidget):
            return False
        kind = event.type()
        if kind == QEvent.Type.Show and watched.parentWidget() is self:
            self._shown_at[watched] = time.monotonic()
        elif kind == QEvent.Type.Hide and watched.parentWidget() is self and self.pointer_over():
            self.setMinimumHeight(max(self.minimumHeight(), self.height()))
            self._release.start()
        elif kind in MOUSE_EVENTS and isinstance(watched, QAbstractButton):
            bar = watched.parentWidget()
            shown = self._shown_at.get(bar) if bar is not None else None
            return shown is not None and time.monotonic() - shown < CLICK_GUARD_S
        return False

    def release(self) -> None:
        """Give a held room back now (the user started something new: no aim to keep)."""
        self._release.stop()
        self.setMinimumHeight(0)

    def _on_poll(self) -> None:
        if not self.pointer_over():
            self.release()
