"""The tray icon: a left click brings the window (or hides it), a menu of the main
commands, and a message when a run started from outside the window ends unseen.

A left click (``Trigger``) shows, raises and activates the window; when the window is
already visible and active it hides it, like the show/hide hotkey. Where clicking the
tray takes the focus from the window first (Windows), a click therefore only ever
brings the window up: it never hides a window the user cannot see; the menu's
Show/Hide toggles it everywhere.

A run started from the tray's menu or a global hotkey (``outside``) that ends while
the window is hidden or minimised says so in a tray message: "Answer ready", or
"The run failed: …"; a cancelled run says nothing. Clicking the message shows the
window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PyQt6.QtCore import QObject
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from interview_corvus.ui.platform.icon import app_icon

if TYPE_CHECKING:
    from interview_corvus.core.runs.hub import HubRun

Activation = QSystemTrayIcon.ActivationReason
MENU = (("toggle", "Show window"), ("optimize", "Optimize"), ("solve", "Solve"),
        ("capture", "Capture"), ("", ""), ("settings", "Settings…"), ("", ""),
        ("quit", "Quit"))
RUNS = ("optimize", "solve")  # commands whose run reports back when it ends unseen
MESSAGE_MS = 8000
MAX_REASON = 200


class Tray(QObject):
    """``commands``: ``show`` (bring the window to the front), ``optimize``, ``solve``,
    ``capture``, ``settings`` and ``quit``; the window's ``run_started`` and
    ``run_ended`` go to ``on_run_started`` / ``on_run_ended``."""

    def __init__(self, window: QWidget, commands: dict[str, Callable[[], object]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.commands = commands
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip("Interview Corvus")
        self.menu = QMenu()
        self.actions: dict[str, QAction] = {}
        for name, label in MENU:
            if not name:
                self.menu.addSeparator()
                continue
            action = QAction(label, self.menu)
            action.triggered.connect(self._slot(name))
            self.menu.addAction(action)
            self.actions[name] = action
        self.menu.aboutToShow.connect(self._on_menu_shown)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self._on_message_clicked)
        self._outside = False  # a command from the tray or a global hotkey is running
        self.watched: HubRun | None = None  # the run it started, until it ends

    def show(self) -> None:
        self.icon.show()

    def _slot(self, name: str) -> Callable[[], None]:
        if name == "toggle":
            return self.toggle
        if name in RUNS:
            return self.outside(self.commands[name])
        command = self.commands[name]

        def call() -> None:
            command()
        return call

    # -- the window ---------------------------------------------------------
    def window_seen(self) -> bool:
        return self.window.isVisible() and not self.window.isMinimized()

    def toggle(self) -> None:
        """Hide the window if it is in front (visible and active), else bring it."""
        if self.window_seen() and self.window.isActiveWindow():
            self.window.hide()
        else:
            self.commands["show"]()

    def _on_menu_shown(self) -> None:
        self.actions["toggle"].setText("Hide window" if self.window_seen()
                                       else "Show window")

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (Activation.Trigger, Activation.DoubleClick):
            self.toggle()

    def _on_message_clicked(self) -> None:
        self.commands["show"]()

    # -- runs started from outside the window -------------------------------
    def outside(self, command: Callable[[], object]) -> Callable[[], None]:
        """``command`` as started from the tray or a global hotkey: a run it starts
        reports its end in a tray message if the window is not seen by then."""
        def run() -> None:
            self._outside = True
            try:
                command()
            finally:
                self._outside = False
        return run

    def on_run_started(self, run: HubRun) -> None:
        self.watched = run if self._outside else None

    def on_run_ended(self, outcome: str) -> None:
        run, self.watched = self.watched, None
        if run is None or self.window_seen() or outcome not in ("done", "error"):
            return
        if outcome == "done":
            self.icon.showMessage("Interview Corvus", "Answer ready — click to see it.",
                                  QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS)
            return
        reason = run.entry.error_message or "no reason was given"
        if len(reason) > MAX_REASON:
            reason = reason[: MAX_REASON - 1] + "…"
        self.icon.showMessage("Interview Corvus", f"The run failed: {reason}",
                              QSystemTrayIcon.MessageIcon.Warning, MESSAGE_MS)
