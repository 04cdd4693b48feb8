"""The settings dialog's Prompts tab: your own task prompt for each kind of answer.

The prompt says what to do; the answer's fields and the user's input are always
added after it. It may use ``{language}``; anything else in braces is refused by
name (``core.answers.prompts.task_problem``).
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.answers.prompts import TASKS, task_problem
from interview_corvus.ui.platform.theme import problem_style


class PromptsTab(QWidget):
    changed = pyqtSignal()

    def __init__(self, prompts: dict[str, str]) -> None:
        super().__init__()
        self.texts = {kind: prompts.get(kind) or task for kind, (task, _) in TASKS.items()}
        self.kind = QComboBox()
        self.kind.addItems(list(TASKS))
        self.kind.setAccessibleName("Kind of answer")
        self.edit = QPlainTextEdit(self.texts[self.kind.currentText()])
        self.edit.setAccessibleName("Task prompt")
        self.edit.textChanged.connect(self._on_edit)
        self.kind.currentTextChanged.connect(
            lambda kind: self.edit.setPlainText(self.texts[kind]))
        reset = QPushButton("Reset to default")
        reset.clicked.connect(
            lambda: self.edit.setPlainText(TASKS[self.kind.currentText()][0]))
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet(problem_style(self.problem_label))
        self.problem_label.setWordWrap(True)
        note = QLabel("Use {language} for the language. The answer's fields and the input "
                      "are added after your prompt.")
        note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Prompt for"))
        row.addWidget(self.kind, 1)
        row.addWidget(reset)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.edit, 1)
        layout.addWidget(note)
        layout.addWidget(self.problem_label)

    def _on_edit(self) -> None:
        self.texts[self.kind.currentText()] = self.edit.toPlainText()
        self.changed.emit()

    def overrides(self) -> dict[str, str]:
        """The prompts that differ from the defaults (the rest follow future defaults)."""
        return {kind: text for kind, text in self.texts.items()
                if text.strip() != TASKS[kind][0].strip()}

    def problems(self) -> list[str]:
        found = [f"{kind} prompt: {problem}" for kind, text in self.texts.items()
                 if (problem := task_problem(text))]
        self.problem_label.setText("; ".join(found))
        return found
