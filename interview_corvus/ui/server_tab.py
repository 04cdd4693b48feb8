"""The settings dialog's Server tab: the embedded HTTP server, its port, network
access and the token that network access needs (generated once, kept in the keyring)."""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import ServerSettings

SERVER_TOKEN = "server-token"


class ServerTab(QWidget):
    problem = pyqtSignal(str)  # what went wrong, for the dialog's message line

    def __init__(self, server: ServerSettings) -> None:
        super().__init__()
        self.enabled = QCheckBox("Run the HTTP server with the app")
        self.enabled.setChecked(server.enabled)
        self.port = QSpinBox()
        self.port.setRange(1024, 65535)
        self.port.setValue(server.port or 8765)
        self.lan = QCheckBox("Allow access from the local network (needs the token)")
        self.lan.setChecked(server.lan_access)
        self.token = QLineEdit()
        self.token.setReadOnly(True)
        self.token.setAccessibleName("Server token")
        self.lan.toggled.connect(self.show_token)
        form = QFormLayout(self)
        for label, field in (("", self.enabled), ("Port", self.port), ("", self.lan),
                             ("Token", self.token)):
            form.addRow(label, field)

    def values(self) -> dict[str, object]:
        return {"enabled": self.enabled.isChecked(), "port": self.port.value(),
                "lan_access": self.lan.isChecked()}

    def show_token(self, lan: bool) -> None:
        if not lan:
            self.token.setText("(only needed for network access)")
            return
        from interview_corvus.api.server import new_token

        token = secrets.get_api_key(SERVER_TOKEN)
        if not token:
            token = new_token()
            try:
                secrets.set_api_key(SERVER_TOKEN, token)
            except secrets.SecretStoreUnavailable as exc:
                self.token.clear()
                self.token.setPlaceholderText("no token: see the message below")
                self.problem.emit(f"The server token cannot be stored: {exc}")
                return
        self.token.setText(token)
