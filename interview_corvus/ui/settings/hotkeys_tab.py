"""The settings dialog's Hotkeys tab: one key sequence per action, checked as typed
(two actions on one key, a key the window already uses, or a standard shortcut such
as Ctrl+V, are refused). While a key field has the focus it records keys, and
``recording`` tells the app to suspend the global hotkeys meanwhile."""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, pyqtSignal
from PyQt6.QtGui import QKeySequence
from PyQt6.QtWidgets import (
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from interview_corvus.ui.platform.hotkeys import (
    ACTIONS,
    default_hotkeys,
    effective_hotkeys,
    find_conflicts,
    normalize,
    standard_meaning,
)
from interview_corvus.ui.platform.theme import problem_style


class HotkeysTab(QWidget):
    changed = pyqtSignal()
    recording = pyqtSignal(bool)  # a key field has (True) or lost (False) the focus

    def __init__(self, hotkeys: dict[str, str], global_note: str,
                 taken: dict[str, str] | None = None) -> None:
        """``taken``: the window's own shortcuts, key sequence → command name."""
        super().__init__()
        self.taken = {normalize(k): name for k, name in (taken or {}).items() if normalize(k)}
        self.table = QTableWidget(len(ACTIONS), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.key_edits: dict[str, QKeySequenceEdit] = {}
        current = effective_hotkeys(hotkeys)
        for row, (action, label) in enumerate(ACTIONS.items()):
            name = QTableWidgetItem(label)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)  # read, not edited
            self.table.setItem(row, 0, name)
            edit = QKeySequenceEdit(QKeySequence(current[action]))
            edit.keySequenceChanged.connect(self.changed)
            edit.installEventFilter(self)
            self.key_edits[action] = edit
            self.table.setCellWidget(row, 1, edit)
        self._fit_names()
        self.conflicts = QLabel()
        self.conflicts.setWordWrap(True)
        self.conflicts.setStyleSheet(problem_style(self.conflicts))
        reset = QPushButton("Reset to defaults")
        reset.clicked.connect(self._on_reset)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.conflicts)
        note = QLabel(global_note)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(reset)

    def _fit_names(self) -> None:
        """The action column as wide as its longest name (never clipped, whatever the font),
        the keys column taking the rest, and the table no narrower than both."""
        header, rows = self.table.horizontalHeader(), self.table.verticalHeader()
        assert header is not None and rows is not None
        rows.hide()  # row numbers say nothing here
        metrics = self.table.fontMetrics()
        padding = 2 * metrics.averageCharWidth() + 12  # the cell's margins, and to spare
        names = [metrics.horizontalAdvance(label) for label in ACTIONS.values()]
        width = max([*names, header.sectionSizeHint(0)]) + padding
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, width)
        header.setStretchLastSection(True)
        keys = max(edit.sizeHint().width() for edit in self.key_edits.values())
        frame = 2 * self.table.frameWidth()
        self.table.setMinimumWidth(width + keys + frame + 24)  # + a vertical scroll bar

    def hotkey_map(self) -> dict[str, str]:
        return {action: edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
                for action, edit in self.key_edits.items()}

    def problems(self) -> list[str]:
        """What is wrong with the keys (also shown under the table)."""
        mapping = self.hotkey_map()
        problems = [f"{keys} is used by {' and '.join(ACTIONS[a] for a in actions)}"
                    for keys, actions in find_conflicts(mapping).items()]
        for action, keys in mapping.items():
            command = self.taken.get(normalize(keys)) if keys else None
            if command:
                problems.append(f"{keys} ({ACTIONS[action]}) is the window's shortcut for "
                                f"{command}; choose another")
            meaning = standard_meaning(keys)
            if meaning:
                problems.append(f"{keys} ({ACTIONS[action]}) is the standard shortcut for "
                                f"{meaning}; choose another")
        self.conflicts.setText("; ".join(problems))
        return problems

    def changeEvent(self, event: QEvent | None) -> None:
        super().changeEvent(event)
        if event is not None and hasattr(self, "conflicts") and event.type() in (
                QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_names()  # another font (a theme): the names' widths again

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if event is not None and watched in self.key_edits.values():
            if event.type() == QEvent.Type.FocusIn:
                self.recording.emit(True)
            elif event.type() == QEvent.Type.FocusOut:
                self.recording.emit(False)
        return super().eventFilter(watched, event)

    def _on_reset(self) -> None:
        for action, sequence in default_hotkeys().items():
            self.key_edits[action].setKeySequence(QKeySequence(sequence))
        self.changed.emit()
