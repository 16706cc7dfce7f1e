"""Real English and Spanish words, so that a spelling correction never turns one into another.

A correction lets ``suicde`` be understood but would also read ``cooked`` as ``choked``, so a
common English or Spanish word is never corrected. The words come from ``pyspellchecker``'s
frequency lists (at least :data:`MIN_COUNT` occurrences and four letters, accents folded).
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources
from typing import NamedTuple

from search_index.query.text_forms import fold

#: Fewer occurrences than this in a language's list: not a known word (rare forms there are
#: often misspellings themselves).
MIN_COUNT = 30
LANGUAGES = ("en", "es")


def _counts(lang: str) -> dict[str, int]:
    """The word counts of one language's list (``en`` or ``es``), as listed (not folded)."""
    try:
        data = (resources.files("spellchecker") / "resources" / f"{lang}.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a declared dependency
        return {}
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    return counts


class _Lists(NamedTuple):
    """What the lists give, read once: each language's known words (and, key ``""``, all of them)
    and the English list's counts by folded word."""

    known: dict[str, frozenset[str]]
    english: dict[str, int]


def _folded_counts(lang: str) -> dict[str, int]:
    """One language's counts by folded word (a folded word keeps its most common form's count)."""
    folded: dict[str, int] = {}
    for word, count in _counts(lang).items():
        key = fold(word)
        folded[key] = max(count, folded.get(key, 0))
    return folded


@functools.cache
def _lists() -> _Lists:
    """The lists, read and folded once, on first use (about half a second): data, not a memo."""
    counts = {lang: _folded_counts(lang) for lang in LANGUAGES}
    known = {lang: frozenset(w for w, n in c.items() if n >= MIN_COUNT and len(w) >= 4) for lang, c in counts.items()}
    known[""] = frozenset().union(*known.values())
    return _Lists(known, counts["en"])


def english_count(word: str) -> int:
    """How often folded ``word`` occurs in the English list (0: not listed): how common it is."""
    return _lists().english.get(word, 0)


def known_words_in(lang: str) -> frozenset[str]:
    """The known words of one language (``en`` or ``es``)."""
    return _lists().known[lang]


def known_words() -> frozenset[str]:
    """The known words of every language."""
    return _lists().known[""]


def is_known(word: str) -> bool:
    """Whether folded ``word`` is a common English or Spanish word."""
    return word in known_words()
