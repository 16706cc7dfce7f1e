"""The synonym and alias table (``directory_data/synonyms.csv``) and matching it in a query.

The file's format is documented in its header. Phrases are folded (lower case, no accents) and
split into words exactly as queries are, so a row matches however the user capitalises or
accents it. The table is reloaded when the file changes.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import directory_data
from search_index.engine.analysis import words

#: The table shipped with the directory data.
SYNONYMS_PATH = Path(directory_data.__file__).resolve().parent / "synonyms.csv"

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class SynonymTable:
    """Typed phrase -> the phrases it also finds (never including itself)."""

    expansions: dict[Phrase, tuple[Phrase, ...]] = field(default_factory=dict)
    longest: int = 0

    def expand(self, phrase: Phrase) -> tuple[Phrase, ...]:
        """The phrases ``phrase`` also finds (empty when it is not in the table)."""
        return self.expansions.get(phrase, ())

    def match(self, tokens: list[str] | tuple[str, ...]) -> list[tuple[int, int]]:
        """Greedy longest matches of table phrases in ``tokens``, as ``(start, end)`` slices."""
        found: list[tuple[int, int]] = []
        i = 0
        n = len(tokens)
        while i < n:
            for length in range(min(self.longest, n - i), 0, -1):
                if tuple(tokens[i : i + length]) in self.expansions:
                    found.append((i, i + length))
                    i += length
                    break
            else:
                i += 1
        return found


def _phrases(cell: str) -> list[Phrase]:
    return [p for p in (tuple(words(part)) for part in cell.split("|")) if p]


def parse_synonyms(text: str) -> SynonymTable:
    """The table in CSV ``text`` (``phrases,means,note``; ``#`` lines are comments)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    table: dict[Phrase, dict[Phrase, None]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        typed = _phrases(row.get("phrases") or "")
        means = _phrases(row.get("means") or "")
        targets = means if means else typed
        for phrase in typed:
            bucket = table.setdefault(phrase, {})
            for other in targets:
                if other != phrase:
                    bucket[other] = None
    expansions = {phrase: tuple(others) for phrase, others in table.items()}
    longest = max((len(p) for p in expansions), default=0)
    return SynonymTable(expansions, longest)


#: Seconds between two looks at the file's modification time.
RECHECK_SECONDS = 1.0

_lock = threading.Lock()
_cache: dict[Path, tuple[float, SynonymTable]] = {}
_checked: dict[Path, float] = {}


def load_synonyms(path: Path | None = None) -> SynonymTable:
    """The table in ``path`` (default :data:`SYNONYMS_PATH`), re-read when the file changes.

    A missing or unreadable file gives an empty table: search keeps working without synonyms.
    """
    path = path or SYNONYMS_PATH
    now = time.monotonic()
    cached = _cache.get(path)
    if cached is not None and now - _checked.get(path, 0.0) < RECHECK_SECONDS:
        return cached[1]
    _checked[path] = now
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return SynonymTable()
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
    try:
        table = parse_synonyms(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, csv.Error):
        return SynonymTable()
    with _lock:
        _cache[path] = (mtime, table)
    return table
