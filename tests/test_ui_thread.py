"""Issue 18 item 11: a follow-up shows its question over its answer, the earlier turns
stay reachable, and reopening a follow-up never puts its message into the code editor."""

from __future__ import annotations

from fakes import CODE


def _optimize_then_follow_up(qtbot, window, message: str = "now O(1) space"):
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    first = window.panel.follow_up.run_id
    window.panel.follow_up.edit.setText(message)
    with qtbot.waitSignals([window.run_started, window.run_ended], order="strict",
                           timeout=20_000) as blocker:
        window.panel.follow_up.edit.returnPressed.emit()
    return first, blocker.all_signals_and_args[0].args[0]


def test_a_follow_up_shows_its_question_and_the_turn_before_it(qtbot, make_app):
    window = make_app().window
    strip = window.panel.thread_strip
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    assert not strip.isVisible()  # one turn: no thread to show
    window.panel.follow_up.edit.setText("now O(1) space")
    with qtbot.waitSignal(window.run_started, timeout=20_000):
        window.panel.follow_up.edit.returnPressed.emit()
    # while it runs, the question is already over the (empty) answer
    assert strip.isVisible() and "now O(1) space" in strip.question.text()
    assert 'href="run:' in strip.turns.text() and "1 · Optimize (python)" in strip.turns.text()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass
    assert strip.isVisible() and "<b>2 · \u201cnow O(1) space\u201d</b>" in strip.turns.text()


def test_an_earlier_turn_is_reachable_and_the_later_one_stays_so(qtbot, make_app):
    window = make_app().window
    first, run = _optimize_then_follow_up(qtbot, window)
    strip = window.panel.thread_strip
    strip.turns.linkActivated.emit(f"run:{first}")  # the link to turn 1
    assert strip.isVisible() and strip.current == first
    assert "<b>1 · Optimize (python)</b>" in strip.turns.text()
    assert f'href="run:{run.id}"' in strip.turns.text()  # turn 2 is one click away
    assert "Optimize (python)" in strip.question.text()
    assert window.panel.follow_up.run_id == first  # a follow-up from here continues turn 1
    strip.turns.linkActivated.emit(f"run:{run.id}")
    assert strip.current == run.id and "now O(1) space" in strip.question.text()


def test_reopening_a_follow_up_keeps_its_message_out_of_the_code_editor(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    _first, run = _optimize_then_follow_up(qtbot, window)
    window.reset()
    assert window.editor.toPlainText() == ""
    window.history.reopen.emit(corvus.hub.history.get(run.id))
    assert window.editor.toPlainText() == CODE  # the code the thread began with
    assert "now O(1) space" not in window.editor.toPlainText()
    strip = window.panel.thread_strip
    assert strip.isVisible() and strip.current == run.id
    assert "now O(1) space" in strip.question.text()


def test_a_thread_whose_first_turn_is_gone_leaves_the_editor_alone(qtbot, make_app):
    from fakes import OPTIMIZATION

    from interview_corvus.core.runs.history import RunEntry

    corvus = make_app()
    window = corvus.window
    orphan = RunEntry(id="orphan", kind="optimization", origin="window", provider="replay",
                      model="replay", language="python", status="done",
                      input="now O(1) space", parent_id="deleted-long-ago",
                      result={**OPTIMIZATION, "original_code": CODE, "language": "python"})
    corvus.hub.history.save(orphan)
    window.editor.setPlainText("my draft")
    window.history.reopen.emit(corvus.hub.history.get("orphan"))
    assert window.editor.toPlainText() == "my draft"
    assert window.result.code.text() == OPTIMIZATION["optimized_code"]
