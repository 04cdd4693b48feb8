"""One app per user: a second launch hands over to the first, which comes to the front.

The first instance listens on a local socket (``QLocalServer``: a Unix socket or a
Windows named pipe) named after the user's data directory; a second launch connects,
says ``raise`` and exits, so there is never a second window, tray icon or embedded
server fighting for the port. A socket left by a crashed instance answers nobody and is
removed before listening.
"""

from __future__ import annotations

import hashlib
import logging

from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtNetwork import QLocalServer, QLocalSocket

from interview_corvus.core.config.settings import data_dir

log = logging.getLogger(__name__)

CONNECT_MS = 500  # how long a second launch waits for the first to answer
MESSAGE = b"raise\n"


def instance_name() -> str:
    """The socket's name: one per user and data directory (tests use their own)."""
    digest = hashlib.sha256(str(data_dir().resolve()).encode()).hexdigest()[:16]
    return f"interview-corvus-{digest}"


def hand_over(name: str | None = None) -> bool:
    """Ask a running instance to come to the front; True if one answered."""
    socket = QLocalSocket()
    socket.connectToServer(name or instance_name())
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(MESSAGE)
    socket.flush()
    socket.waitForBytesWritten(CONNECT_MS)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """The first instance's listener; ``activated`` when a second launch hands over."""

    activated = pyqtSignal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or instance_name()
        self.server = QLocalServer(self)
        self.server.newConnection.connect(self._on_connection)

    def listen(self) -> bool:
        """Listen, removing a socket a crashed instance left; False if that fails."""
        if not self.server.listen(self.name):
            QLocalServer.removeServer(self.name)
            if not self.server.listen(self.name):
                log.warning("cannot listen for other launches: %s", self.server.errorString())
                return False
        return True

    def close(self) -> None:
        self.server.close()

    def _on_connection(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_message(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_message(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(MESSAGE.strip()):
            self.activated.emit()
