"""qasync: asyncio runs inside Qt's loop for the window's async work, off the main
thread for anything blocking, and leaves no running loop behind when the app closes."""

from __future__ import annotations

import asyncio
import threading
import time

import qasync
from PyQt6.QtCore import QTimer

from interview_corvus.ui.settings.model_picker import ModelPicker
from interview_corvus.ui.settings.settings_dialog import SettingsDialog


def test_the_app_runs_asyncio_on_the_qt_loop_and_releases_it(qtbot, make_app):
    corvus = make_app()
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
    assert corvus.loop is asyncio.get_running_loop()
    corvus.window.close()
    corvus.shutdown()
    assert asyncio.run(asyncio.sleep(0, "free")) == "free"  # no loop left running


def test_test_connection_never_blocks_the_main_thread(qtbot, make_app, monkeypatch):
    corvus = make_app()
    main = threading.current_thread()
    ran_in: list[threading.Thread] = []

    def slow_check(settings, key=None):
        ran_in.append(threading.current_thread())
        time.sleep(1.0)
        return "slow but fine"

    monkeypatch.setattr("interview_corvus.core.providers.test_connection", slow_check)
    dialog = SettingsDialog(corvus.settings, corvus.window)
    qtbot.addWidget(dialog)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    shown_in: list[threading.Thread] = []
    dialog.tested.connect(lambda *_: shown_in.append(threading.current_thread()))
    with qtbot.waitSignal(dialog.tested, timeout=5000) as result:
        dialog.test_button.click()
    timer.stop()
    assert result.args == [True, "slow but fine"] and "slow but fine" in \
        dialog.test_result.text()
    assert ran_in and ran_in[0] is not main  # the blocking call ran in a worker thread
    assert shown_in == [main]  # and its result came back on the main thread
    assert len(ticks) >= 20, "the main thread kept serving events during the call"


def test_finding_models_runs_on_the_loop(qtbot, make_app):
    make_app()
    picker = ModelPicker()
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: picker.list.count() >= 1, timeout=10_000)
    assert "found" in picker.note.text() and picker.chosen() is not None


def test_runs_from_elsewhere_are_watched_on_the_loop_without_a_thread(qtbot, make_app,
                                                                      tmp_path):
    from fakes import CODE, transcript

    from interview_corvus.ui.window.worker import RunWorker

    corvus = make_app(transcript(tmp_path, delay=40))
    window = corvus.window
    run = corvus.hub.submit(corvus.service.optimization_job(CODE, "python"), origin="http",
                            input_text=CODE)
    qtbot.waitUntil(lambda: window.external_bar.isVisible(), timeout=5000)
    assert not RunWorker._running  # announced and watched by the async cursor alone
    window.external_bar.follow_button.click()  # shown on request: now a worker follows it
    assert len(RunWorker._running) == 1 and window.watching is not None
    run.finished.wait(20)
    qtbot.waitUntil(lambda: not window.external_bar.isVisible() and window.watching is None,
                    timeout=5000)
    assert window.result.code.text()  # the followed run's answer is in the panel
