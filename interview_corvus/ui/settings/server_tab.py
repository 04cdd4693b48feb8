"""The settings dialog's Server tab: the embedded HTTP server, its port, network
access and the token that network access needs (generated once, kept in the keyring,
or in the file store when the user chose it because no keyring works).

A port another program already listens on is a problem (Save waits for another
port), unless it is the port this app's own server is running on."""

from __future__ import annotations

import logging
import os
import socket

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from interview_corvus.core.config import secrets
from interview_corvus.core.config.settings import ServerSettings
from interview_corvus.ui.platform.theme import problem_style
from interview_corvus.ui.settings.forms import WrapLabel
from interview_corvus.ui.settings.secret_store import OPTION

log = logging.getLogger(__name__)
SERVER_TOKEN = "server-token"


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens on ``port`` where the server would: the bind the
    server would do, tried and undone (address reuse as uvicorn does, so a connection
    lingering in TIME_WAIT is not mistaken for a listener)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name == "posix":  # on Windows this option would let the bind share the port
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            log.info("port %s on %s is not free (%s)", port, host, exc.strerror or exc)
            return True
    return False


class ServerTab(QWidget):
    problem = pyqtSignal(str)  # what went wrong, for the dialog's message line
    changed = pyqtSignal()  # the port or where it listens changed: check it again
    needs_store = pyqtSignal()  # no keyring took the token: offer the file store

    def __init__(self, server: ServerSettings, own_port: int | None = None) -> None:
        """``own_port``: the port this app's server runs on now (free to keep)."""
        super().__init__()
        self.own_port = own_port
        self.to_file: bool | None = None  # the file store for keys: chosen, refused, as before
        self._unstored = False  # the message line says the token cannot be stored
        self.enabled = QCheckBox("Run the HTTP server with the app")
        self.enabled.setChecked(server.enabled)
        self.port = QSpinBox()
        self.port.setRange(1024, 65535)
        self.port.setValue(server.port or 8765)
        self.port_error = WrapLabel()
        self.port_error.setStyleSheet(problem_style(self.port_error))
        self.port_error.hide()
        self.lan = QCheckBox("Allow access from the local network (needs the token)")
        self.lan.setChecked(server.lan_access)
        self.token = QLineEdit()
        self.token.setReadOnly(True)
        self.token.setAccessibleName("Server token")
        self.lan.toggled.connect(self.show_token)
        for signal in (self.enabled.toggled, self.lan.toggled, self.port.valueChanged):
            signal.connect(lambda *_: self.changed.emit())
        form = QFormLayout(self)
        for label, field in (("", self.enabled), ("Port", self.port), ("", self.port_error),
                             ("", self.lan), ("Token", self.token)):
            form.addRow(label, field)

    def values(self) -> dict[str, object]:
        return {"enabled": self.enabled.isChecked(), "port": self.port.value(),
                "lan_access": self.lan.isChecked()}

    def port_problem(self) -> str | None:
        """Why the port cannot be saved (also shown under it), or None. Only a server that
        runs needs its port; the one this app's server holds is its own."""
        port = self.port.value()
        problem = None
        if self.enabled.isChecked() and port != self.own_port:
            host = "0.0.0.0" if self.lan.isChecked() else "127.0.0.1"
            if port_in_use(port, host):
                problem = (f"Port {port} is in use by another program: choose another "
                           "port (or stop that program).")
        self.port_error.setText(problem or "")
        self.port_error.setVisible(bool(problem))
        return problem

    def token_problem(self) -> str | None:
        """Why the settings cannot be saved for the token's sake, or None: a server open to
        the network with no token stored would refuse to start."""
        if self.enabled.isChecked() and self.lan.isChecked() and not self.token.text():
            return ("access from the local network needs a token, and it cannot be stored "
                    f"here: tick “{OPTION}” below, or turn network access off")
        return None

    def _forget_problem(self) -> None:
        """The token is stored or not needed: its message goes."""
        if self._unstored:
            self._unstored = False
            self.problem.emit("")

    def show_token(self, lan: bool) -> None:
        if not lan:
            self.token.setPlaceholderText("")
            self.token.setText("(only needed for network access)")
            self._forget_problem()
            return
        from interview_corvus.api.server import new_token

        token = secrets.get_api_key(SERVER_TOKEN)
        if not token:
            token = new_token()
            try:
                secrets.set_api_key(SERVER_TOKEN, token, to_file=self.to_file)
            except (secrets.SecretStoreUnavailable, OSError) as exc:
                self.token.clear()
                self.token.setPlaceholderText("no token: see the message below")
                self._unstored = True
                if isinstance(exc, secrets.SecretStoreUnavailable):
                    self.needs_store.emit()
                    self.problem.emit("The server token cannot be stored: no system keyring "
                                      f"works on this machine. Tick “{OPTION}” below to keep "
                                      "it in a file, or install a keyring backend (Secret "
                                      "Service / KWallet on Linux).")
                else:
                    self.problem.emit(f"The server token cannot be stored: {exc}")
                return
        self._forget_problem()
        self.token.setPlaceholderText("")
        self.token.setText(token)
