"""History: delete with undo, a context menu, readable rows, a snippet worth reading, and
an empty state drawn inside the list."""

from __future__ import annotations

import time

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QGuiApplication

from interview_corvus.core.runs.history import HistoryStore, RunEntry
from interview_corvus.ui.window.history_panel import UNDO_MS, HistoryPanel
from interview_corvus.ui.window.history_rows import describe, snippet, source, tooltip

ANSWER = {"optimized_code": "def f(xs):\n    return sum(xs)\n", "improvements": [],
          "explanation": "", "time_complexity": "O(n)", "space_complexity": "O(1)"}


def entry(run_id: str = "a1", *, input: str = "def f(xs):\n    return xs\n", **fields) -> RunEntry:
    values = {"kind": "optimization", "origin": "window", "provider": "openai",
              "model": "gpt-4o-mini", "language": "python", "status": "done",
              "result": ANSWER, "created_at": time.time(), "elapsed_ms": 1200.0, **fields}
    return RunEntry(id=run_id, input=input, **values)


@pytest.fixture
def panel(qtbot, tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.save(entry("old", created_at=time.time() - 60))
    store.save(entry("new", input="import os\n\ndef g():\n    pass\n", parent_id="old"))
    widget = HistoryPanel(store)
    qtbot.addWidget(widget)
    widget.resize(260, 500)
    widget.show()
    return widget


@pytest.mark.parametrize(("text", "expected"), [
    ("import os\nfrom x import y\n\ndef two_sum(nums):\n    pass", "def two_sum(nums):"),
    ("#!/usr/bin/env python\n# a comment\nx = 1\nclass A:\n    pass", "class A:"),
    ('#include <vector>\nusing namespace std;\nint main() {\n}', "int main() {"),
    ('package main\n\nimport "fmt"\n\nfunc main() {\n}', "func main() {"),
    ("// helper\nconst x = require('y');\nfunction go(a) {}", "function go(a) {}"),
    ("\n\nGiven an array of integers, return two indices.\ndef f():", "Given an array of "
     "integers, return two indices."[:43] + "…"),
    ("/tmp/a/shot1.png\n/tmp/a/shot2.png", "(2 screenshots)"),
    ("/tmp/a/shot1.png\n\nWhat does this print?", "What does this print?"),
])
def test_the_snippet_is_the_first_meaningful_line(text, expected):
    assert snippet(entry(input=text)) == expected


def test_rows_show_outcome_provider_model_and_the_whole_origin(panel, qtbot):
    failed = entry("e", status="error", origin="http", error_message="The key was refused.",
                   model="/models/Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf", provider="local")
    head = describe(failed).splitlines()[0]
    assert head.startswith("✗ failed · optimization · python")  # the outcome in words
    assert "via http" in head and "local/Qwen2.5-Coder-1.5B-In…" in head
    assert source(entry()) == "openai/gpt-4o-mini"
    assert tooltip(failed).startswith("✗ failed: The key was refused.")
    assert describe(entry()).startswith("✓ optimization · python")  # done: the mark alone
    # rows wrap to the dock's width instead of eliding "via http"
    panel.store.save(failed)
    panel.refresh()
    assert panel.list.wordWrap()
    item = panel.list.item(0)
    assert "via http" in item.text() and "failed" in item.data(
        Qt.ItemDataRole.AccessibleTextRole)
    panel.list.resize(170, 400)
    line = panel.list.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: panel.list.visualItemRect(item).height() >= 3 * line,
                    timeout=3000)


def test_delete_key_removes_and_ctrl_z_restores_exactly(panel, qtbot):
    store = panel.store
    before = store.get("new")
    panel.list.setCurrentRow(0)
    assert panel.selected().id == "new"
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert store.get("new") is None and [e.id for e in panel.entries()] == ["old"]
    assert not panel.undo_bar.isHidden() and "Deleted" in panel.undo_bar.label.text()
    assert panel.undo_timer.isActive() and panel.undo_timer.interval() == UNDO_MS == 10_000
    assert panel.selected().id == "old"  # the next run, so Delete can go on
    qtbot.keyClick(panel.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    again = store.get("new")
    assert again == before and again.parent_id == "old" and again.result == ANSWER
    assert [e.id for e in panel.entries()] == ["new", "old"] and panel.selected().id == "new"
    assert panel.undo_bar.isHidden() and not panel.undo_timer.isActive()


def test_the_undo_button_restores_and_the_offer_expires(panel, qtbot):
    panel.delete(panel.entries()[1])
    assert panel.store.get("old") is None
    panel.undo_button.click()
    assert panel.store.get("old") is not None and panel.undo_bar.isHidden()
    panel.undo_timer.setInterval(50)
    panel.list.setCurrentRow(0)
    panel.delete_button.click()
    assert panel.store.get("new") is None and not panel.undo_bar.isHidden()
    qtbot.waitUntil(panel.undo_bar.isHidden, timeout=3000)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.store.get("new") is None  # too late: gone for good


def test_the_context_menu_reopens_copies_retries_and_deletes(panel, qtbot):
    target = panel.entries()[0]
    menu = panel.context_menu(target)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert list(actions) == ["Reopen", "Copy code", "Delete"]  # Retry: nobody offers it
    with qtbot.waitSignal(panel.reopen) as reopened:
        actions["Reopen"].trigger()
    assert reopened.args[0].id == target.id
    actions["Copy code"].trigger()
    assert QGuiApplication.clipboard().text() == ANSWER["optimized_code"]
    actions["Delete"].trigger()
    assert panel.store.get(target.id) is None and not panel.undo_bar.isHidden()
    retried = []
    panel.retry.connect(retried.append)
    menu = panel.context_menu(panel.entries()[0])
    retry = next(a for a in menu.actions() if a.text() == "Retry")
    retry.trigger()
    assert [e.id for e in retried] == ["old"]
    no_code = panel.context_menu(entry("x", result=None))
    assert not next(a for a in no_code.actions() if a.text() == "Copy code").isEnabled()


def test_the_context_menu_opens_on_the_row_under_the_mouse(panel, monkeypatch):
    shown = []
    monkeypatch.setattr("PyQt6.QtWidgets.QMenu.popup", lambda menu, pos, *a: shown.append(
        [a.text() for a in menu.actions() if a.text()]))
    rect = panel.list.visualItemRect(panel.list.item(1))
    panel.list.customContextMenuRequested.emit(rect.center())
    assert panel.selected().id == "old" and shown == [["Reopen", "Copy code", "Delete"]]


def test_the_empty_state_is_drawn_inside_the_list(qtbot, tmp_path):
    panel = HistoryPanel(HistoryStore(tmp_path / "h.sqlite3"))
    qtbot.addWidget(panel)
    panel.resize(260, 500)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.empty.parent() is panel.list.viewport()  # no box above the text
    assert panel.empty.isVisible() and "No answers yet" in panel.empty.text()
    assert panel.empty.geometry() == panel.list.viewport().rect()
    assert panel.empty.alignment() & Qt.AlignmentFlag.AlignCenter
    assert panel.undo_bar.isHidden()
    panel.store.save(entry())
    panel.refresh()
    assert panel.empty.isHidden()


def test_a_run_in_progress_is_not_deleted(qtbot, make_app, tmp_path):
    from fakes import transcript

    corvus = make_app(transcript(tmp_path, delay=60))
    window = corvus.window
    with qtbot.waitSignal(window.run_started, timeout=5000) as started:
        window.optimize_button.click()
    entry = started.args[0].entry
    window.history.delete(entry)
    assert corvus.hub.history.get(entry.id) is not None
    assert "in progress" in window.history.undo_bar.label.text()
    assert not window.history.undo_button.isVisible()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.cancel()
