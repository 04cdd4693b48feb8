"""The desktop window with pytest-qt, offscreen, on the replay provider."""

from __future__ import annotations

import keyring
import pytest
from fakes import CODE, OPTIMIZATION, transcript

pytest.importorskip("PyQt6")

import itertools

from PyQt6.QtGui import QPixmap

from interview_corvus.core.config.settings import Settings, load_settings, settings_file
from interview_corvus.core.runs.history import HistoryStore
from interview_corvus.ui.app import CorvusApp
from interview_corvus.ui.settings.settings_dialog import SettingsDialog


def test_optimize_updates_the_widgets_live(qtbot, make_app):
    window = make_app().window
    states: list[tuple[str, int, int]] = []

    def record(_model):
        states.append((window.result.code.text(), window.progress.value(),
                       len(window.result.items)))

    with qtbot.waitSignal(window.run_started, timeout=2000) as started:
        window.optimize_button.click()
    window.worker.yielded.connect(record)
    with qtbot.waitSignal(window.run_ended, timeout=20_000) as ended:
        pass
    assert ended.args == ["done"] and started.args[0].origin == "window"
    texts = [s[0] for s in states]
    assert len(set(texts)) >= 3, "intermediate states were shown, not only the final"
    assert all(b.startswith(a) for a, b in itertools.pairwise(texts))
    progress = [s[1] for s in states] + [window.progress.value()]
    assert progress == sorted(progress) and progress[-1] == 100
    assert window.result.code.text() == OPTIMIZATION["optimized_code"]
    assert len(window.result.items) == len(OPTIMIZATION["improvements"])
    assert window.result.complexity.item(0, 1).text() == "O(n)"
    assert "done in" in window.statusBar().currentMessage()
    assert window.optimize_button.isEnabled() and not window.cancel_button.isEnabled()


def test_worker_signals_in_order(qtbot, make_app):
    window = make_app().window
    seen: list[str] = []

    def attach(_run):
        worker = window.worker  # the worker is deleted once done: record, not wait
        worker.yielded.connect(lambda _m: seen.append("partial"))
        worker.returned.connect(lambda *_: seen.append("finished"))
        worker.finished.connect(lambda: seen.append("done"))

    window.run_started.connect(attach)
    with qtbot.waitSignals([window.run_started, window.run_ended], order="strict",
                           timeout=20_000):
        window.optimize_button.click()
    qtbot.waitUntil(lambda: "done" in seen, timeout=3000)
    assert seen[-2:] == ["finished", "done"] and seen[0] == "partial"
    assert set(seen[:-2]) == {"partial"}


def test_cancel_stops_the_worker_and_keeps_the_partial(qtbot, make_app, tmp_path):
    corvus = make_app(transcript(tmp_path, delay=60))
    window = corvus.window
    window.optimize_button.click()
    qtbot.waitUntil(lambda: len(window.result.code.text()) > 5, timeout=10_000)
    with qtbot.waitSignal(window.run_ended, timeout=3000) as ended:
        window.cancel_button.click()
    assert ended.args == ["cancelled"]
    kept = window.result.code.text()
    assert kept and OPTIMIZATION["optimized_code"].startswith(kept)
    qtbot.waitUntil(lambda: window.worker is None, timeout=3000)
    entry = corvus.history.list()[0]
    assert entry.status == "cancelled" and entry.result["optimized_code"]


def test_error_banner_keeps_partial_and_retry_succeeds(qtbot, make_app, tmp_path):
    window = make_app(transcript(tmp_path, delay=2, fail_after=8)).window
    with qtbot.waitSignal(window.run_ended, timeout=10_000) as ended:
        window.optimize_button.click()
    assert ended.args == ["error"]
    assert window.banner.isVisible() and window.banner.code == "unavailable"
    assert "could not answer" in window.banner.label.text()
    assert window.result.code.text()  # what arrived is kept
    qtbot.waitUntil(lambda: window.worker is None, timeout=3000)
    with qtbot.waitSignal(window.run_ended, timeout=10_000) as ended:
        window.banner.retry_button.click()  # raise lines fire on the first attempt only
    assert ended.args == ["done"] and not window.banner.isVisible()


def test_streaming_off_shows_one_complete_result(qtbot, make_app):
    window = make_app(streaming=False).window
    partials = []
    window.optimize_button.click()
    window.worker.yielded.connect(partials.append)
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass
    assert partials == []
    assert window.result.code.text() == OPTIMIZATION["optimized_code"]
    assert "streaming off" in window.status_label.text()


def test_settings_round_trip_and_apply_without_restart(qtbot, make_app, memory_keyring):
    corvus = make_app()
    dialog = SettingsDialog(corvus.settings, corvus.window)
    qtbot.addWidget(dialog)
    dialog.provider.setCurrentText("openai")
    dialog.model.setText("gpt-test")
    dialog.api_key.setText("sk-ui-secret-1234")
    dialog.streaming.setChecked(False)
    dialog.theme.setCurrentText("dark")
    dialog.opacity.setValue(0.9)
    dialog.accept()
    saved = load_settings()
    assert saved.llm.provider == "openai" and saved.llm.model == "gpt-test"
    assert saved.llm.streaming is False and saved.ui.theme == "dark"
    assert "sk-ui-secret" not in settings_file().read_text()
    assert keyring.get_password("interview-corvus", "openai") == "sk-ui-secret-1234"
    corvus.apply(dialog.settings)
    assert corvus.service.settings.llm.model == "gpt-test"
    assert corvus.service.provider.model == "gpt-test"  # rebuilt, no restart
    assert abs(corvus.window.windowOpacity() - 0.9) < 0.01
    again = SettingsDialog(saved, corvus.window)
    qtbot.addWidget(again)
    assert "1234" in again.api_key.placeholderText() and again.api_key.text() == ""


def test_hotkey_conflicts_are_detected(qtbot, make_app):
    from PyQt6.QtGui import QKeySequence

    corvus = make_app()
    dialog = SettingsDialog(corvus.settings, corvus.window)
    qtbot.addWidget(dialog)
    dialog.key_edits["solve"].setKeySequence(QKeySequence("Ctrl+Alt+O"))
    assert "Ctrl+Alt+O" in dialog.conflicts.text()
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    assert not save.isEnabled()
    dialog.key_edits["solve"].setKeySequence(QKeySequence("Ctrl+Alt+S"))
    assert save.isEnabled() and dialog.conflicts.text() == ""


def test_hotkey_actions(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    assert "offscreen" in corvus.hotkeys.global_note
    before = window.pos()
    corvus.hotkeys.triggered.emit("move_right")
    qtbot.waitUntil(lambda: window.pos().x() == before.x() + 40, timeout=1000)
    with qtbot.waitSignal(window.run_started, timeout=2000):
        corvus.hotkeys.triggered.emit("optimize")
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        pass
    corvus.hotkeys.triggered.emit("toggle")
    assert not window.isVisible()
    corvus.hotkeys.triggered.emit("toggle")
    assert window.isVisible()
    corvus.hotkeys.triggered.emit("reset")
    assert window.editor.toPlainText() == "" and window.result.code.text() == ""


def test_history_reopen(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    history = window.history
    # the empty states: what each place is for, and how to begin (with the keys)
    assert not history.empty.isHidden() and "No answers yet" in history.empty.text()
    assert not history.reopen_button.isEnabled() and not history.copy_button.isEnabled()
    hint = window.result.code.placeholderText()
    assert "Optimize (Ctrl+Enter)" in hint and "MCQ (Ctrl+M)" in hint
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    qtbot.waitUntil(lambda: window.history.list.count() == 1, timeout=3000)
    assert history.empty.isHidden()
    window.reset()
    window.history.list.setCurrentRow(0)
    assert history.reopen_button.isEnabled() and history.copy_button.isEnabled()
    window.history.reopen_button.click()
    assert window.editor.toPlainText() == CODE
    assert window.result.code.text() == OPTIMIZATION["optimized_code"]
    window.history.search.setText("no such text anywhere")
    assert window.history.list.count() == 0
    assert not history.empty.isHidden() and "Nothing in History matches" in history.empty.text()


def test_history_copies_each_kind_of_answer():
    from interview_corvus.core.runs.history import RunEntry

    def entry(kind: str, result: dict | None) -> RunEntry:
        return RunEntry(id="r", kind=kind, origin="window", provider="p", model="m",
                        language="python", input="x", created_at=0.0, result=result)

    assert entry("optimization", {"optimized_code": "a = 1"}).answer_code() == "a = 1"
    assert entry("solution", {"code": "b = 2"}).answer_code() == "b = 2"
    assert entry("mcq", {"answer": "B) O(log n)"}).answer_code() == "B) O(log n)"  # was ""
    assert entry("mcq", None).answer_code() == ""
    assert entry("nope", {"code": "c"}).answer_code() == ""


def test_a_run_started_over_http_is_announced_not_forced_on_the_user(qtbot, make_app):
    corvus = make_app()
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    window.editor.setPlainText("my own draft")
    mine = window.result.code.text()
    job = corvus.service.optimization_job("def other(): pass\n", "python")
    run = corvus.hub.submit(job, origin="http", input_text="def other(): pass\n")
    qtbot.waitUntil(lambda: window.external_bar.isVisible(), timeout=5000)
    assert "started over http" in window.external_bar.label.text()
    run.finished.wait(20)
    qtbot.waitUntil(lambda: not window.external_bar.isVisible(), timeout=5000)
    # the user's code and answer are untouched; the run is in history
    assert window.editor.toPlainText() == "my own draft"
    assert window.result.code.text() == mine
    qtbot.waitUntil(lambda: window.history.list.count() == 2, timeout=3000)


def http_run(qtbot, make_app, tmp_path):
    """An app, its window, and a slow run started over HTTP that the window announced."""
    corvus = make_app(transcript(tmp_path, delay=60))
    window = corvus.window
    run = corvus.hub.submit(corvus.service.optimization_job(CODE, "python"), origin="http",
                            input_text=CODE)
    qtbot.waitUntil(lambda: window.external_bar.isVisible(), timeout=5000)
    return corvus, window, run


def test_follow_and_cancel_a_run_started_over_http(qtbot, make_app, tmp_path):
    corvus, window, run = http_run(qtbot, make_app, tmp_path)
    window.external_bar.follow_button.click()
    assert window.watching is not None and window.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: len(window.result.code.text()) > 5, timeout=10_000)
    window.cancel_button.click()  # the window cancels a run it did not start
    assert run.finished.wait(5)
    qtbot.waitUntil(lambda: window.watching is None, timeout=5000)
    assert "cancelled" in window.statusBar().currentMessage()
    assert corvus.history.get(run.id).status == "cancelled"
    assert not window.cancel_button.isEnabled()


def test_cancel_from_the_notice(qtbot, make_app, tmp_path):
    _corvus, window, run = http_run(qtbot, make_app, tmp_path)
    window.external_bar.cancel_button.click()
    assert run.finished.wait(5)
    qtbot.waitUntil(lambda: not window.external_bar.isVisible(), timeout=5000)
    assert window.result.code.text() == ""  # never shown: the user did not ask


def test_captures_are_unique_bounded_and_deleted_on_reset(qtbot, make_app):
    window = make_app().window
    pixmap = QPixmap(40, 30)
    paths = [window.captures.add_pixmap(pixmap) for _ in range(3)]
    assert len(set(paths)) == 3 and all(p.exists() for p in paths)
    window.captures.setCurrentRow(1)
    window.captures.remove_selected()
    assert not paths[1].exists() and len(window.captures.paths()) == 2
    window.reset()
    assert not any(p.exists() for p in paths) and window.captures.paths() == []


def test_solve_with_images_needs_a_vision_provider(qtbot, make_app):
    window = make_app().window
    window.editor.clear()
    window.captures.add_pixmap(QPixmap(10, 10))
    window.solve_button.click()
    assert window.banner.isVisible() and "cannot read images" in window.banner.label.text()
    assert not window.busy


def test_embedded_server_mirrors_window_runs(qtbot, qapp, tmp_path):
    import httpx

    settings = Settings(llm={"provider": "replay", "replay_path": str(transcript(tmp_path))},
                        server={"enabled": True, "port": 0})
    corvus = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"), tray=False)
    try:
        assert corvus.server is not None and corvus.server.host == "127.0.0.1"
        window = corvus.window
        window.editor.setPlainText(CODE)
        with qtbot.waitSignal(window.run_started, timeout=2000) as started:
            window.optimize_button.click()
        run_id = started.args[0].id
        with httpx.Client(base_url=corvus.server.url, timeout=20) as client:
            body = client.get(f"/runs/{run_id}/events").text
        assert '"type":"start"' in body and '"type":"done"' in body
        qtbot.waitUntil(lambda: not window.busy, timeout=5000)
    finally:
        corvus.window.close()
        corvus.shutdown()
    assert corvus.server is None


def test_every_language_has_a_highlighter():
    from interview_corvus.core.answers.models import LANGUAGES
    from interview_corvus.ui.widgets.highlight import lexer_for

    for language in LANGUAGES:
        assert lexer_for(language).name.lower() != "text only", language


def test_test_connection_reports_clearly(qtbot, make_app, tmp_path):
    corvus = make_app()
    dialog = SettingsDialog(corvus.settings, corvus.window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.tested, timeout=5000) as ok:
        dialog.test_button.click()
    assert ok.args[0] is True and "ready" in dialog.test_result.text()
    dialog.replay.setText(str(tmp_path / "missing.jsonl"))
    with qtbot.waitSignal(dialog.tested, timeout=5000) as bad:
        dialog.test_button.click()
    assert bad.args[0] is False and "missing.jsonl" in dialog.test_result.text()
