"""Runs and input as a user meets them (issue 18, items 5-7): replacing the input keeps
what the user typed (Ctrl+Z, and across restarts); Cancel stops a run at once on every
path, streaming or not; the first window fits the screen it opens on."""

from __future__ import annotations

import threading
import time

import pytest
from fakes import CODE, transcript

pytest.importorskip("PyQt6")

from PyQt6.QtCore import QRect
from PyQt6.QtGui import QScreen

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.providers.base import AnswerRequest, Provider, StreamInfo
from interview_corvus.core.runs.history import HistoryStore
from interview_corvus.core.runs.service import LLMService
from interview_corvus.ui.app import CorvusApp

DRAFT = "def mine(values):\n    # not run yet, not saved anywhere\n    return values\n"


def message(window) -> str:
    return window.statusBar().currentMessage()


def test_reopening_a_run_keeps_the_draft_undoable(qtbot, make_app):
    window = make_app().window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize_button.click()
    qtbot.waitUntil(lambda: window.history.list.count() == 1, timeout=3000)
    window.editor.setPlainText(DRAFT)
    window.history.reopen.emit(window.history.entries()[0])
    assert window.editor.toPlainText() == CODE
    assert "Ctrl+Z" in message(window)
    window.editor.undo()
    assert window.editor.toPlainText() == DRAFT


def test_following_an_http_run_keeps_the_draft_undoable(qtbot, make_app, tmp_path):
    corvus = make_app(transcript(tmp_path, delay=30))
    window = corvus.window
    window.editor.setPlainText(DRAFT)
    run = corvus.hub.submit(corvus.service.optimization_job(CODE, "python"), origin="http",
                            input_text=CODE)
    qtbot.waitUntil(window.external_bar.isVisible, timeout=5000)
    window.external_bar.follow_button.click()
    assert window.editor.toPlainText() == CODE
    assert "Ctrl+Z" in message(window)
    window.editor.undo()
    assert window.editor.toPlainText() == DRAFT
    assert run.finished.wait(20)


def test_the_draft_is_there_after_a_restart(qtbot, qapp, make_app, tmp_path):
    corvus = make_app()
    corvus.window.editor.setPlainText(DRAFT)
    corvus.window.language.setCurrentText("java")
    corvus.window.close()
    again = CorvusApp(qapp, corvus.settings, history=HistoryStore(tmp_path / "h.sqlite3"),
                      tray=False)
    try:
        assert again.window.editor.toPlainText() == DRAFT
        assert again.window.language.currentText() == "java"
    finally:
        again.window.close()
        again.shutdown()


class Blocking(Provider):
    """A provider whose non-streaming call blocks until released (a slow model)."""

    name = "blocking"
    supports_streaming = False

    def __init__(self) -> None:
        super().__init__("blocking-model")
        self.called = threading.Event()
        self.release = threading.Event()

    def stream(self, request: AnswerRequest, info: StreamInfo):
        raise NotImplementedError

    def complete(self, request: AnswerRequest, info: StreamInfo) -> str:
        self.called.set()
        self.release.wait(30)
        return "{}"


@pytest.fixture
def blocking_app(qapp, tmp_path):
    settings = Settings(llm={"provider": "replay", "replay_path": str(transcript(tmp_path)),
                             "streaming": False, "max_retries": 0})
    provider = Blocking()
    corvus = CorvusApp(qapp, settings, LLMService(settings, provider),
                       history=HistoryStore(tmp_path / "h.sqlite3"), tray=False)
    corvus.window.show()
    corvus.window.editor.setPlainText(CODE)
    yield corvus, provider
    provider.release.set()
    corvus.window.close()
    corvus.shutdown()


def test_cancel_with_streaming_off_stops_within_a_second(qtbot, blocking_app):
    corvus, provider = blocking_app
    window = corvus.window
    with qtbot.waitSignal(window.run_started, timeout=3000):
        window.optimize_button.click()
    assert provider.called.wait(5)
    assert window.progress.maximum() == 0  # busy: nothing arrives until the whole answer
    worker = window.worker
    assert worker is not None
    started = time.monotonic()
    with qtbot.waitSignals([worker.aborted, window.run_ended], order="strict",
                           timeout=1000) as ended:
        window.cancel_button.click()
        assert message(window) == "cancelling…"  # said at once
        assert window.progress.maximum() == 100  # the busy bar stops
        assert not window.cancel_button.isEnabled()
    assert time.monotonic() - started < 1.0
    assert ended.all_signals_and_args[-1].args == ("cancelled",)
    assert "cancelled" in message(window)
    assert window.progress.maximum() == 100
    qtbot.waitUntil(lambda: window.history.list.count() == 1, timeout=3000)
    assert corvus.history.list()[0].status == "cancelled"


def test_the_first_window_fits_the_screen(make_app):
    window = make_app().window  # a fresh home: no remembered size
    available = window.screen().availableGeometry()
    assert available.contains(window.frameGeometry())


def test_the_first_window_fits_a_1366_by_768_screen(qtbot, qapp, tmp_path, monkeypatch):
    available = QRect(0, 0, 1366, 768 - 40)  # a panel takes the bottom 40 px
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: available)
    settings = Settings(llm={"provider": "replay", "replay_path": str(transcript(tmp_path))})
    corvus = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"),
                       tray=False)
    try:
        window = corvus.window
        assert window.height() + 40 <= available.height()  # room for a title bar
        assert window.width() <= available.width()
        assert window.x() >= 0 and window.y() >= 0
        assert window.width() >= 1000  # not needlessly small
    finally:
        corvus.window.close()
        corvus.shutdown()
