"""The window's keyboard routes between panes, its help dialogs, and its remembered layout.

Functions over a ``MainWindow`` (kept apart so the window class stays about runs).
"""

from __future__ import annotations

import logging

from PyQt6.QtCore import QByteArray, QSettings, QSize, Qt
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QApplication, QMainWindow, QMessageBox, QSplitter, QWidget

from interview_corvus import __version__
from interview_corvus.core.config.settings import config_dir
from interview_corvus.ui.platform.hotkeys import ACTIONS, effective_hotkeys
from interview_corvus.ui.window.input_panel import InputPanel

log = logging.getLogger(__name__)
FIRST_SIZE = QSize(1280, 800)  # the first window, where the screen has room for it


def visible(candidates: list[QWidget]) -> list[QWidget]:
    """The panes F6 moves between, in order: those of ``candidates`` that are shown."""
    return [w for w in candidates if w.isVisibleTo(w.window())]


def focus_pane(order: list[QWidget], step: int) -> None:
    """Move the focus ``step`` panes on from the focused one (F6 / Shift+F6)."""
    if not order:
        return
    focused = QApplication.focusWidget()
    index = next((i for i, w in enumerate(order)
                  if focused is not None and (w is focused or w.isAncestorOf(focused))), -1)
    target = order[(index + step) % len(order)] if index >= 0 else order[0]
    target.setFocus(Qt.FocusReason.ShortcutFocusReason)


def shortcuts_text(rows: list[tuple[str, str]], hotkeys: dict[str, str]) -> str:
    """The help dialog's text: the window's keys (``rows``: name, keys), then the global
    hotkeys (which work while another app has the focus)."""
    def table(rows: list[tuple[str, str]]) -> str:
        return "<table>" + "".join(f"<tr><td>{name}</td><td>&nbsp;&nbsp;<b>{keys}</b></td>"
                                   "</tr>" for name, keys in rows) + "</table>"

    global_rows = [(ACTIONS[action], keys.replace("<", "").replace(">", "").title())
                   for action, keys in effective_hotkeys(hotkeys).items()
                   if action in ACTIONS and keys]
    return (f"{table(rows)}<p>Tab moves between "
            "controls; in the code editor Tab indents and Ctrl+Tab moves on. F6 moves "
            "between panes.</p><p><b>Global hotkeys</b> (Settings → Hotkeys; they work "
            f"while another app has the focus):</p>{table(global_rows)}")


def show_shortcuts(parent: QWidget, rows: list[tuple[str, str]],
                   hotkeys: dict[str, str]) -> None:
    QMessageBox.information(parent, "Keyboard shortcuts", shortcuts_text(rows, hotkeys))


def show_about(window: QWidget) -> None:
    QMessageBox.about(window, "About Interview Corvus",
                      f"<b>Interview Corvus {__version__}</b><br>Structured answers to code "
                      "and problems, streamed live, on a local model or a provider of your "
                      "choice.")


def _store() -> QSettings:
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def _key(splitter: QSplitter) -> str:
    name = splitter.objectName()
    return "splitter" if name == "panes" else f"splitter_{name}"  # "splitter": older files


def restore_layout(window: QMainWindow, splitters: list[QSplitter], inputs: InputPanel) -> None:
    """The size, position, docks, splitters (by object name) and draft the user left last
    time; on the first launch a size that fits the screen."""
    store = _store()
    geometry, state = store.value("geometry"), store.value("state")
    if not isinstance(geometry, QByteArray) or not window.restoreGeometry(geometry):
        fit_to_screen(window)
    if isinstance(state, QByteArray):
        window.restoreState(state)
    for splitter in splitters:
        sizes = store.value(_key(splitter))
        if isinstance(sizes, QByteArray):
            splitter.restoreState(sizes)
    inputs.restore_draft()


def fit_to_screen(window: QWidget, wanted: QSize = FIRST_SIZE) -> None:
    """``wanted``, or less where the screen is smaller (1366×768: the frame, status bar
    and all, inside the available geometry), centred on the screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(wanted)
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry().size() - window.geometry().size()
    if frame.width() <= 0 and frame.height() <= 0:  # not shown yet: a typical frame
        frame = QSize(16, 40)
    size = wanted.boundedTo(available.size() - frame)
    window.resize(size)
    centre = available.center()
    window.move(max(available.left(), centre.x() - (size.width() + frame.width()) // 2),
                max(available.top(), centre.y() - (size.height() + frame.height()) // 2))


def save_layout(window: QMainWindow, splitters: list[QSplitter], inputs: InputPanel) -> None:
    inputs.save_draft()
    store = _store()
    store.setValue("geometry", window.saveGeometry())
    store.setValue("state", window.saveState())
    for splitter in splitters:
        store.setValue(_key(splitter), splitter.saveState())
    store.sync()
    if store.status() != QSettings.Status.NoError:
        log.warning("could not save the window layout to %s", store.fileName())
