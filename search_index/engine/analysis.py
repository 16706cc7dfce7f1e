"""Text analysis shared by indexing and querying: English, Spanish and a plain folded channel.

Every analyzer lower-cases and folds accents *before* stemming, so ``guardería`` and
``guarderia`` give the same term; :data:`PLAIN_ANALYZER` (no stop words, no stems) gives the
vocabulary for typo tolerance.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

#: Words: letters and digits, with inner apostrophes, dots or ampersands ("o'brien", "u.s").
TOKEN_PATTERN = r"\w+(?:['.&]\w+)*"

_TOKEN_RE = re.compile(TOKEN_PATTERN, re.UNICODE)


def stop_list(lang: str) -> frozenset[str]:
    """The stop words of ``lang`` ("en", "es") that the analyzers leave out, folded."""
    return frozenset(fold(w) for w in stopwords_for_language(lang))


def _base(stoplang: str | None, minsize: int = 1) -> Analyzer:
    chain = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
    if stoplang is not None:
        chain = chain | StopFilter(stoplist=stop_list(stoplang), minsize=minsize)
    return chain


def stemmer(lang: str) -> Callable[[str], str]:
    """The Snowball stemmer of ``lang`` ("en", "es") that the analyzers' stem filters use."""
    return stemmer_for_language(lang)  # type: ignore[no-any-return]


def fold(text: str) -> str:
    """``text`` in lower case with accents removed (``Guardería`` -> ``guarderia``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded word tokens of ``text`` in order, as the analyzers split them."""
    return _TOKEN_RE.findall(fold(text))


def terms(analyzer: Analyzer, text: str) -> list[str]:
    """The index terms ``analyzer`` makes of ``text``, in order (duplicates kept)."""
    return [t.text for t in analyzer(text)]


class WordTerms:
    """The terms a stemming analyzer below makes of a query's words, without Whoosh's token
    stream (about 5% of a search request's CPU): the analyzer's own tokenizer pattern, folding,
    stop list and cached stemmer (a private attribute), applied to plain strings; compared with
    the analyzer on the curated vocabulary in ``tests/test_search_analysis.py``."""

    def __init__(self, analyzer: Analyzer) -> None:
        tokenizer, _lower, charset, stop, stem = analyzer.items  # the chain _base() | StemFilter
        self._pattern, self._charmap, self._stop = tokenizer.expression, charset.charmap, stop
        self._stem: Callable[[str], str] = stem._stem

    def __call__(self, text: str) -> list[str]:
        """The index terms of ``text``, in order (duplicates kept), as ``terms(analyzer, text)``."""
        return [self._stem(word) for word in self.kept(text)]

    def kept(self, text: str) -> Iterator[str]:
        """The words of ``text`` the stop filter keeps, folded, not yet stemmed."""
        stop = self._stop
        for match in self._pattern.finditer(text):
            word = match.group(0).lower().translate(self._charmap)
            if len(word) >= stop.min and (stop.max is None or len(word) <= stop.max) and word not in stop.stops:
                yield word


#: English text: tokens, lower case, accents folded, stop words out, Snowball English stems.
ENGLISH_ANALYZER = _base("en") | StemFilter(lang="en", cachesize=50000)
#: Spanish text: tokens, lower case, accents folded, stop words out, Snowball Spanish stems.
SPANISH_ANALYZER = _base("es") | StemFilter(lang="es", cachesize=50000)
#: Any text: tokens, lower case and accents folded; no stop words and no stemming.
PLAIN_ANALYZER = _base(None)
#: The terms :data:`ENGLISH_ANALYZER` makes of a query's words (:class:`WordTerms`).
english_terms = WordTerms(ENGLISH_ANALYZER)
#: The terms :data:`SPANISH_ANALYZER` makes of a query's words (:class:`WordTerms`).
spanish_terms = WordTerms(SPANISH_ANALYZER)
