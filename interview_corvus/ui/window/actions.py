"""The window's commands: one QAction each, with its shortcut, shown in menus,
on the toolbar and in tooltips, so every command is reachable by keyboard."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QColor, QKeySequence, QPalette
from PyQt6.QtWidgets import QMainWindow, QToolBar, QToolButton, QWidget

from interview_corvus.ui.platform.icon import line_icon

_Standard = QKeySequence.StandardKey


class WindowActions:
    """Builds the actions, menus and toolbar of ``window``; the window connects them."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.icons: dict[QAction, str] = {}  # action: its icon's name in resources/icons

        def make(text: str, keys: list[str] | QKeySequence.StandardKey | None = None,
                 icon: str | None = None, tip: str = "") -> QAction:
            action = QAction(text, window)
            if isinstance(keys, QKeySequence.StandardKey):
                action.setShortcuts(keys)
            elif keys:
                action.setShortcuts([QKeySequence(k) for k in keys])
            if icon is not None:
                self.icons[action] = icon
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            plain = text.replace("&", "").rstrip("…")
            action.setToolTip(f"{tip or plain} ({shortcut})" if shortcut else (tip or plain))
            action.setStatusTip(tip or plain)
            window.addAction(action)  # shortcuts work even with the menu bar hidden
            return action

        self.optimize = make("&Optimize", ["Ctrl+Enter", "Ctrl+Return"],
                             "optimize", "Optimize the code")
        self.solve = make("&Solve", ["Ctrl+Shift+Enter", "Ctrl+Shift+Return"],
                          "solve", "Solve the problem (text or screenshots)")
        self.mcq = make("&MCQ", ["Ctrl+M"], "mcq",
                        "Answer a multiple-choice question (paste it with its options)")
        self.cancel = make("&Cancel", ["Esc"], "cancel", "Cancel the run")
        self.retry = make("&Retry", ["F5"], "retry", "Run the last request again")
        self.capture = make("Ca&pture", ["Ctrl+Shift+P"], "capture",
                            "Capture a screenshot of the problem")
        self.reset = make("&Reset", _Standard.New, "reset",
                          "Clear the code, the answer and the screenshots")
        self.open = make("&Open…", _Standard.Open, "open", "Open a code file")
        self.settings = make("Se&ttings…", ["Ctrl+,"], "settings",
                             "Provider, model, window, server")
        self.quit = make("&Quit", _Standard.Quit)
        self.copy_code = make("&Copy answer code", ["Ctrl+Shift+C"])
        self.next_pane = make("&Next pane", ["F6"], None, "Move to the next pane")
        self.previous_pane = make("&Previous pane", ["Shift+F6"], None,
                                  "Move to the previous pane")
        self.shortcuts = make("&Keyboard shortcuts", _Standard.HelpContents)
        self.about = make("&About Interview Corvus")
        self.cancel.setEnabled(False)
        self.tint()

    def tint(self, color: QColor | None = None) -> None:
        """Draw the icons in ``color`` (default: the palette's text), e.g. after a theme
        change; disabled commands get Qt's greyed version of the same icon."""
        if color is None:
            color = self.window.palette().color(QPalette.ColorRole.ButtonText)
        for action, name in self.icons.items():
            action.setIcon(line_icon(name, color))

    def button(self, action: QAction) -> QToolButton:
        """The toolbar's button for ``action`` (named for screen readers)."""
        button = self.toolbar.widgetForAction(action)
        assert isinstance(button, QToolButton)
        button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        return button

    def build_menus(self, history_toggle: QAction) -> None:
        bar = self.window.menuBar()
        assert bar is not None
        history_toggle.setShortcut(QKeySequence("Ctrl+H"))
        history_toggle.setText("&History")
        groups: dict[str, list[QAction | None]] = {
            "&File": [self.open, None, self.settings, None, self.quit],
            "&Edit": [self.copy_code, None, self.reset],
            "&Run": [self.optimize, self.solve, self.mcq, self.cancel, self.retry, None,
                     self.capture],
            "&View": [history_toggle, None, self.next_pane, self.previous_pane],
            "&Help": [self.shortcuts, self.about],
        }
        for title, actions in groups.items():
            menu = bar.addMenu(title)
            assert menu is not None
            for action in actions:
                if action is None:
                    menu.addSeparator()
                else:
                    menu.addAction(action)

    def build_toolbar(self, extra: list[QWidget]) -> QToolBar:
        self.toolbar = toolbar = QToolBar("Actions", self.window)
        toolbar.setObjectName("actions")  # saved and restored with the window state
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.optimize, self.solve, self.mcq, self.cancel):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.capture, self.open, self.reset):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for widget in extra:
            toolbar.addWidget(widget)
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        return toolbar

    def empty_hint(self) -> str:
        """What the empty answer pane says: how to start, with the keys."""
        def named(action: QAction) -> str:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            return f"{action.text().replace('&', '')} ({keys})"

        return (f"The answer streams in here. Paste code or a problem on the left, then "
                f"{named(self.optimize)}, {named(self.solve)} or {named(self.mcq)}.")

    def bindings(self) -> dict[str, str]:
        """Every shortcut of the window's commands (menus, docks, panes): its keys
        (portable text) → the command's name; a global hotkey must not take one."""
        taken: dict[str, str] = {}
        for action in self.window.findChildren(QAction):
            name = action.text().replace("&", "").rstrip("…")
            for keys in action.shortcuts():
                text = keys.toString(QKeySequence.SequenceFormat.PortableText)
                if text and name:
                    taken.setdefault(text, name)
        return taken

    def shortcut_table(self) -> list[tuple[str, str]]:
        """(command, keys) for the help dialog: every command of the window with keys,
        the ones on its toolbar first (a dock's toggle, such as History, included)."""
        first = [self.optimize, self.solve, self.mcq, self.cancel, self.retry,
                 self.capture, self.reset, self.open, self.copy_code, self.next_pane,
                 self.previous_pane, self.settings, self.shortcuts, self.quit]
        rest = [a for a in self.window.findChildren(QAction)
                if a not in first and a.shortcuts() and a.text()]
        rows = []
        for action in [*first, *rest]:
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                             for k in action.shortcuts())
            if keys:
                rows.append((action.text().replace("&", "").rstrip("…"), keys))
        return rows
