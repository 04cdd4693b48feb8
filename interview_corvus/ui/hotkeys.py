"""Hotkeys: in-window shortcuts always; global ones where the platform allows.

Global hotkeys use pynput on X11, Windows and macOS. On Wayland, without a
display, or on Qt's offscreen platform they are off, and ``global_note`` says why
(the settings dialog shows it).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from PyQt6.QtCore import QObject, Qt, pyqtSignal
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


class HotkeyManager(QObject):
    triggered = pyqtSignal(str)  # action name, always delivered on the main thread

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self._shortcuts: list[QShortcut] = []
        self._listener: object | None = None
        self.global_enabled, self.global_note = False, ""

    def apply(self, mapping: dict[str, str], handlers: dict[str, Callable[[], None]]) -> None:
        self.stop()
        for action, sequence in mapping.items():
            if not sequence or action not in handlers:
                continue
            shortcut = QShortcut(QKeySequence(sequence), self.window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(lambda a=action: self.triggered.emit(a))
            self._shortcuts.append(shortcut)
        self.global_enabled, self.global_note = global_support()
        if self.global_enabled:
            self._start_global(mapping)
        else:
            log.info(self.global_note)

    def _start_global(self, mapping: dict[str, str]) -> None:
        try:
            from pynput import keyboard

            bindings = {to_pynput(seq): (lambda a=action: self.triggered.emit(a))
                        for action, seq in mapping.items() if seq}
            listener = keyboard.GlobalHotKeys(bindings)
            listener.daemon = True
            listener.start()
            self._listener = listener
        except Exception as exc:  # no backend, no permission (macOS accessibility)
            self.global_enabled = False
            self.global_note = f"Global hotkeys are off: {type(exc).__name__}: {exc}"
            log.warning(self.global_note)

    def stop(self) -> None:
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._shortcuts.clear()
        if self._listener is not None:
            self._listener.stop()  # type: ignore[attr-defined]
            self._listener.join(2)  # type: ignore[attr-defined]
            self._listener = None
