"""Hotkeys: in-window shortcuts always; global ones where the platform allows.

Global hotkeys use pynput on X11, Windows and macOS. On Wayland, without a
display, or on Qt's offscreen platform they are off, and ``global_note`` says why
(the settings dialog shows it).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PyQt6.QtWidgets import QWidget

log = logging.getLogger(__name__)

ACTIONS = {
    "capture": "Capture a screenshot",
    "solve": "Solve",
    "optimize": "Optimize",
    "reset": "Reset",
    "toggle": "Show / hide the window",
    "move_up": "Move window up",
    "move_down": "Move window down",
    "move_left": "Move window left",
    "move_right": "Move window right",
}
_KEYS = {"capture": "1", "solve": "2", "optimize": "O", "reset": "R", "toggle": "B",
         "move_up": "Up", "move_down": "Down", "move_left": "Left", "move_right": "Right"}


def default_hotkeys(platform: str = sys.platform) -> dict[str, str]:
    # Qt names Cmd "Ctrl" and Control "Meta" on macOS: Cmd+Ctrl is "Ctrl+Meta" there.
    modifiers = "Ctrl+Meta" if platform == "darwin" else "Ctrl+Alt"
    return {action: f"{modifiers}+{key}" for action, key in _KEYS.items()}


def effective_hotkeys(overrides: dict[str, str]) -> dict[str, str]:
    merged = default_hotkeys()
    merged.update({k: v for k, v in overrides.items() if k in ACTIONS})
    return merged


def normalize(sequence: str) -> str:
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.PortableText)


# Shortcuts every user expects to keep their usual meaning in any text field.
_STANDARD = {
    "Copy": QKeySequence.StandardKey.Copy, "Paste": QKeySequence.StandardKey.Paste,
    "Cut": QKeySequence.StandardKey.Cut, "Undo": QKeySequence.StandardKey.Undo,
    "Redo": QKeySequence.StandardKey.Redo, "Select all": QKeySequence.StandardKey.SelectAll,
    "Save": QKeySequence.StandardKey.Save, "Open": QKeySequence.StandardKey.Open,
    "New": QKeySequence.StandardKey.New, "Close": QKeySequence.StandardKey.Close,
    "Quit": QKeySequence.StandardKey.Quit, "Find": QKeySequence.StandardKey.Find,
    "Print": QKeySequence.StandardKey.Print, "Bold": QKeySequence.StandardKey.Bold,
    "Delete": QKeySequence.StandardKey.Delete,
}


def standard_meaning(sequence: str) -> str | None:
    """The standard action ``sequence`` means (e.g. "Paste" for Ctrl+V), or None."""
    key = normalize(sequence)
    if not key:
        return None
    for name, standard in _STANDARD.items():
        if any(normalize(b.toString(QKeySequence.SequenceFormat.PortableText)) == key
               for b in QKeySequence.keyBindings(standard)):
            return name
    return None


def find_conflicts(mapping: dict[str, str]) -> dict[str, list[str]]:
    """Key sequences bound to more than one action."""
    seen: dict[str, list[str]] = {}
    for action, sequence in mapping.items():
        key = normalize(sequence)
        if key:
            seen.setdefault(key, []).append(action)
    return {key: actions for key, actions in seen.items() if len(actions) > 1}


def global_support() -> tuple[bool, str]:
    """Whether global hotkeys can work here, and a note for the user when not."""
    if os.environ.get("INTERVIEW_CORVUS_GLOBAL_HOTKEYS", "1") == "0":
        return False, "Global hotkeys are off (INTERVIEW_CORVUS_GLOBAL_HOTKEYS=0)."
    platform = QGuiApplication.platformName()
    if platform in ("offscreen", "minimal"):
        return False, "Global hotkeys are off: no real display (offscreen)."
    if sys.platform.startswith("linux"):
        if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland":
            return False, ("Global hotkeys are off on Wayland (the compositor does not allow "
                           "them); in-window shortcuts still work.")
        if not os.environ.get("DISPLAY"):
            return False, "Global hotkeys are off: no X11 display."
    try:
        import pynput  # noqa: F401
    except Exception as exc:  # pynput raises various errors without a backend
        return False, f"Global hotkeys are off: pynput is unavailable ({type(exc).__name__})."
    return True, "Global hotkeys are on."


def to_pynput(sequence: str) -> str:
    names = {"ctrl": "<ctrl>", "alt": "<alt>", "shift": "<shift>", "meta": "<cmd>",
             "up": "<up>", "down": "<down>", "left": "<left>", "right": "<right>"}
    parts = normalize(sequence).lower().split("+")
    return "+".join(names.get(p, p) for p in parts)


ECHO_WAIT_MS = 300  # how long an in-window press waits for the global listener's copy
ECHO_SPAN = 2.0  # s: a global press this old still pairs with a late in-window one


class HotkeyManager(QObject):
    """In-window shortcuts, and global hotkeys where the platform allows.

    With both on, one press reaches the app twice: from Qt (the window has focus) and
    from the global listener. Then the global press acts and the in-window copy only
    pairs with it; an in-window press with no global copy (a listener that hears
    nothing) acts after ``ECHO_WAIT_MS``. One press, one action, focused or not.
    """

    triggered = pyqtSignal(str)  # action name, always delivered on the main thread
    _global_pressed = pyqtSignal(str, float)  # from the listener's thread: action, when

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self._shortcuts: list[QShortcut] = []
        self._listener: object | None = None
        self.global_enabled, self.global_note = False, ""
        self.suspended = False  # e.g. while a shortcut field in Settings records keys
        self._unpaired: dict[str, list[float]] = {}  # global presses no window press met
        self._waiting: dict[str, QTimer] = {}  # window presses awaiting their global copy
        self._global_pressed.connect(self._on_global_pressed)

    def apply(self, mapping: dict[str, str], handlers: dict[str, Callable[[], None]]) -> None:
        self.stop()
        for action, sequence in mapping.items():
            if not sequence or action not in handlers:
                continue
            shortcut = QShortcut(QKeySequence(sequence), self.window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(lambda a=action: self._on_window_pressed(a))
            shortcut.setEnabled(not self.suspended)
            self._shortcuts.append(shortcut)
        self.global_enabled, self.global_note = global_support()
        if self.global_enabled:
            self._start_global(mapping)
        else:
            log.info(self.global_note)

    def suspend(self, suspended: bool) -> None:
        """Ignore every hotkey (in-window and global) while ``suspended``."""
        self.suspended = suspended
        for shortcut in self._shortcuts:
            shortcut.setEnabled(not suspended)
        if suspended:
            self._forget()

    def _start_global(self, mapping: dict[str, str]) -> None:
        try:
            from pynput import keyboard

            pressed = self._global_pressed
            bindings = {to_pynput(seq): (lambda a=action: pressed.emit(a, time.monotonic()))
                        for action, seq in mapping.items() if seq}
            listener = keyboard.GlobalHotKeys(bindings)
            listener.daemon = True
            listener.start()
            self._listener = listener
        except Exception as exc:  # no backend, no permission (macOS accessibility)
            self.global_enabled = False
            self.global_note = f"Global hotkeys are off: {type(exc).__name__}: {exc}"
            log.warning(self.global_note)

    def _on_global_pressed(self, action: str, when: float) -> None:
        if self.suspended:
            return
        timer = self._waiting.pop(action, None)
        if timer is not None:  # the in-window copy came first: it waited for this one
            timer.stop()
            timer.deleteLater()
        else:  # a window press may still come (focused): it will pair with this one
            kept = [t for t in self._unpaired.get(action, []) if when - t < ECHO_SPAN]
            self._unpaired[action] = [*kept, when]
        self.triggered.emit(action)

    def _on_window_pressed(self, action: str) -> None:
        if self.suspended:
            return
        if not self.global_enabled:
            self.triggered.emit(action)
            return
        now = time.monotonic()
        recent = [t for t in self._unpaired.get(action, []) if now - t < ECHO_SPAN]
        if recent:  # the global copy of this press has acted already
            recent.pop(0)
            self._unpaired[action] = recent
            return
        if action in self._waiting:
            return
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda a=action: self._on_echo_missing(a))
        self._waiting[action] = timer
        timer.start(ECHO_WAIT_MS)

    def _on_echo_missing(self, action: str) -> None:
        timer = self._waiting.pop(action, None)
        if timer is not None:
            timer.deleteLater()
        if not self.suspended:
            self.triggered.emit(action)

    def _forget(self) -> None:
        for timer in self._waiting.values():
            timer.stop()
            timer.deleteLater()
        self._waiting.clear()
        self._unpaired.clear()

    def stop(self) -> None:
        self._forget()
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._shortcuts.clear()
        if self._listener is not None:
            self._listener.stop()  # type: ignore[attr-defined]
            self._listener.join(2)  # type: ignore[attr-defined]
            self._listener = None
