"""From what a person types to concepts: words, synonym phrases and filler.

``"where can I find a place to sleep tonight"`` becomes the synonym phrase ``place to sleep``
(which also finds ``shelter``) and ``tonight``; the filler is dropped. A document matches a
concept when it holds all the words of one of its alternatives (typed, synonyms; typo
alternatives are added at search time, :mod:`search_index.query.scoring`).
"""

from __future__ import annotations

from dataclasses import dataclass

from search_index.engine.analysis import words
from search_index.query.data_rows import DATA_DIR, cell_list, data_rows
from search_index.query.normalize import MAX_QUERY_WORDS, normalize_query
from search_index.query.synonyms import SynonymTable

#: Weight of an alternative found through the synonym table, relative to what was typed.
SYNONYM_WEIGHT = 0.85


def _word_groups(text: str) -> dict[str, frozenset[str]]:
    """The word groups of ``query_words.csv``'s ``text``."""
    groups: dict[str, set[str]] = {}
    for _, row in data_rows(text):
        groups.setdefault(row.get("group", ""), set()).update(cell_list(row.get("words", "")))
    return {group: frozenset(words) for group, words in groups.items()}


_GROUPS = _word_groups((DATA_DIR / "query_words.csv").read_text(encoding="utf-8"))
#: Words that carry no need of their own in a request, in English and Spanish.
FILLER: frozenset[str] = _GROUPS["FILLER"]
#: Words that name no need in particular ("program", "services"): they still count, at
#: :data:`GENERIC_WEIGHT` of a word that does, so "after school program" is about after school.
GENERIC: frozenset[str] = _GROUPS["GENERIC"]
GENERIC_WEIGHT = 0.35


@dataclass(frozen=True)
class Alternative:
    """One way of matching a concept: all of ``words`` (folded, unstemmed), with a weight."""

    words: tuple[str, ...]
    weight: float
    kind: str = "typed"  # typed | synonym | fuzzy


@dataclass(frozen=True)
class Concept:
    """One thing the user asked for: the words typed and the alternatives that match it."""

    typed: tuple[str, ...]
    alternatives: tuple[Alternative, ...]
    is_phrase: bool = False
    weight: float = 1.0


@dataclass(frozen=True)
class ParsedQuery:
    """A query reduced to concepts. ``text`` is the normalised text the user typed."""

    text: str
    words: tuple[str, ...]
    concepts: tuple[Concept, ...]


def _concept(typed: tuple[str, ...], table: SynonymTable, is_phrase: bool) -> Concept:
    alternatives = [Alternative(typed, 1.0)]
    for phrase in table.expand(typed):
        alternatives.append(Alternative(phrase, SYNONYM_WEIGHT, "synonym"))
    weight = GENERIC_WEIGHT if len(typed) == 1 and typed[0] in GENERIC else 1.0
    return Concept(typed, tuple(alternatives), is_phrase, weight)


def parse_query(text: str, table: SynonymTable) -> ParsedQuery:
    """``text`` normalised and split into concepts (filler dropped unless nothing else is left)."""
    normalized = normalize_query(text)
    tokens = words(normalized)[:MAX_QUERY_WORDS]
    spans = table.match(tokens)
    concepts: list[Concept] = []
    filler: list[Concept] = []
    position = 0
    seen: set[tuple[str, ...]] = set()

    def add_word(word: str) -> None:
        key = (word,)
        if key in seen:
            return
        seen.add(key)
        (filler if word in FILLER else concepts).append(_concept(key, table, False))

    for start, end in spans:
        for word in tokens[position:start]:
            add_word(word)
        phrase = tuple(tokens[start:end])
        if phrase not in seen:
            seen.add(phrase)
            target = filler if all(w in FILLER for w in phrase) and len(phrase) == 1 else concepts
            target.append(_concept(phrase, table, len(phrase) > 1))
        position = end
    for word in tokens[position:]:
        add_word(word)
    return ParsedQuery(normalized, tuple(tokens), tuple(concepts or filler))
