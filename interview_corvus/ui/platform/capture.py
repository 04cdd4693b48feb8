"""Screen capture for problems shown on screen: grab, thumbnails, remove, reset.

The app's own window is hidden during the grab (so it does not cover the
problem); up to 10 captures, each with a unique file name in the data dir,
all deleted on Reset.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from PyQt6.QtCore import QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QGuiApplication, QIcon, QPixmap
from PyQt6.QtWidgets import QListWidget, QListWidgetItem, QMessageBox, QWidget

from interview_corvus.core.config.settings import data_dir

log = logging.getLogger(__name__)

MAX_CAPTURES = 10
GRAB_DELAY_MS = 250  # let the compositor remove our window before grabbing


class CaptureStrip(QListWidget):
    changed = pyqtSignal(int)  # how many screenshots there are now

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(QSize(96, 60))
        self.setMaximumHeight(96)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setToolTip("Captured screenshots — Delete removes the selected one")
        self._paths: list[Path] = []
        self.folder = data_dir() / "captures"
        self.hide()

    def paths(self) -> list[Path]:
        return list(self._paths)

    def capture(self, window: QWidget) -> None:
        if len(self._paths) >= MAX_CAPTURES:
            QMessageBox.information(window, "Capture", f"At most {MAX_CAPTURES} screenshots; "
                                    "remove one first.")
            return
        window.hide()
        QTimer.singleShot(GRAB_DELAY_MS, lambda: self._grab(window))

    def _grab(self, window: QWidget) -> None:
        try:
            screen = QGuiApplication.primaryScreen()
            pixmap = screen.grabWindow() if screen is not None else QPixmap()
        finally:
            window.show()
        if pixmap.isNull():
            QMessageBox.warning(window, "Capture", "The screen could not be captured here.")
            return
        self.add_pixmap(pixmap)

    def add_pixmap(self, pixmap: QPixmap) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"capture-{uuid.uuid4().hex}.png"
        pixmap.save(str(path), "PNG")
        self._paths.append(path)
        item = QListWidgetItem(QIcon(pixmap.scaled(self.iconSize(),
                                                   Qt.AspectRatioMode.KeepAspectRatio)),
                               f"{len(self._paths)}")
        item.setData(Qt.ItemDataRole.UserRole, str(path))
        self.addItem(item)
        self.show()
        self.changed.emit(len(self._paths))
        return path

    def remove_selected(self) -> None:
        """Remove the selected screenshots (none selected: the last one)."""
        chosen: list[QListWidgetItem | None] = list(self.selectedItems()) or (
            [self.item(self.count() - 1)] if self.count() else [])
        for item in chosen:
            if item is None:
                continue
            path = Path(item.data(Qt.ItemDataRole.UserRole))
            self._paths.remove(path)
            path.unlink(missing_ok=True)
            self.takeItem(self.row(item))
        self.setVisible(bool(self._paths))
        self.changed.emit(len(self._paths))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_selected()
        else:
            super().keyPressEvent(event)

    def clear(self) -> None:
        for path in self._paths:
            path.unlink(missing_ok=True)
        self._paths.clear()
        super().clear()
        self.hide()
        self.changed.emit(0)
