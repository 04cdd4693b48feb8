"""The tray: a left click brings the window (or hides it when it is in front), a menu
of the main commands, and a message when a run started from outside ends unseen."""

from __future__ import annotations

import pytest
from fakes import CODE, transcript
from PyQt6.QtWidgets import QSystemTrayIcon

from interview_corvus.core.config.settings import Settings
from interview_corvus.core.runs.history import HistoryStore
from interview_corvus.ui.app import CorvusApp
from interview_corvus.ui.platform.tray import Tray
from interview_corvus.ui.settings.settings_dialog import SettingsDialog

Reason = QSystemTrayIcon.ActivationReason


@pytest.fixture
def messages(monkeypatch):
    """What the tray said (title, text), instead of a real notification."""
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "showMessage",
                        lambda icon, title, text, *rest: said.append((title, text)))
    return said


@pytest.fixture
def make_tray_app(qapp, tmp_path, monkeypatch, messages):
    """The app as users get it, with a tray (offscreen has none: it is said to exist)."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    apps: list[CorvusApp] = []

    def make(path=None) -> CorvusApp:
        settings = Settings(llm={"provider": "replay",
                                 "replay_path": str(path or transcript(tmp_path))})
        corvus = CorvusApp(qapp, settings, history=HistoryStore(tmp_path / "h.sqlite3"))
        corvus.window.editor.setPlainText(CODE)
        apps.append(corvus)
        return corvus

    yield make
    for corvus in apps:
        if corvus.tray is not None:
            corvus.tray.icon.hide()
        corvus.window.close()
        corvus.shutdown()


def test_the_menu_has_the_main_commands(qtbot, make_tray_app):
    corvus = make_tray_app()
    tray = corvus.tray
    assert isinstance(tray, Tray)
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Show window", "Optimize", "Solve", "Capture", "Settings…", "Quit"]
    corvus.window.show()
    tray.menu.aboutToShow.emit()
    assert tray.actions["toggle"].text() == "Hide window"
    captured = []
    corvus.window.inputs.capture = lambda *args: captured.append(args)
    tray.actions["capture"].trigger()
    assert len(captured) == 1
    corvus.window.hide()
    tray.actions["settings"].trigger()  # the window comes up with the dialog over it
    assert corvus.window.isVisible()
    dialog = corvus.window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_a_left_click_shows_the_window_and_hides_it_when_in_front(qtbot, make_tray_app):
    corvus = make_tray_app()
    window, tray = corvus.window, corvus.tray
    assert not window.isVisible()
    tray.icon.activated.emit(Reason.Trigger)
    assert window.isVisible()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    tray.icon.activated.emit(Reason.Context)  # the menu: nothing else
    assert window.isVisible()
    tray.icon.activated.emit(Reason.Trigger)
    assert not window.isVisible()
    window.showMinimized()
    tray.icon.activated.emit(Reason.Trigger)
    assert window.isVisible() and not window.isMinimized()


def test_a_run_from_the_tray_says_when_it_ends_unseen(qtbot, make_tray_app, messages):
    corvus = make_tray_app()
    window, tray = corvus.window, corvus.tray
    with qtbot.waitSignal(window.run_ended, timeout=20_000) as ended:
        tray.actions["optimize"].trigger()
    assert ended.args == ["done"] and not window.isVisible()
    assert len(messages) == 1 and "Answer ready" in messages[0][1]
    tray.icon.messageClicked.emit()
    assert window.isVisible()


def test_a_failed_run_says_why_and_a_cancelled_one_says_nothing(qtbot, make_tray_app,
                                                                messages, tmp_path):
    corvus = make_tray_app(transcript(tmp_path, delay=2, fail_after=8))
    window, tray = corvus.window, corvus.tray
    with qtbot.waitSignal(window.run_ended, timeout=20_000) as ended:
        tray.actions["solve"].trigger()
    assert ended.args == ["error"]
    assert len(messages) == 1 and messages[0][1].startswith("The run failed: ")
    assert len(messages[0][1]) > len("The run failed: ") + 5
    corvus.service.apply_settings(Settings(llm={
        "provider": "replay", "replay_path": str(transcript(tmp_path, delay=60))}))
    qtbot.waitUntil(lambda: window.worker is None, timeout=3000)
    with qtbot.waitSignal(window.run_started, timeout=3000):
        tray.actions["optimize"].trigger()
    qtbot.waitUntil(lambda: len(window.result.code.text()) > 5, timeout=10_000)
    with qtbot.waitSignal(window.run_ended, timeout=10_000) as ended:
        window.cancel()
    assert ended.args == ["cancelled"] and len(messages) == 1


def test_a_global_hotkey_run_reports_only_when_unseen(qtbot, make_tray_app, messages):
    corvus = make_tray_app()
    window = corvus.window
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        corvus.hotkeys.triggered.emit("optimize")  # the window is hidden
    assert [text for _title, text in messages if "Answer ready" in text]
    messages.clear()
    qtbot.waitUntil(lambda: window.worker is None, timeout=3000)
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        window.optimize()  # from the window itself, even hidden: no message
    assert messages == []
    window.show()
    with qtbot.waitSignal(window.run_ended, timeout=20_000):
        corvus.hotkeys.triggered.emit("solve")  # seen when it ends: no message
    assert messages == []
