"""The desktop app: window, tray, hotkeys, settings and the embedded server."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PyQt6.QtCore import QObject, Qt, QTimer
from PyQt6.QtGui import QGuiApplication, QPalette
from PyQt6.QtWidgets import QApplication, QSystemTrayIcon

from interview_corvus.core.config import secrets
from interview_corvus.core.config.heap import settle
from interview_corvus.core.config.settings import Settings, load_settings
from interview_corvus.core.runs.history import HistoryStore, open_history
from interview_corvus.core.runs.hub import RunHub
from interview_corvus.core.runs.service import LLMService
from interview_corvus.ui.platform import aio
from interview_corvus.ui.platform.hotkeys import HotkeyManager, effective_hotkeys
from interview_corvus.ui.platform.icon import app_icon
from interview_corvus.ui.platform.single_instance import SingleInstance, hand_over
from interview_corvus.ui.platform.theme import apply_theme, refresh_focus_rings
from interview_corvus.ui.platform.tray import Tray
from interview_corvus.ui.settings.server_tab import SERVER_TOKEN
from interview_corvus.ui.settings.settings_dialog import SettingsDialog
from interview_corvus.ui.widgets.notices import NoticeBar
from interview_corvus.ui.window.main_window import MainWindow

if TYPE_CHECKING:
    from interview_corvus.api.server import EmbeddedServer

log = logging.getLogger(__name__)
MOVE_STEP = 40


class CorvusApp(QObject):
    """Owns the core objects and the window; applies settings without a restart."""

    def __init__(self, app: QApplication, settings: Settings | None = None,
                 service: LLMService | None = None, history: HistoryStore | None = None,
                 *, tray: bool = True) -> None:
        super().__init__()
        self.app = app
        self.loop = aio.attach(app)  # asyncio on Qt's loop (qasync) for the window's async work
        self.settings = settings or load_settings()
        self.service = service or LLMService(self.settings)
        notice = ""
        if history is None:
            history, notice = open_history()
        self.history = history
        self.hub = RunHub(self.service, self.history,
                          remote_concurrency=self.settings.server.max_concurrent_remote)
        self.window = MainWindow(self.hub, self.settings)
        if notice:  # a corrupt file moved aside, or no writable place: say where
            self.window.banner.show_error("history", notice, kept=False)
            self.window.banner.retry_button.hide()
        self.window.settings_action.triggered.connect(self.open_settings)
        self.window.open_settings.connect(self.open_settings)
        self.window.setWindowIcon(app_icon())
        self.hotkeys = HotkeyManager(self.window)
        self.hotkeys.triggered.connect(self._on_hotkey)
        self.server: EmbeddedServer | None = None
        self.server_note = ""
        self.tray: Tray | None = None
        if tray and QSystemTrayIcon.isSystemTrayAvailable():
            self._make_tray()
        self.apply(self.settings, first=True)

    # -- settings ---------------------------------------------------------
    def apply(self, settings: Settings, *, first: bool = False) -> None:
        changed_llm = settings.llm != self.settings.llm
        self.settings = settings
        if changed_llm and not first:
            self.service.apply_settings(settings)
        dark = apply_theme(self.app, settings.ui.theme)
        refresh_focus_rings(self.window)  # ringed panes take the new palette
        self.window.result.set_dark(dark)
        self.window.inputs.highlighter.set_style(dark)
        for bar in self.window.findChildren(NoticeBar):
            bar.restyle()
        self.window.window_actions.tint(self.app.palette().color(QPalette.ColorRole.ButtonText))
        self.window.setWindowOpacity(settings.ui.opacity)
        on_top = settings.ui.always_on_top
        if bool(self.window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint) != on_top:
            self.window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on_top)
            if not first:
                self.window.show()
        self.hotkeys.apply(effective_hotkeys(settings.ui.hotkeys), self._handlers())
        self._apply_server(settings)
        self.window.apply_settings(settings)
        self.window.status.set_server_url(self.server.url if self.server is not None else "")

    def open_settings(self) -> SettingsDialog:
        # the window's copy: it also holds what the window remembered (e.g. a dismissed hint)
        dialog = SettingsDialog(self.window.settings, self.window, self.hotkeys.global_note,
                                self.window.window_actions.bindings(),
                                server_port=self.server.port if self.server else None)
        # a key typed into a shortcut field is recorded, never acted on
        dialog.keys_tab.recording.connect(self.hotkeys.suspend)
        dialog.finished.connect(lambda _result: self.hotkeys.suspend(False))
        dialog.accepted.connect(lambda: self.apply(dialog.settings))
        dialog.open()
        return dialog

    def _apply_server(self, settings: Settings) -> None:
        from interview_corvus.api.server import EmbeddedServer, ServerConfigError

        wanted = settings.server
        if self.server is not None:
            running = (self.server.config.port, self.server.host)
            host = "0.0.0.0" if wanted.lan_access else "127.0.0.1"
            if wanted.enabled and running == (wanted.port, host):
                return
            self.server.stop()
            self.server = None
        if not wanted.enabled:
            self.server_note = ""
            return
        token = secrets.get_api_key(SERVER_TOKEN) if wanted.lan_access else None
        host = "0.0.0.0" if wanted.lan_access else "127.0.0.1"
        extra: tuple[str, ...] = ()
        if wanted.lan_access:
            from interview_corvus.api.server import lan_address

            address = lan_address()
            extra = (address,) if address else ()
        try:
            self.server = EmbeddedServer(self.hub, host=host, port=wanted.port, token=token,
                                         allowed_hosts=extra,
                                         rate_per_minute=wanted.rate_per_minute).start()
            self.server_note = f" · server {self.server.url}"
        except ServerConfigError as exc:
            self.server = None
            self.server_note = ""
            # said in the status bar, not a modal at every launch; the fix is in Settings
            log.warning("the HTTP server did not start: %s", exc)
            if wanted.lan_access and not token:
                from interview_corvus.ui.settings.secret_store import OPTION

                why = ("access from the local network needs a token and none is stored. Open "
                       f"Settings → Server to create one (with no keyring, tick “{OPTION}”), "
                       "or turn network access off.")
            else:
                why = f"{exc} Change it in Settings → Server."
            self.window.status.say(f"The HTTP server is off: {why}")

    # -- hotkeys and tray -------------------------------------------------
    def _handlers(self) -> dict[str, Callable[[], None]]:
        w = self.window
        return {"capture": w.capture, "solve": w.solve, "optimize": w.optimize,
                "reset": w.reset, "toggle": self.toggle_window,
                "move_up": lambda: self.move(0, -MOVE_STEP),
                "move_down": lambda: self.move(0, MOVE_STEP),
                "move_left": lambda: self.move(-MOVE_STEP, 0),
                "move_right": lambda: self.move(MOVE_STEP, 0)}

    def _on_hotkey(self, action: str) -> None:
        handler = self._handlers().get(action)
        if handler is not None:  # a run it starts reports in the tray if it ends unseen
            (self.tray.outside(handler) if self.tray is not None else handler)()

    def toggle_window(self) -> None:
        if self.window.isVisible():
            self.window.hide()
        else:
            self.bring_to_front()

    def bring_to_front(self) -> None:
        """Shown, restored if minimised, raised and focused (e.g. a second launch)."""
        window = self.window
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

    def move(self, dx: int, dy: int) -> None:
        position = self.window.pos()
        self.window.move(position.x() + dx, position.y() + dy)

    def _make_tray(self) -> None:
        """The tray icon (see ``ui.platform.tray``): a left click shows or hides the
        window; its menu has the main commands; a run it or a global hotkey started
        says in a message when it ends while the window is hidden."""
        w = self.window
        tray = Tray(w, {"show": self.bring_to_front, "optimize": w.optimize,
                        "solve": w.solve, "capture": w.capture,
                        "settings": self._on_tray_settings, "quit": self.quit}, self)
        w.run_started.connect(tray.on_run_started)
        w.run_ended.connect(tray.on_run_ended)
        tray.show()
        self.tray = tray

    def _on_tray_settings(self) -> None:
        self.bring_to_front()
        self.open_settings()

    def quit(self) -> None:
        self.window.close()
        self.shutdown()
        self.app.quit()

    def shutdown(self) -> None:
        self.hotkeys.stop()
        self.hub.shutdown("The app is closing; the run was cancelled (partial kept).")
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.service._provider is not None:
            self.service._provider.close()
        aio.detach(self.loop)


def run_app(argv: list[str] | None = None) -> int:
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("Interview Corvus")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(True)
    if hand_over():  # already running: it comes to the front instead
        log.info("Interview Corvus is already running; brought it to the front")
        return 0
    instance = SingleInstance(parent=app)
    instance.listen()
    corvus = CorvusApp(app)
    instance.activated.connect(corvus.bring_to_front)
    corvus.window.show()
    QTimer.singleShot(500, settle)  # once the window is up: shorter pauses while streaming
    app.aboutToQuit.connect(corvus.shutdown)
    return app.exec()
