"""Reading the caseworker-edited CSV files of ``directory_data/``: ``#`` lines are comments, each
row keeps its line number (so a message can name it), cells are stripped, lists are ``|``-separated;
and :class:`WatchedFiles`, what was parsed from a set of them, parsed again when one changes.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

import directory_data

T = TypeVar("T")

#: Where the data files ship (the ``directory_data`` package).
DATA_DIR = Path(directory_data.__file__).resolve().parent


def data_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a data file's ``text`` as ``(line number, {column: stripped cell})``."""
    kept = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in kept)))
    return [(kept[index + 1][0] if index + 1 < len(kept) else 0, {k.strip(): (v or "").strip() for k, v in row.items() if k})
            for index, row in enumerate(reader)]


def cell_list(cell: str) -> tuple[str, ...]:
    """The non-empty ``|``-separated parts of ``cell``, stripped."""
    return tuple(p.strip() for p in cell.split("|") if p.strip())


class WatchedFiles(Generic[T]):
    """What ``parse`` makes of the texts of a set of files, parsed again when one of them changes
    (looked at most every ``recheck`` seconds); a file that cannot be read or parsed (``errors``)
    keeps what was parsed last, and raises on the first load."""

    def __init__(self, parse: Callable[..., T], errors: tuple[type[Exception], ...], recheck: float = 1.0) -> None:
        self.parse = parse
        self.errors = errors
        self.recheck = recheck
        self._lock = threading.Lock()
        self._parsed: dict[tuple[Path, ...], tuple[tuple[float, ...], T]] = {}
        self._checked: dict[tuple[Path, ...], float] = {}

    def load(self, paths: tuple[Path, ...]) -> T:
        """What the files ``paths`` hold now (see the class docstring)."""
        now = time.monotonic()
        parsed = self._parsed.get(paths)
        if parsed is not None and now - self._checked.get(paths, 0.0) < self.recheck:
            return parsed[1]
        self._checked[paths] = now
        try:
            stamp = tuple(p.stat().st_mtime for p in paths)
        except OSError:
            if parsed is not None:
                return parsed[1]
            raise
        if parsed is not None and parsed[0] == stamp:
            return parsed[1]
        with self._lock:
            parsed = self._parsed.get(paths)
            if parsed is not None and parsed[0] == stamp:
                return parsed[1]
            try:
                value = self.parse(*(p.read_text(encoding="utf-8") for p in paths))
            except (OSError, *self.errors):
                if parsed is not None:
                    return parsed[1]
                raise
            self._parsed[paths] = (stamp, value)
        return value
