"""Above a follow-up's answer: the question it answers and the turns before it.

A follow-up is a run of its own, so its answer replaces the one it continues; the
strip keeps the conversation readable — "You asked: now O(1) space" over the answer,
and each earlier turn a link (``turn_chosen(run id)``) that shows that turn's answer.
Hidden for a run that is not part of a thread.
"""

from __future__ import annotations

from html import escape

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from interview_corvus.core.answers.models import MODELS
from interview_corvus.core.runs.history import RunEntry

ACTION_TITLES = {"optimize": "Optimize", "solve": "Solve", "mcq": "MCQ"}
TITLE_CHARS = 40  # a turn's link: its question up to this many characters


def turn_title(entry: RunEntry) -> str:
    """How a turn is named in the strip: what was asked, short."""
    if entry.parent_id:
        text = " ".join(entry.input.split())
        short = text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS - 1] + "…"
        return f"\u201c{short}\u201d"
    action = MODELS[entry.kind].ACTION if entry.kind in MODELS else entry.kind
    title = ACTION_TITLES.get(action, action.capitalize())
    return f"{title} ({entry.language or '?'})"


class ThreadStrip(QWidget):
    turn_chosen = pyqtSignal(str)  # the id of an earlier (or later) turn to show

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.turns = QLabel()
        self.turns.setAccessibleName("Thread")
        self.turns.setWordWrap(True)
        self.turns.setTextFormat(Qt.TextFormat.RichText)
        self.turns.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.turns.linkActivated.connect(self._on_link)
        self.question = QLabel()
        self.question.setAccessibleName("Question")
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.RichText)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.turns)
        layout.addWidget(self.question)
        self.chain: list[RunEntry] = []
        self.current: str | None = None
        self.hide()

    def show_thread(self, chain: list[RunEntry], current: str) -> None:
        """``chain`` (oldest first) with ``current`` (a run id in it) as the shown turn;
        hidden when there is one turn only."""
        self.chain, self.current = chain, current
        if len(chain) < 2:
            self.hide()
            return
        links = []
        for number, entry in enumerate(chain, 1):
            title = escape(f"{number} · {turn_title(entry)}")
            links.append(f"<b>{title}</b>" if entry.id == current
                         else f'<a href="run:{escape(entry.id)}">{title}</a>')
        self.turns.setText("Thread: " + " › ".join(links))
        shown = next(entry for entry in chain if entry.id == current)
        asked = " ".join(shown.input.split()) if shown.parent_id else turn_title(shown)
        self.question.setText(f"You asked: <b>{escape(asked)}</b>")
        self.show()

    def _on_link(self, link: str) -> None:
        if link.startswith("run:"):
            self.turn_chosen.emit(link.removeprefix("run:"))
