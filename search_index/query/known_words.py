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


def _load(lang: str) -> frozenset[str]:
    """The known words of one language's list (``en`` or ``es``)."""
    return frozenset(fold(word) for word, count in _counts(lang).items() if count >= MIN_COUNT and len(word) >= 4)


@functools.cache
def _english_counts() -> dict[str, int]:
    """The English list's counts by folded word (read once, on first use)."""
    folded: dict[str, int] = {}
    for word, count in _counts("en").items():
        key = fold(word)
        folded[key] = max(count, folded.get(key, 0))
    return folded


def english_count(word: str) -> int:
    """How often folded ``word`` occurs in the English list (0: not listed): how common it is."""
    return _english_counts().get(word, 0)


@functools.cache
def _known() -> dict[str, frozenset[str]]:
    """Each language's known words, and (key ``""``) all of them: read once, on first use (about
    half a second)."""
    by_language = {lang: _load(lang) for lang in LANGUAGES}
    by_language[""] = frozenset().union(*by_language.values())
    return by_language


def known_words_in(lang: str) -> frozenset[str]:
    """The known words of one language (``en`` or ``es``)."""
    return _known()[lang]


def known_words() -> frozenset[str]:
    """The known words of every language."""
    return _known()[""]


def is_known(word: str) -> bool:
    """Whether folded ``word`` is a common English or Spanish word."""
    return word in known_words()
