"""Hotkeys and their settings as a user meets them (issue 18, items 1-4): one press is one
action, focused or not; a shortcut field records keys without acting on them; a reset to
defaults is what Save writes; a global hotkey cannot take a key the window uses.

The global listener is pynput; here it is a fake that keeps the bindings, and a "press"
calls one from another thread, as pynput's listener thread does."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable

import pytest
from fakes import CODE

pytest.importorskip("PyQt6")

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import QPushButton

from interview_corvus.core.config.settings import Settings, load_settings
from interview_corvus.ui.app import CorvusApp
from interview_corvus.ui.platform import hotkeys
from interview_corvus.ui.settings.settings_dialog import SettingsDialog

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
SETTLE_MS = getattr(hotkeys, "ECHO_WAIT_MS", 300) + 300  # past the wait for an echo


class FakeListener:
    """pynput.keyboard.GlobalHotKeys: keeps the bindings; never listens."""

    last: FakeListener | None = None

    def __init__(self, bindings: dict[str, Callable[[], None]]) -> None:
        self.bindings = bindings
        self.daemon = False
        FakeListener.last = self

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


def press_global(keys: str) -> None:
    """The listener hears ``keys`` (pynput's notation) and calls its binding."""
    assert FakeListener.last is not None
    thread = threading.Thread(target=FakeListener.last.bindings[keys])
    thread.start()
    thread.join(5)


@pytest.fixture
def global_hotkeys(monkeypatch):
    """Global hotkeys on, as on an X11 desktop, with the fake listener."""
    keyboard = types.ModuleType("pynput.keyboard")
    keyboard.GlobalHotKeys = FakeListener  # type: ignore[attr-defined]
    pynput = types.ModuleType("pynput")
    pynput.keyboard = keyboard  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pynput", pynput)
    monkeypatch.setitem(sys.modules, "pynput.keyboard", keyboard)
    monkeypatch.setattr(hotkeys, "global_support", lambda: (True, "Global hotkeys are on."))
    FakeListener.last = None


def activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)


def actions_of(corvus: CorvusApp) -> list[str]:
    seen: list[str] = []
    corvus.hotkeys.triggered.connect(seen.append)
    return seen


@pytest.mark.parametrize("global_first", [False, True])
def test_one_press_is_one_action_while_focused(qtbot, make_app, global_hotkeys,
                                               global_first):
    corvus = make_app()
    window = corvus.window
    assert corvus.hotkeys.global_enabled
    activate(qtbot, window)
    seen = actions_of(corvus)
    with qtbot.waitSignal(corvus.hotkeys.triggered, timeout=3000):
        if global_first:  # either copy of the press may reach the app first
            press_global("<ctrl>+<alt>+b")
        qtbot.keyClick(window.editor, Qt.Key.Key_B, CTRL_ALT)  # Qt sees it: focused
        if not global_first:
            press_global("<ctrl>+<alt>+b")
    qtbot.wait(SETTLE_MS)
    assert seen == ["toggle"]
    assert not window.isVisible()  # show/hide works while focused: hidden, not re-shown


def test_one_press_is_one_action_when_not_focused(qtbot, make_app, global_hotkeys):
    corvus = make_app()
    seen = actions_of(corvus)
    corvus.window.hide()
    with qtbot.waitSignal(corvus.hotkeys.triggered, timeout=3000):
        press_global("<ctrl>+<alt>+b")  # only the listener hears it
    qtbot.wait(SETTLE_MS)
    assert seen == ["toggle"] and corvus.window.isVisible()


def test_in_window_keys_act_where_the_listener_hears_nothing(qtbot, make_app,
                                                             global_hotkeys):
    corvus = make_app()
    activate(qtbot, corvus.window)
    seen = actions_of(corvus)
    with qtbot.waitSignal(corvus.hotkeys.triggered, timeout=3000):
        qtbot.keyClick(corvus.window.editor, Qt.Key.Key_B, CTRL_ALT)
    qtbot.wait(SETTLE_MS)
    assert seen == ["toggle"]


def test_recording_a_shortcut_does_not_trigger_it(qtbot, make_app, global_hotkeys):
    corvus = make_app()
    window = corvus.window
    dialog = corvus.open_settings()
    activate(qtbot, dialog)
    edit = dialog.key_edits["optimize"]
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=3000)
    with qtbot.assertNotEmitted(window.run_started, wait=SETTLE_MS):
        qtbot.keyClick(edit, Qt.Key.Key_O, CTRL_ALT)  # recorded by the field…
        press_global("<ctrl>+<alt>+o")  # …and heard by the listener: no Optimize
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    with qtbot.waitSignals([window.run_started, window.run_ended], order="strict",
                           timeout=20_000):
        press_global("<ctrl>+<alt>+o")  # the dialog closed: the hotkey works again


def test_reset_to_defaults_is_what_save_writes(qtbot, make_app):
    corvus = make_app()
    mine = Settings(llm=corvus.settings.llm.model_dump() | {
        "task_prompts": {"mcq": "Answer the {language} question in one line."}},
        ui={"hotkeys": {"reset": "Ctrl+Alt+X"}})
    mine.save()
    assert load_settings().ui.hotkeys == {"reset": "Ctrl+Alt+X"}
    dialog = SettingsDialog(load_settings(), corvus.window)
    qtbot.addWidget(dialog)
    button = {b.text(): b for b in dialog.findChildren(QPushButton)}
    button["Reset to defaults"].click()  # Hotkeys tab
    dialog.prompts_tab.kind.setCurrentText("mcq")
    button["Reset to default"].click()  # Prompts tab, the MCQ prompt
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        dialog.accept()
    saved = load_settings()
    assert saved.ui.hotkeys == {} and saved.llm.task_prompts == {}
    assert dialog.settings.ui.hotkeys == {} and dialog.settings.llm.task_prompts == {}


@pytest.mark.parametrize(("keys", "command"), [("Ctrl+M", "MCQ"), ("Ctrl+H", "History"),
                                               ("F5", "Retry"), ("Ctrl+Shift+P", "Capture")])
def test_a_hotkey_cannot_take_a_window_shortcut(qtbot, make_app, keys, command):
    corvus = make_app()
    dialog = corvus.open_settings()
    dialog.key_edits["reset"].setKeySequence(QKeySequence(keys))
    assert command in dialog.conflicts.text() and keys in dialog.conflicts.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Save).isEnabled()
    dialog.key_edits["reset"].setKeySequence(QKeySequence("Ctrl+Alt+X"))
    assert dialog.conflicts.text() == ""
    assert dialog.buttons.button(dialog.buttons.StandardButton.Save).isEnabled()
    dialog.reject()
    assert corvus.window.editor.toPlainText() == CODE
