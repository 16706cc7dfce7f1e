"""Inter-process file locks (``fcntl.flock``) with a timeout.

A lock is held by an open file description, so it excludes other processes *and* threads (each
:class:`FileLock` opens the file anew), and the OS releases it when the holder dies.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


class LockTimeout(Exception):
    """The lock was held by someone else for longer than the caller was willing to wait."""


class FileLock:
    """An exclusive advisory lock on ``path`` (created if missing)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, timeout: float = 0.0, poll: float = 0.02) -> bool:
        """Take the lock, waiting at most ``timeout`` seconds; return whether it was taken."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this FileLock")
        deadline = time.monotonic() + max(timeout, 0.0)
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as error:
                    if error.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        return False
                    time.sleep(poll)
                    continue
                self._fd = fd
                return True
        except BaseException:
            if self._fd is None:
                os.close(fd)
            raise

    def release(self) -> None:
        """Give the lock back (a no-op when it is not held)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def is_free(self) -> bool:
        """Whether nobody holds the lock right now (a snapshot: it may be taken a moment later)."""
        if self._fd is not None:
            return False
        if not self.path.exists():
            return True
        if self.acquire(timeout=0.0):
            self.release()
            return True
        return False

    @contextmanager
    def hold(self, timeout: float = 0.0) -> Iterator[FileLock]:
        """Hold the lock for a ``with`` block; raise :class:`LockTimeout` when it is busy."""
        if not self.acquire(timeout):
            raise LockTimeout(f"{self.path} is held by another process (waited {timeout:g} s)")
        try:
            yield self
        finally:
            self.release()

    def __del__(self) -> None:  # pragma: no cover - safety net only
        with suppress(Exception):
            self.release()
