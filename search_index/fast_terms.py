"""Faster term extraction for a rebuild's writers, with the same result as Whoosh's.

For a TEXT field that stores frequencies only (no positions) and whose analyzer is a regular
expression tokenizer followed by filters that each look at one token alone (lower case, accent
folding, stop words, stemming), the terms of a text are the multiset of the terms of its words.
Whoosh runs every word of every document through the chain of generators; on a rebuild that is
the largest single cost. :func:`fast_index` instead finds the words with the tokenizer's own
regular expression and analyses each *distinct* word once, through the field's real analyzer,
remembering the result; it then yields exactly the ``(term bytes, frequency, weight, value
bytes)`` tuples Whoosh's ``field.index()`` yields, in the same order.

:func:`speed_up_fields` installs it (and a memo of short whole values for other indexed fields)
on a writer's private copy of the schema in a rebuild worker; fields of any other shape are
left alone. ``tests/test_index_fast_terms.py`` compares both paths on generated text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.fields import FieldType
from whoosh.formats import Frequency
from whoosh.system import pack_uint

#: Filters that decide about one token without looking at others.
PER_TOKEN_FILTERS = (LowercaseFilter, CharsetFilter, StopFilter, StemFilter)

#: Distinct words remembered per field (a directory's vocabulary is far smaller).
MAX_WORDS = 500_000

Postings = Iterator[tuple[bytes, int, float, bytes]]


def _tokenizer(field: FieldType) -> RegexTokenizer | None:
    """The field's tokenizer when the fast path gives Whoosh's result exactly, else None."""
    analyzer = getattr(field, "analyzer", None)
    if type(field.format) is not Frequency or not isinstance(analyzer, CompositeAnalyzer):
        return None
    first, rest = analyzer.items[0], analyzer.items[1:]
    if type(first) is not RegexTokenizer or first.gaps:
        return None
    if not all(type(item) in PER_TOKEN_FILTERS for item in rest):
        return None
    return first


def fast_index(field: FieldType) -> Callable[..., Postings] | None:
    """A drop-in ``field.index`` for ``field`` (see the module docstring), or None if unsafe."""
    tokenizer = _tokenizer(field)
    if tokenizer is None:
        return None
    analyzer = field.analyzer
    boost = field.format.field_boost
    original = field.index
    finditer = tokenizer.expression.finditer
    words: dict[str, tuple[str, ...]] = {}

    def terms_of(word: str) -> tuple[str, ...]:
        found = words.get(word)
        if found is None:
            found = tuple(t.text for t in analyzer(word, mode="index", boosts=True) if not t.stopped)
            if len(words) < MAX_WORDS:
                words[word] = found
        return found

    def index(value: Any, **kwargs: Any) -> Postings:
        if kwargs or not isinstance(value, str):
            yield from original(value, **kwargs)
            return
        freqs: dict[str, int] = {}
        for match in finditer(value):
            for term in terms_of(match.group(0)):
                freqs[term] = freqs.get(term, 0) + 1
        for term, freq in freqs.items():
            yield term.encode("utf-8"), freq, float(freq) * boost, pack_uint(freq)

    return index


def memoized_index(field: FieldType, max_chars: int = 300, max_entries: int = 20_000) -> Callable[..., Any]:
    """``field.index`` remembering the result for short values (directories repeat them often)."""
    original = field.index
    cache: dict[Any, list[tuple[bytes, int, float, bytes]]] = {}

    def index(value: Any, **kwargs: Any) -> Any:
        if kwargs or not isinstance(value, (str, bool)) or (isinstance(value, str) and len(value) > max_chars):
            return original(value, **kwargs)
        found = cache.get(value)
        if found is None:
            found = list(original(value))
            if len(cache) < max_entries:
                cache[value] = found
        return found

    return index


def speed_up_fields(schema: Any) -> list[str]:
    """Install :func:`fast_index` or :func:`memoized_index` on every indexed field of ``schema``.

    Only for a writer's private schema in a rebuild worker: the replaced methods are instance
    attributes that must never be pickled into a table of contents. Returns the names of the
    fields given the fast path.
    """
    fast: list[str] = []
    for name in schema.names():
        field = schema[name]
        if not field.indexed:
            continue
        quick = fast_index(field)
        if quick is not None:
            fast.append(name)
        field.index = quick or memoized_index(field)
    return fast
