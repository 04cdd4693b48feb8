"""Under the answer: follow it up ("now O(1) space", "explain line 3").

Shown while the panel shows a finished answer; the thread so far is named on
the left. ``asked(message)`` is emitted with the text (Enter or the button).
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

EXAMPLES = {  # what a follow-up of each kind of answer may ask (the placeholder)
    "optimization": "now O(1) space",
    "solution": "now without extra memory",
    "mcq": "why not the other options?",
}


class FollowUpBar(QWidget):
    asked = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thread_label = QLabel()
        self.thread_label.setAccessibleName("Thread")
        self.edit = QLineEdit()
        self.edit.setAccessibleName("Follow-up")
        self.edit.returnPressed.connect(self._on_ask)
        self.button = QPushButton("Follow up")
        self.button.setToolTip("Continue this answer as a conversation (Enter)")
        self.button.clicked.connect(self._on_ask)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thread_label)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.run_id: str | None = None
        self.set_target(None)

    def set_target(self, run_id: str | None, turns: int = 0, kind: str = "optimization") -> None:
        """The finished run a follow-up continues (None: nothing to continue), the turns
        before it and its kind of answer (the example offered)."""
        self.run_id = run_id
        example = EXAMPLES.get(kind, EXAMPLES["optimization"])
        self.edit.setPlaceholderText(f"Follow up on this answer, e.g. \u201c{example}\u201d "
                                     "(Enter)")
        for widget in (self.edit, self.button):
            widget.setEnabled(run_id is not None)
        self.setVisible(run_id is not None)  # only under an answer that can be continued
        self.thread_label.setText(f"thread · {turns + 1} answers" if turns else "")
        self.thread_label.setVisible(bool(turns))

    def _on_ask(self) -> None:
        message = self.edit.text().strip()
        if message and self.run_id is not None:  # cleared once its run starts, not before
            self.asked.emit(message)
