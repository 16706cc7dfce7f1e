"""Which words of a search that found nothing may be kept for the gap report.

The rule: a term is kept only when **every** word of it is a need word -- a word of
``needs_lexicon.txt``, of the synonym table (``synonyms.csv``), of the crisis triggers
(``crisis_triggers.csv``), of the taxonomy crosswalk's term names (``taxonomy_crosswalk.csv``)
or of a category's name. Words are compared folded (lower case, no accents, apostrophes
dropped). A name, a street, an e-mail address, a phone number or any number but the few in
the lexicon (211, 911, 988, 24, 7) is not a need word, so a term holding one is counted as
:data:`WITHHELD_TERM` instead. Words with digits are taken from the lexicon only, never from
the other files.

The listings' own words are deliberately not a source: they hold people's, streets' and
organizations' names. A need the directory has no word for ("dental", "diapers") still counts
when the lexicon has it -- which is what the gap report is for. The vocabulary is read again
when one of its files changes.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import unicodedata
from pathlib import Path

from directory_data.models.category import MISSION_CATEGORIES

#: How a zero-result term that is not made of need words is counted.
WITHHELD_TERM = "(withheld)"

_HERE = Path(__file__).resolve().parent
LEXICON_PATH = _HERE / "needs_lexicon.txt"
#: The other files need words are taken from, and the columns holding them.
SOURCES: dict[Path, tuple[str, ...]] = {
    _HERE / "synonyms.csv": ("phrases", "means"),
    _HERE / "crisis_triggers.csv": ("pattern",),
    _HERE / "taxonomy_crosswalk.csv": ("name",),
}
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['\u2019\u02bc]")


def fold(text: str) -> str:
    """``text`` in lower case without accents or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text.lower()))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits; anything else separates words)."""
    return _WORD.findall(fold(text))


def _rows(text: str, columns: tuple[str, ...]) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [row.get(c) or "" for row in csv.DictReader(io.StringIO("\n".join(lines))) for c in columns]


def build_vocabulary(lexicon: str, tables: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The need words of ``lexicon`` (the lexicon file's text) and of ``tables`` (CSV text ->
    the columns to read); words with digits only from the lexicon."""
    found = {w for line in lexicon.splitlines() if not line.lstrip().startswith("#")
             for w in words_of(line)}
    for text, columns in tables.items():
        for cell in _rows(text, columns):
            found.update(w for w in words_of(cell.replace("/", " ").replace("|", " "))
                         if not any(c.isdigit() for c in w))
    for names in MISSION_CATEGORIES.values():
        found.update(w for name in names for w in words_of(name))
    return frozenset(found)


class _Vocabulary:
    """The need words, read again when a source file changes (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] | None = None
        self._words: frozenset[str] = frozenset()

    def words(self) -> frozenset[str]:
        paths = (LEXICON_PATH, *SOURCES)
        stamp = tuple(p.stat().st_mtime if p.exists() else 0.0 for p in paths)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    lexicon = LEXICON_PATH.read_text(encoding="utf-8") if LEXICON_PATH.exists() else ""
                    tables = {p.read_text(encoding="utf-8"): cols for p, cols in SOURCES.items()
                              if p.exists()}
                    self._words = build_vocabulary(lexicon, tables)
                    self._stamp = stamp
        return self._words


_vocabulary = _Vocabulary()


def need_words() -> frozenset[str]:
    """Every need word (folded)."""
    return _vocabulary.words()


def is_need_term(term: str) -> bool:
    """Whether every word of ``term`` is a need word (see the module docstring); a term without
    words (punctuation only) is not."""
    found = words_of(term)
    vocabulary = need_words()
    return bool(found) and all(w in vocabulary for w in found)
