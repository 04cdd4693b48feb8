"""Issue 18's polish list, the window's part: each test failed before its fix."""

from __future__ import annotations

import re

from fakes import CODE, OPTIMIZATION, transcript
from PyQt6.QtGui import QPixmap
from test_mcq import MCQ, QUESTION

from interview_corvus.core.answers.models import CodeSolution
from interview_corvus.core.runs.history import RunEntry


def test_a_one_line_answer_is_shown_as_an_answer_not_in_a_code_editor(
        qtbot, make_app, tmp_path):
    window = make_app(transcript(tmp_path, MCQ, delay=1)).window
    window.editor.setPlainText(QUESTION)
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.window_actions.mcq.trigger()
    result = window.result
    assert result.answer_label.isVisible() and result.answer_label.text() == "B) O(log n)"
    assert not result.tabs.isVisible()  # no line numbers round "B) O(log n)"
    assert result.copy_button.text() == "Copy answer"
    assert "O(1) space" not in window.panel.follow_up.edit.placeholderText()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()  # back to code: the editor and Copy code return
    assert result.tabs.isVisible() and not result.answer_label.isVisible()
    assert result.copy_button.text() == "Copy code"
    assert "now O(1) space" in window.panel.follow_up.edit.placeholderText()


def test_a_solution_heads_its_one_column_without_before_and_after(make_app):
    result = make_app().window.result
    result.show_model(CodeSolution(code="x = 1", language="python",
                                   time_complexity="O(n log n) where n is the number of "
                                                   "items in the list", space_complexity="O(1)"))
    assert result.complexity_title.text() == "Complexity"
    cell = result.complexity.item(0, 1)
    assert cell.toolTip() == cell.text() and "number of items" in cell.toolTip()


def test_reset_puts_the_language_back_to_the_default(make_app):
    window = make_app().window
    window.language.setCurrentText("javascript")
    window.reset()
    assert window.language.currentText() == window.settings.llm.default_language


def test_a_capture_on_a_text_only_provider_says_so_and_can_be_removed(
        qtbot, make_app, monkeypatch):
    window = make_app().window
    inputs = window.inputs
    monkeypatch.setattr(inputs.captures, "capture",
                        lambda _window: inputs.captures.add_pixmap(QPixmap(40, 30)))
    window.capture()  # the replay provider reads no images
    assert inputs.capture_note.isVisible() and "cannot read screenshots" in \
        inputs.capture_note.text()
    assert inputs.remove_capture.isVisible()
    window.capture()
    inputs.remove_capture.click()  # nothing selected: the last one goes
    assert len(inputs.captures.paths()) == 1
    inputs.remove_capture.click()
    assert not inputs.captures.paths() and not inputs.remove_capture.isVisible()
    assert not inputs.capture_note.isVisible()


def test_the_status_bar_has_no_stale_clock_and_names_the_provider_once(
        qtbot, make_app, tmp_path):
    window = make_app(transcript(tmp_path, delay=40)).window
    label = window.status.label
    assert "replay · replay" not in label.text()
    from interview_corvus.ui.window.run_text import entry_status

    same = RunEntry(id="r", kind="optimization", origin="window", provider="replay",
                    model="replay", language="python", status="done", input=CODE)
    assert entry_status(same).endswith("· replay") and "replay · replay" not in \
        entry_status(same)
    other = RunEntry(id="o", kind="optimization", origin="window", provider="openai",
                     model="gpt-4o-mini", language="python", status="done", input=CODE)
    assert entry_status(other).endswith("openai · gpt-4o-mini")
    with qtbot.waitSignal(window.run_started, timeout=5000):
        window.optimize_button.click()
    clock = re.compile(r"· \d+\.\d s")
    qtbot.waitUntil(lambda: clock.search(label.text()) is not None,
                    timeout=5000)  # the clock counts while it runs
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass
    assert clock.search(label.text()) is None, label.text()


def _stored(corvus, **fields) -> RunEntry:
    entry = RunEntry(id=fields.pop("id"), kind="optimization", origin="window",
                     provider="local", model="m", language="python", input=CODE, **fields)
    corvus.hub.history.save(entry)
    return corvus.hub.history.get(entry.id)


def test_a_reopened_interrupted_run_says_what_happened_once(make_app):
    corvus = make_app()
    window = corvus.window
    message = ("The app stopped before this run finished (it was closed, killed or "
               "crashed); what arrived is kept.")
    empty = _stored(corvus, id="empty", status="interrupted", error_code="interrupted",
                    error_message=message)
    window.history.reopen.emit(empty)
    text = window.banner.label.text()
    assert "inside the app" not in text and "cut short" in text
    assert "kept" not in text.lower()  # nothing arrived: nothing is kept
    partial = _stored(corvus, id="partial", status="interrupted", error_code="interrupted",
                      error_message=message, result={**OPTIMIZATION, "original_code": CODE})
    window.history.reopen.emit(partial)
    assert window.banner.label.text().lower().count("kept") == 1


def test_the_answer_splitter_is_remembered(qtbot, make_app):
    first = make_app()
    first.window.result.splitter.setSizes([100, 400])
    wanted = first.window.result.splitter.sizes()
    first.window.close()
    again = make_app()
    assert again.window.result.splitter.sizes() == wanted


def test_the_input_editor_colours_code_and_leaves_prose_plain(qtbot, make_app):
    window = make_app().window
    editor = window.editor

    def coloured() -> bool:
        block = editor.document().firstBlock()
        return any(r.format.foreground().color().name() != "#000000"
                   for r in block.layout().formats())

    editor.setPlainText("def f(x):\n    return x + 1\n")
    assert coloured()
    editor.setPlainText("Given an array of integers, return the indices of the two numbers "
                        "that add up to a target. You may assume that each input has exactly "
                        "one solution, and you may not use the same element twice.")
    assert not coloured()


def test_a_file_dropped_on_the_window_opens_in_the_editor(qapp, make_app, tmp_path):
    from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PyQt6.QtGui import QDragEnterEvent, QDropEvent

    window = make_app().window
    source = tmp_path / "dropped.js"
    source.write_text("function add(a, b) { return a + b; }\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    enter = QDragEnterEvent(window.rect().center(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    qapp.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(window.rect().center()), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    qapp.sendEvent(window, drop)
    assert window.editor.toPlainText().startswith("function add")
    assert window.language.currentText() == "javascript"


def test_retry_from_the_history_menu_runs_that_entry_again(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    entry = corvus.hub.history.list()[0]
    window.reset()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.history.retry.emit(entry)
    runs = corvus.hub.history.list()
    assert len(runs) == 2 and runs[0].input == entry.input and runs[0].kind == entry.kind
