"""Inter-process file locks with a timeout: Whoosh's ``fcntl.flock`` lock, waited for.

A lock is held by an open file description, so it excludes other processes *and* threads (each
:class:`FileLock` opens the file anew), and the OS releases it when the holder dies.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.util.filelock import FcntlLock, try_for


class LockTimeout(Exception):
    """The lock was held by someone else for longer than the caller was willing to wait."""


class FileLock(FcntlLock):
    """An exclusive advisory lock on ``path`` (created if missing)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(os.fspath(path))
        self.path = Path(path)

    def acquire(self, timeout: float = 0.0, poll: float = 0.02) -> bool:  # type: ignore[override]
        """Take the lock, waiting at most ``timeout`` seconds; return whether it was taken."""
        if self.fd is not None:
            raise RuntimeError(f"{self.path} is already held by this FileLock")
        return bool(try_for(super().acquire, timeout=max(timeout, 0.0), delay=poll))

    def release(self) -> None:
        """Give the lock back (a no-op when it is not held)."""
        if self.fd is not None:
            super().release()

    def is_free(self) -> bool:
        """Whether nobody holds the lock right now (a snapshot: it may be taken a moment later)."""
        if self.fd is not None:
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
