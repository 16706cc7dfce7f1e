"""The on-disk layout of one host's index directory, and the atomic swap of a rebuilt index.

::

    <root>/
      CURRENT              name of the live generation, e.g. ``gen-20261122T101500-3f9a1c``
      gen-.../             a complete Whoosh index, plus
        meta.json            schema version, build time, document count at build
        sync-state.json      journal position applied to this generation (see search_index.upkeep.cursor)
        sync.lock            held while a process applies the journal to this generation
      build-.../           a rebuild in progress (renamed to ``gen-...`` when complete)
      rebuild.lock         held by the one process rebuilding

A rebuild writes a new generation beside the live one and switches ``CURRENT`` with one
``os.replace``; readers move on their next checkout, and retired generations are deleted after a
grace period.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search_index.engine.locking import FileLock

POINTER = "CURRENT"
META = "meta.json"
STATE = "sync-state.json"
SYNC_LOCK = "sync.lock"
REBUILD_LOCK = "rebuild.lock"

_GENERATION = re.compile(r"^gen-[0-9]{8}T[0-9]{6}-[0-9a-f]{6,32}$")
_BUILD = re.compile(r"^build-[0-9a-f]{6,32}$")

#: Retired generations younger than this (seconds since the swap) are kept for slow readers.
RETIRE_GRACE = 120.0


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file, fsynced, then :func:`os.replace`)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        # A full disk fails here on every retry: leave no temporary file behind each time.
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None when the file is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class Generation:
    """One complete index directory (live or retired)."""

    path: Path

    @property
    def name(self) -> str:
        """The directory name, ``gen-...``."""
        return self.path.name

    @property
    def meta_path(self) -> Path:
        return self.path / META

    @property
    def state_path(self) -> Path:
        return self.path / STATE

    def meta(self) -> dict[str, Any] | None:
        """The generation's ``meta.json`` (None if missing or corrupt)."""
        return read_json(self.meta_path)

    def sync_lock(self) -> FileLock:
        """The lock a process holds while applying the journal to this generation."""
        return FileLock(self.path / SYNC_LOCK)


class IndexLayout:
    """The index directory of one host: its live generation, rebuilds and retired generations."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"IndexLayout({str(self.root)!r})"

    def ensure_root(self) -> None:
        """Create the root directory if needed."""
        self.root.mkdir(parents=True, exist_ok=True)

    # The live generation ---------------------------------------------------------------------

    def current_name(self) -> str | None:
        """The name in ``CURRENT``, or None when there is no (valid) pointer."""
        try:
            name = (self.root / POINTER).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name if _GENERATION.match(name) else None

    def current(self) -> Generation | None:
        """The live generation, or None when the pointer is missing or names no directory."""
        name = self.current_name()
        if name is None:
            return None
        path = self.root / name
        return Generation(path) if path.is_dir() else None

    # Rebuilds --------------------------------------------------------------------------------

    def rebuild_lock(self) -> FileLock:
        """The lock held by the one process rebuilding this index directory."""
        self.ensure_root()
        return FileLock(self.root / REBUILD_LOCK)

    def new_build_dir(self) -> Path:
        """A fresh, empty ``build-<random>`` directory for a rebuild."""
        self.ensure_root()
        path = self.root / f"build-{secrets.token_hex(6)}"
        path.mkdir()
        return path

    def complete_build(self, build_dir: Path, meta: dict[str, Any]) -> Generation:
        """Write ``meta`` into ``build_dir`` and rename it to a ``gen-...`` directory."""
        write_atomic(build_dir / META, json.dumps(meta, indent=2, sort_keys=True))
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        target = self.root / f"gen-{stamp}-{secrets.token_hex(6)}"
        os.rename(build_dir, target)
        _fsync_dir(self.root)
        return Generation(target)

    def swap(self, generation: Generation) -> None:
        """Make ``generation`` the live one, atomically."""
        if generation.path.parent != self.root or not _GENERATION.match(generation.name):
            raise ValueError(f"{generation.path} is not a generation of {self.root}")
        write_atomic(self.root / POINTER, generation.name + "\n")

    # Housekeeping ----------------------------------------------------------------------------

    def generations(self) -> list[Generation]:
        """Every ``gen-...`` directory, live or retired, oldest name first."""
        if not self.root.is_dir():
            return []
        return [
            Generation(p) for p in sorted(self.root.iterdir()) if _GENERATION.match(p.name) and p.is_dir()
        ]

    def remove_retired(self, grace: float = RETIRE_GRACE, *, rebuild_lock_held: bool = False) -> list[str]:
        """Delete retired generations (``grace`` seconds after the swap, when no process applies
        to them) and abandoned builds (when no rebuild runs, or the caller holds ``rebuild.lock``
        with no build in progress: ``rebuild_lock_held``); return the names removed."""
        removed: list[str] = []
        current = self.current_name()
        if current is None:
            return removed
        try:
            swapped_at = (self.root / POINTER).stat().st_mtime
        except OSError:
            return removed
        if time.time() - swapped_at >= grace:
            for generation in self.generations():
                if generation.name == current:
                    continue
                lock = generation.sync_lock()
                if not lock.acquire(0.0):
                    continue
                try:
                    shutil.rmtree(generation.path, ignore_errors=True)
                finally:
                    lock.release()
                removed.append(generation.name)
        builds = [p for p in self.root.iterdir() if _BUILD.match(p.name) and p.is_dir()]
        lock = None if rebuild_lock_held or not builds else self.rebuild_lock()
        if builds and (lock is None or lock.acquire(0.0)):
            try:
                for path in builds:
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(path.name)
            finally:
                if lock is not None:
                    lock.release()
        return removed

    def size_bytes(self) -> int:
        """The size of the live generation's files, in bytes (0 when there is none)."""
        generation = self.current()
        if generation is None:
            return 0
        return sum(p.stat().st_size for p in generation.path.rglob("*") if p.is_file())
