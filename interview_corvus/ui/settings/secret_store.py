"""Where the settings dialog keeps keys when no system keyring works: the explicit,
warned choice of a file readable only by the user (``core.config.secret_file``).

The choice is offered only when it is needed: no keyring backend on this machine, a
keyring that refused a key, or a file chosen before (then it shows ticked, and
unticking it deletes the file with the keys in it when the settings are saved).
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from interview_corvus.core.config import secrets
from interview_corvus.ui.settings.forms import WrapLabel

OPTION = "Store keys in a file readable only by you"


class FileStoreOption(QWidget):
    toggled = pyqtSignal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        chosen = secrets.uses_file()
        path = secrets.file_store()
        self.box = QCheckBox(OPTION + " (not encrypted)")
        self.box.setChecked(chosen)
        self.warning = WrapLabel(
            "No system keyring works here. Ticked, API keys and the server token are saved "
            f"unencrypted in {path}: only your user account can read that file, but so can "
            "any program you run, and any backup of it. Unticking deletes the file and its "
            "keys when you save.")
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.box.setToolTip(str(path))
        self.box.toggled.connect(self.toggled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.warning)
        self.setVisible(chosen or not secrets.keyring_works())

    def chosen(self) -> bool:
        """Whether keys may go to the file (the user ticked the box)."""
        return self.box.isChecked()

    def offer(self) -> None:
        """Show the choice (a keyring just refused a key)."""
        self.show()

    def apply(self) -> None:
        """On Save: unticked after being chosen before, the file and its keys go."""
        if not self.box.isChecked() and secrets.uses_file():
            secrets.forget_file()
