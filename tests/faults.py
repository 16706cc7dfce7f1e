"""Fault injection for the fault tests (imported as a module): a database that stops answering.

* :class:`TcpProxy` stands between the app and PostgreSQL on a loopback port. ``cut()`` closes the
  listening socket and every relayed connection (the app sees resets, then refused connections),
  ``restore()`` listens again on the same port: a real network outage, no restart of anything.
* :func:`sqlite_outage` does the same for an SQLite file: every pooled connection is invalidated
  on checkout and every new connection fails as when the file cannot be opened.
"""

from __future__ import annotations

import selectors
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError


class TcpProxy:
    """A loopback TCP relay to ``(host, port)`` that can be cut and restored."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        """Listen (again, on the same port once chosen) and relay new connections."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and reset every relayed connection."""
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.close()
            except OSError:
                pass

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        try:
            selector.register(a, selectors.EVENT_READ, b)
            selector.register(b, selectors.EVENT_READ, a)
            while True:
                for key, _mask in selector.select(timeout=1.0):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for sock in (a, b):
                try:
                    sock.close()
                except OSError:
                    pass


@contextmanager
def sqlite_outage(engine: Engine) -> Iterator[None]:
    """While the block runs, every connection of ``engine`` fails as an unopenable file would."""

    def refuse_checkout(*_args: Any) -> None:
        raise DisconnectionError("the database file cannot be reached")

    def refuse_connect(*_args: Any) -> None:
        raise sqlite3.OperationalError("unable to open database file")

    event.listen(engine, "do_connect", refuse_connect)
    event.listen(engine.pool, "checkout", refuse_checkout)
    try:
        yield
    finally:
        event.remove(engine.pool, "checkout", refuse_checkout)
        event.remove(engine, "do_connect", refuse_connect)
