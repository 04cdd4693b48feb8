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
    socket.disconnectFromServer()  # waits for unwritten bytes before it hangs up
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(CONNECT_MS)
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
            socket.disconnected.connect(lambda s=socket: self._on_closed(s))
            # A second launch writes and leaves at once: its bytes (even its hang-up)
            # may be here before any signal is connected, so read what is there now.
            self._on_message(socket)
            if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._on_closed(socket)

    def _on_message(self, socket: QLocalSocket) -> None:
        if not socket.bytesAvailable():
            return
        message = bytes(socket.property("corvus_buffer") or b"") + bytes(socket.readAll().data())
        socket.setProperty("corvus_buffer", message[: len(MESSAGE)])
        if message.startswith(MESSAGE.strip()) and not socket.property("corvus_done"):
            socket.setProperty("corvus_done", True)
            self.activated.emit()

    def _on_closed(self, socket: QLocalSocket) -> None:
        self._on_message(socket)
        socket.deleteLater()
