"""The synonym and alias table (``directory_data/synonyms.csv``) and matching it in a query.

The file's format is documented in its header. Phrases are folded (lower case, no accents) and
split into words exactly as queries are, so a row matches however the user capitalises or
accents it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from search_index.engine.analysis import words
from search_index.query.data_rows import DATA_DIR, WatchedFiles, data_rows

#: The table shipped with the directory data.
SYNONYMS_PATH = DATA_DIR / "synonyms.csv"

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
    table: dict[Phrase, dict[Phrase, None]] = {}
    for _, row in data_rows(text):
        typed = _phrases(row.get("phrases", ""))
        for phrase in typed:
            bucket = table.setdefault(phrase, {})
            bucket.update((other, None) for other in _phrases(row.get("means", "")) or typed if other != phrase)
    expansions = {phrase: tuple(others) for phrase, others in table.items()}
    return SynonymTable(expansions, max((len(p) for p in expansions), default=0))


_files: WatchedFiles[SynonymTable] = WatchedFiles(parse_synonyms, (UnicodeDecodeError, csv.Error))


def load_synonyms(path: Path | None = None) -> SynonymTable:
    """The table in ``path`` (default :data:`SYNONYMS_PATH`), re-read within a second of the file
    changing. A file that cannot be read or parsed keeps the table last loaded, or gives an empty
    table when none was: search keeps working without synonyms."""
    try:
        return _files.load((path or SYNONYMS_PATH,))
    except (OSError, UnicodeDecodeError, csv.Error):
        return SynonymTable()
