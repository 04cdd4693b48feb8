"""The answer panel: fills in as partial models arrive, doing work per change only.

Code streams in by appending the new suffix (not re-setting the text), so the
highlighter touches only new lines; lists grow item by item; labels change only
when their text does.
"""

from __future__ import annotations

import difflib
from typing import Any

from PyQt6.QtCore import Qt, QTimer, QUrl
from PyQt6.QtGui import QDesktopServices, QGuiApplication
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.core.answers.models import MODELS, StreamedAnswer
from interview_corvus.core.answers.verification import Verification
from interview_corvus.ui.answer.check_view import CheckBadge, CheckView
from interview_corvus.ui.answer.complexity import complexity_table
from interview_corvus.ui.answer.streaming_code import StreamingCode

COPY_FEEDBACK_MS = 1500
WRITING = " · writing…"  # after the title of the section being written


class ResultView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "optimization"
        self.tabs = QTabWidget(self)
        self.code = StreamingCode()
        self.diff = StreamingCode()
        self.diff.highlighter.set_language("diff")
        self.improvements = QTextBrowser()  # a rendered (markdown) bullet list
        self.improvements.setOpenLinks(False)
        self.improvements.anchorClicked.connect(self._on_link)
        self.items: list[str] = []
        self._item_states: list[bool] = []  # which items are written in full
        self._copy_label = "Copy code"
        self.copy_button = QPushButton(self._copy_label)
        self.copy_button.setToolTip("Copy the answer's code to the clipboard")
        self.copy_button.clicked.connect(self.copy_code)
        self._copy_reset = QTimer(self)
        self._copy_reset.setSingleShot(True)
        self._copy_reset.setInterval(COPY_FEEDBACK_MS)
        self._copy_reset.timeout.connect(lambda: self._say_copied(self._copy_label))
        self.complexity = complexity_table()
        self.explanation = QTextBrowser()
        self.list_title = QLabel("Improvements")
        self.extra_title = QLabel("Alternative approaches")
        self.extra = QTextBrowser()
        for browser in (self.explanation, self.extra):
            # a link leaves the pane as it is and opens in the user's browser
            browser.setOpenLinks(False)
            browser.anchorClicked.connect(self._on_link)
        self.tabs.addTab(self.code, "Code")
        self.tabs.addTab(self.diff, "Diff")
        self.check = CheckView()
        self.check_tab = self.tabs.addTab(self.check, "Check")
        self.badge = CheckBadge()
        self.tabs.setCornerWidget(self.copy_button)
        for widget, name in ((self.code, "Answer code"), (self.diff, "Diff"),
                             (self.improvements, "Improvements"),
                             (self.complexity, "Complexity"),
                             (self.explanation, "Explanation")):
            widget.setAccessibleName(name)
        details = QWidget()
        layout = QVBoxLayout(details)
        self.complexity_title = QLabel("Complexity (before → after)")
        layout.addWidget(self.complexity_title)
        layout.addWidget(self.complexity)
        layout.addWidget(self.list_title)
        layout.addWidget(self.improvements)
        self.explanation_title = QLabel("Explanation")
        layout.addWidget(self.explanation_title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.extra_title)
        layout.addWidget(self.extra)
        layout.setContentsMargins(0, 0, 0, 0)
        self.answer_label = QLabel()  # a one-line answer (an MCQ's): no code editor for it
        self.answer_label.setAccessibleName("Answer")
        self.answer_label.setWordWrap(True)
        self.answer_label.setAlignment(Qt.AlignmentFlag.AlignLeft  # at the top, not mid-pane
                                       | Qt.AlignmentFlag.AlignTop)
        self.answer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.answer_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.answer_label.setFont(font)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.answer_copy = QPushButton("Copy answer")  # beside a one-line answer
        self.answer_copy.clicked.connect(self.copy_code)
        self.answer_row = QWidget()  # shown instead of the tabs for a one-line answer
        answer_row = QHBoxLayout(self.answer_row)
        answer_row.setContentsMargins(0, 0, 0, 0)
        answer_row.addWidget(self.answer_label, 1)
        answer_row.addWidget(self.answer_copy, 0, Qt.AlignmentFlag.AlignTop)
        top_layout.addWidget(self.answer_row, 1)
        top_layout.addWidget(self.tabs, 1)
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("answerSplitter")
        splitter.addWidget(top)
        splitter.addWidget(details)
        splitter.setSizes([380, 420])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.badge)
        outer.addWidget(splitter)
        self._explanation = ""
        self._extra = ""
        self._original = ""
        self.model: StreamedAnswer | None = None
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._set_kind("optimization")

    def _set_kind(self, kind: str) -> None:
        self.kind = kind
        answer = MODELS[kind]
        compares = answer.compares()
        self.tabs.setTabVisible(1, compares)
        self.tabs.setTabVisible(self.check_tab, kind == "optimization")
        self.list_title.setText(answer.LIST_TITLE)
        self.complexity.setColumnHidden(0, not compares)
        self.complexity.setHorizontalHeaderLabels(["before", "after"] if compares
                                                  else ["", "complexity"])
        if answer.EXTRA:
            self.extra_title.setText(answer.EXTRA[1])
        self.extra_title.setVisible(answer.EXTRA is not None)
        self.tabs.setVisible(answer.SHOWS_CODE)
        self.answer_row.setVisible(not answer.SHOWS_CODE)
        self._copy_label = "Copy code" if answer.SHOWS_CODE else "Copy answer"
        self.copy_button.setText(self._copy_label)
        self.complexity_title.setText("Complexity (before → after)" if compares
                                      else "Complexity")
        self.complexity_title.setVisible(bool(answer.COMPLEXITY))  # an MCQ has none
        self.complexity.setVisible(bool(answer.COMPLEXITY))
        self.extra.setVisible(answer.EXTRA is not None)

    def clear(self, kind: str | None = None) -> None:
        """Empty; with ``kind``, laid out for that kind of answer (Reset: the default)."""
        if kind is not None and kind != self.kind:
            self._set_kind(kind)
        self.model = None
        self.code.show_text("")
        self.answer_label.clear()
        self.diff.show_text("")
        self.improvements.clear()
        self.items, self._item_states = [], []
        for row in range(2):
            for col in range(2):
                self._cell(row, col).setText("")
        self._explanation = self._extra = ""
        self.explanation.clear()
        self.extra.clear()
        self.badge.show_check(None)
        self.check.show_check(None)
        self.stop_writing()

    def stop_writing(self) -> None:
        """The answer stopped streaming (done, cancelled, failed, cleared): no section
        says "· writing…" any more, and the code shows its real lines."""
        self.code.settle()
        for label in (self.list_title, self.explanation_title, self.extra_title):
            label.setText(label.text().removesuffix(WRITING))
        self.tabs.setTabText(0, self.tabs.tabText(0).removesuffix(WRITING))

    def show_model(self, model: StreamedAnswer) -> None:
        """Bring the view up to ``model``; cost is the change, not the whole answer."""
        if self.kind != model.KIND:
            self.clear()
            self._set_kind(model.KIND)
        self.model = model
        data: dict[str, Any] = model.__dict__
        language = data.get("language") or "python"
        self.code.highlighter.set_language(language if model.SHOWS_CODE else "text")
        self.code.show_text(data[model.CODE_FIELD])
        if not model.SHOWS_CODE and self.answer_label.text() != data[model.CODE_FIELD]:
            self.answer_label.setText(data[model.CODE_FIELD])
        if model.is_complete:
            self.code.settle()
        items = data[model.LIST_FIELD]
        # a complexity shows once written in full ("O(" is no answer); "…" while it streams
        cells = [(row, col, _shown(model, name)) for row, fields in enumerate(model.COMPLEXITY)
                 for col, name in enumerate(fields[1:]) if name]
        self._show_writing(model)
        if model.EXTRA and data[model.EXTRA[0]] != self._extra:
            self._extra = data[model.EXTRA[0]]
            self.extra.setMarkdown(self._extra)
        if model.compares():
            self._original = data.get("original_code", "")
            if model.is_complete or self.tabs.currentIndex() == 1:
                self._update_diff()
        self._update_list(items, [model.field_done(f"{model.LIST_FIELD}[{i}]")
                                  for i in range(len(items))])
        for row, col, text in cells:
            item = self._cell(row, col)
            if item.text() != text:
                item.setText(text)
                item.setToolTip(text)  # a long complexity is clipped in its cell
        check = data.get("verification")
        if isinstance(check, dict):  # from the wire: a plain dict
            check = Verification.model_validate(check)
        self.badge.show_check(check)
        self.check.show_check(check)
        if data["explanation"] != self._explanation:
            self._explanation = data["explanation"]
            self.explanation.setMarkdown(self._explanation)

    def _cell(self, row: int, col: int) -> QTableWidgetItem:
        item = self.complexity.item(row, col)
        assert item is not None  # all four are made in __init__
        return item

    def _show_writing(self, model: StreamedAnswer) -> None:
        """Say which section is being written (its title gets "· writing…")."""
        prose = zip((self.explanation_title, self.extra_title), model.text_sections(),
                    strict=False)
        titles = [(self.list_title, model.LIST_TITLE, model.LIST_FIELD),
                  *((label, title, name) for label, (name, title) in prose)]
        for label, title, name in titles:
            text = title + (WRITING if model.writing(name) else "")
            if label.text() != text:
                label.setText(text)
        code = ("Code" if model.SHOWS_CODE else model.CODE_TITLE) + (
            WRITING if model.writing(model.CODE_FIELD) else "")
        if self.tabs.tabText(0) != code:
            self.tabs.setTabText(0, code)

    def _update_list(self, items: list[str], done: list[bool]) -> None:
        if items == self.items and done == self._item_states:
            return
        self.items, self._item_states = list(items), list(done)
        # one bullet per item; an item's own line breaks stay inside its bullet; the item
        # being written is in italics with "…"
        lines = []
        for item, full in zip(self.items, done, strict=True):
            text = " ".join(item.split())
            lines.append("- " + (text if full else f"*{text}…*"))
        self.improvements.setMarkdown("\n".join(lines))

    def copy_code(self) -> bool:
        """Copy the code shown; the button says so for a moment."""
        text = self.code.text()
        clipboard = QGuiApplication.clipboard()
        if not text or clipboard is None:
            self._say_copied("Nothing to copy")
        else:
            clipboard.setText(text)
            self._say_copied("Copied ✓")
        self._copy_reset.start()
        return bool(text)

    def _say_copied(self, text: str) -> None:
        for button in (self.copy_button, self.answer_copy):
            button.setText(text)

    def _update_diff(self) -> None:
        lines = difflib.unified_diff(self._original.splitlines(), self.code.text().splitlines(),
                                     "original", "optimized", lineterm="")
        self.diff.show_text("\n".join(lines))

    def _on_tab_changed(self, index: int) -> None:
        if index == 1:
            self._update_diff()

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    def set_dark(self, dark: bool) -> None:
        self.code.highlighter.set_style(dark)
        self.diff.highlighter.set_style(dark)


def _shown(model: StreamedAnswer, name: str) -> str:
    if model.field_done(name):
        return str(model.__dict__[name])
    return "…" if model.writing(name) else ""
