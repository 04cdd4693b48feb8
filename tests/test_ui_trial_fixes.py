"""Defects a fresh-eyes trial of the window found (each test failed before its fix)."""

from __future__ import annotations

from fakes import CODE, transcript
from PyQt6.QtCore import QPoint
from PyQt6.QtGui import QCursor
from test_mcq import MCQ, QUESTION

from interview_corvus.core.answers.models import CodeSolution
from interview_corvus.ui.widgets.editor import looks_like_prose

PROBLEM = """Given an array of integers nums and an integer target, return indices of the two
numbers such that they add up to target.

You may assume that each input would have exactly one solution, and you may not use the
same element twice.

Example 1:
Input: nums = [2,7,11,15], target = 9
Output: [0,1]
Explanation: Because nums[0] + nums[1] == 9, we return [0, 1].

Constraints:
2 <= nums.length <= 10^4"""


def test_a_follow_up_that_cannot_start_keeps_what_was_typed(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    bar = window.panel.follow_up
    typed = "now O(1) space, and " * 250  # too long: the follow-up is refused at start
    bar.edit.setText(typed)
    bar.edit.returnPressed.emit()
    assert window.banner.isVisible() and "too long" in window.banner.label.text()
    assert bar.edit.text() == typed  # kept, to be shortened


def test_a_started_follow_up_frees_the_field(qtbot, make_app):
    window = make_app().window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    bar = window.panel.follow_up
    bar.edit.setText("now O(1) space")
    with qtbot.waitSignal(window.run_started, timeout=5000):
        bar.edit.returnPressed.emit()
    assert bar.edit.text() == ""
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass


def test_problems_and_questions_read_as_prose_and_code_does_not():
    assert looks_like_prose(PROBLEM) and looks_like_prose(QUESTION)
    assert not looks_like_prose(CODE)
    assert not looks_like_prose("function add(a, b) {\n  return a + b;\n}\n")
    assert not looks_like_prose('"""Return the indices of the two numbers that add up to the '
                                'target value."""\ndef f(x):\n    return x\n')


def test_a_one_line_answer_has_a_copy_button_and_sits_at_the_top(qtbot, make_app, tmp_path):
    window = make_app(transcript(tmp_path, MCQ, delay=1)).window
    window.editor.setPlainText(QUESTION)
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.window_actions.mcq.trigger()
    result = window.result
    assert result.answer_copy.isVisible() and result.answer_copy.text() == "Copy answer"
    result.answer_copy.click()
    assert result.answer_copy.text() == "Copied ✓"
    from PyQt6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == "B) O(log n)"
    top = result.answer_label.mapTo(result, QPoint(0, 0)).y()
    assert top < 60  # at the top of the pane, not centred in it
    strip_title = window.panel.thread_strip  # an MCQ's thread is named MCQ
    from interview_corvus.ui.window.thread_strip import turn_title

    entry = window.hub.history.list()[0]
    assert turn_title(entry) == "MCQ (python)" and strip_title is not None


def test_a_new_run_gives_back_the_room_a_vanished_bar_held(qtbot, make_app):
    window = make_app().window
    bar = window.panel.external_bar
    bar.show()
    qtbot.waitUntil(lambda: bar.height() > 0)
    QCursor.setPos(window.panel.mapToGlobal(window.panel.rect().center()))
    bar.hide()
    assert window.panel.notices.holding
    with qtbot.waitSignal(window.run_started, timeout=5000):
        window.optimize_button.click()  # the user's own new run: the layout may settle
    assert not window.panel.notices.holding and window.panel.notices.minimumHeight() == 0
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass


def test_the_cannot_delete_message_goes_when_the_run_ends(qtbot, make_app, tmp_path):
    window = make_app(transcript(tmp_path, delay=60)).window
    with qtbot.waitSignal(window.run_started, timeout=5000) as started:
        window.optimize_button.click()
    window.history.delete(started.args[0].entry)
    assert window.history.undo_bar.isVisible()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.cancel()
    assert not window.history.undo_bar.isVisible()


def test_reset_lays_the_answer_out_afresh_and_f6_reaches_every_section(qtbot, make_app):
    window = make_app().window
    window.result.show_model(CodeSolution(code="x = 1", language="python",
                                          alternative_approaches="Sort first."))
    assert window.result.extra.isVisibleTo(window)
    assert window.result.extra in window.panes()  # the last section is reachable by F6
    assert window.result.extra.styleSheet()  # with the focus ring
    window.reset()
    assert window.result.kind == "optimization" and not window.result.extra.isVisibleTo(window)
    assert window.result.list_title.text() == "Improvements"


def test_following_a_run_from_elsewhere_keeps_the_replaced_note(qtbot, make_app, tmp_path):
    corvus = make_app(transcript(tmp_path, delay=40))
    window = corvus.window
    window.editor.setPlainText("# my own draft\n" + CODE)
    job = corvus.service.optimization_job("def other(xs):\n    return max(xs)\n", "python")
    run = corvus.hub.submit(job, origin="http", input_text="def other(xs):\n    return max(xs)\n")
    qtbot.waitUntil(window.external_bar.isVisible, timeout=5000)
    window.external_bar.follow_button.click()
    qtbot.waitUntil(lambda: "streaming" in window.statusBar().currentMessage(), timeout=5000)
    assert "Ctrl+Z brings it back" in window.statusBar().currentMessage()
    run.cancel()
