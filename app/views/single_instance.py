"""One window per database: the window that has an SQLite file open listens on a local socket.

The socket's name stands for the file (`app.models.window_lock.lock_name`). A later start on the
same file connects, asks the running window to come to the front and gets "ok" back; if the
name is taken but nobody answers, the file is refused. A name left behind by a killed process
(a socket file on Unix) refuses the connection outright, so it is removed and taken over.

Protocol: the client writes one line, ``raise`` or ``ping``; the server answers ``ok`` and
closes. ``ping`` only asks whether anyone holds the file (a window switching databases).
Command-line commands never take the lock: they run beside an open window.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.models.window_lock import DatabaseInUseError, canonical_sqlite_path, lock_name

log = logging.getLogger(__name__)

RAISE, PING, OK = b"raise", b"ping", b"ok"
CONNECT_TIMEOUT_MS = 1000
# A window answers from its event loop; while it starts (opening and upgrading the file) that
# loop may not run yet.
ANSWER_TIMEOUT_MS = 5000
_MAX_REQUEST = 64


def ask_holder(name: str, request: bytes, timeout_ms: int | None = None) -> bool | None:
    """Send `request` to whoever listens on `name`.

    True: a window answered. False: nobody listens (no socket, or one left by a dead process).
    None: something holds the name but did not answer in time.
    """
    timeout_ms = ANSWER_TIMEOUT_MS if timeout_ms is None else timeout_ms
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        nobody = socket.error() in (
            QLocalSocket.LocalSocketError.ServerNotFoundError,
            QLocalSocket.LocalSocketError.ConnectionRefusedError,
        )
        return False if nobody else None
    if request == RAISE and sys.platform == "win32":
        _allow_other_process_to_take_the_foreground()
    socket.write(request + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    answer = b""
    while b"\n" not in answer and socket.waitForReadyRead(timeout_ms):
        answer += bytes(socket.readAll().data())
    answer += bytes(socket.readAll().data())  # an answer that came with the close
    socket.abort()
    return True if answer.strip() == OK else None


def _allow_other_process_to_take_the_foreground() -> None:
    """Windows lets only the foreground process (this one, just started) hand the focus over."""
    import ctypes

    asfw_any = -1
    ctypes.windll.user32.AllowSetForegroundWindow(asfw_any)  # type: ignore[attr-defined]


class DatabaseLock(QObject):
    """The local servers of the database files this process has open (one, or two while switching).

    `claim(target)` raises DatabaseInUseError when another window holds the file; `keep_only`
    gives up the others once a switch is done.
    """

    raise_requested = Signal()  # another start asked for this window

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._servers: dict[str, QLocalServer] = {}  # canonical path -> its server

    def holds(self, target: str) -> bool:
        return canonical_sqlite_path(target) in self._servers

    def claim(self, target: str, *, bring_to_front: bool = False) -> None:
        """Hold `target` for this process; server databases and files held already pass.

        With bring_to_front, a window holding the file is asked to come forward (a new start);
        without, it is only asked whether it is there (a window switching databases).
        """
        path = canonical_sqlite_path(target)
        if path is None or path in self._servers:
            return
        name = lock_name(path)
        # Two starts at the same moment must not both take over a stale name: one at a time.
        # The guard only narrows that race: when it cannot be had in time, go on without it.
        guard = QLockFile(QDir(QDir.tempPath()).filePath(name + ".lock"))
        guard.tryLock(CONNECT_TIMEOUT_MS + ANSWER_TIMEOUT_MS)
        try:
            server = self._listen(name, target, bring_to_front)
        finally:
            guard.unlock()
        self._servers[path] = server
        log.info("Holding the database lock %s", name)

    def _listen(self, name: str, target: str, bring_to_front: bool) -> QLocalServer:
        answered = ask_holder(name, RAISE if bring_to_front else PING)
        if answered is not False:
            raise DatabaseInUseError(target, answered=bool(answered), brought_to_front=bring_to_front)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_server_new_connection)
        if not server.listen(name):
            # Nobody answered, so the name is a leftover of a process that was killed.
            QLocalServer.removeServer(name)
            if not server.listen(name):
                server.deleteLater()
                raise DatabaseInUseError(target, answered=False)
        return server

    def keep_only(self, target: str | None) -> None:
        """Give up every file but `target` (None: give up all)."""
        keep = canonical_sqlite_path(target) if target is not None else None
        for path in [p for p in self._servers if p != keep]:
            server = self._servers.pop(path)
            server.close()  # removes the socket file
            server.deleteLater()

    def release_all(self) -> None:
        self.keep_only(None)

    def _on_server_new_connection(self) -> None:
        server = self.sender()
        while isinstance(server, QLocalServer) and (socket := server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_socket_ready_read(socket)

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > _MAX_REQUEST:
                socket.abort()
            return
        request = bytes(socket.readLine().data()).strip()
        if request not in (RAISE, PING):
            socket.abort()
            return
        socket.write(OK + b"\n")
        socket.flush()
        socket.disconnectFromServer()
        if request == RAISE:
            log.info("Another start asked for this window")
            self.raise_requested.emit()
