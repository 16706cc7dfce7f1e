"""Patterns of words and word groups, matched against a :class:`~search_index.query.lexicon.Reading`.

Syntax (one pattern per data-file row; see ``directory_data/crisis_triggers.csv``)::

    WANT to DIE                 elements in order; at most one other word between two of them
    WANT .. DIE                 ".." allows up to MEDIUM_GAP other words there
    WANT ... DIE                "..." allows up to LONG_GAP other words there
    animal _ shelter            "_" allows no other word there (the two are next to each other)
    PARTNER + HIT + ME          parts joined by " + " may come in any order, all within WINDOW words
    kill/murder/KILL SELF       "a/b/GROUP": any of these; UPPER-CASE names are lexicon groups
    suicid*                     any word starting with "suicid"

Literal words are read like the query (case, accents and apostrophes folded; ``don't`` is
``dont``) and corrected like it (see :mod:`search_index.query.lexicon`).

A match may be *negated*: a word of the ``NEG`` group right before one of its elements (or two
before, with a word of ``NEG_GAP`` such as "me" or "really" between), unless that word is part of
the match. Words of ``NEG_VERB`` ("want to", "going to", "vle", "quiero") carry a negation over to
the words after them: "I'm NOT going to kill myself", "m PA vle touye tèt mwen". A pattern that
itself names ``NEG`` is never negated.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from search_index.query.data_rows import cell_list, data_rows
from search_index.query.lexicon import Item, Lexicon, Reading
from search_index.query.text_forms import tokens

#: Other words allowed between two elements (after "_", by default, after ".." and after "...").
NO_GAP = 0
SHORT_GAP = 1
MEDIUM_GAP = 3
LONG_GAP = 6
#: Widest span (in words) of a pattern whose parts come in any order.
WINDOW = 24
#: Most matches of one part considered (queries are short; this bounds the work).
MAX_PART_MATCHES = 24
NEG = "NEG"
NEG_GAP = "NEG_GAP"
NEG_VERB = "NEG_VERB"
#: Most ``NEG_VERB`` items a negation carries over ("not going to want to ...").
NEG_VERB_HOPS = 2


class PatternError(ValueError):
    """A pattern that cannot be read (the message says why)."""


@dataclass(frozen=True)
class Element:
    """One position of a pattern: any of ``words``, ``groups`` or ``prefixes``."""

    words: frozenset[str]
    groups: frozenset[str]
    prefixes: tuple[str, ...]

    def accepts(self, item: Item) -> bool:
        """Whether ``item`` can stand at this position."""
        if not self.words.isdisjoint(item.forms) or not self.groups.isdisjoint(item.groups):
            return True
        return bool(self.prefixes) and any(f.startswith(p) for f in item.forms for p in self.prefixes)

    def possible(self, present: frozenset[str]) -> bool:
        """Whether a text holding ``present`` (forms and groups) can fill this position."""
        return bool(self.prefixes) or not (self.words.isdisjoint(present) and self.groups.isdisjoint(present))


@dataclass(frozen=True)
class Part:
    """Elements in order, ``gaps[k]`` other words allowed before element ``k`` (k > 0)."""

    elements: tuple[Element, ...]
    gaps: tuple[int, ...]


@dataclass(frozen=True)
class Match:
    """Where a pattern matched: the token positions it uses and where each element starts."""

    positions: frozenset[int]
    starts: tuple[int, ...]


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern (see the module docstring)."""

    source: str
    parts: tuple[Part, ...]
    names_neg: bool

    @property
    def groups(self) -> frozenset[str]:
        """Every group the pattern names."""
        return frozenset(g for p in self.parts for e in p.elements for g in e.groups)

    def possible(self, present: frozenset[str]) -> bool:
        """A cheap test: False when some element has nothing to match in the text."""
        return all(e.possible(present) for p in self.parts for e in p.elements)

    def find(self, reading: Reading, *, negation: bool = True) -> Match | None:
        """The first match in ``reading`` (not negated when ``negation``), or None."""
        if not self.possible(reading.present):
            return None
        per_part = [_part_matches(part, reading) for part in self.parts]
        if any(not found for found in per_part):
            return None
        check = negation and not self.names_neg
        for combo in itertools.product(*per_part):
            used = frozenset().union(*(m.positions for m in combo))
            if len(combo) > 1 and (len(used) < sum(len(m.positions) for m in combo) or max(used) - min(used) >= WINDOW):
                continue  # parts overlap, or lie too far apart
            match = Match(used, tuple(s for m in combo for s in m.starts))
            if not (check and negated(match, reading)):
                return match
        return None


@dataclass(frozen=True)
class PatternIndex:
    """Patterns filed under the words and groups of their *anchor*, the element least likely to
    be in a text by ``cost``: a text only tries the patterns whose anchor it holds (or whose
    elements all take prefixes)."""

    by_key: dict[str, tuple[int, ...]]
    always: tuple[int, ...]

    @classmethod
    def build(cls, patterns: Sequence[Pattern], cost: Callable[[str], int]) -> PatternIndex:
        """The index of ``patterns`` (numbered by their position)."""
        by_key: dict[str, list[int]] = {}
        always: list[int] = []
        for number, pattern in enumerate(patterns):
            anchors = [e for p in pattern.parts for e in p.elements if not e.prefixes]
            if not anchors:
                always.append(number)
                continue
            anchor = min(anchors, key=lambda e: sum(cost(k) for k in e.words | e.groups))
            for key in anchor.words | anchor.groups:
                by_key.setdefault(key, []).append(number)
        return cls({k: tuple(v) for k, v in by_key.items()}, tuple(always))

    def candidates(self, present: frozenset[str]) -> list[int]:
        """The numbers, in order, of the patterns a text holding ``present`` may match."""
        found = set(self.always)
        for key in present:
            numbers = self.by_key.get(key)
            if numbers:
                found.update(numbers)
        return sorted(found)


def _part_matches(part: Part, reading: Reading) -> list[Match]:
    found: list[Match] = []
    n = len(reading.tokens)

    def extend(k: int, prev_end: int, positions: frozenset[int], starts: tuple[int, ...]) -> None:
        if len(found) >= MAX_PART_MATCHES:
            return
        if k == len(part.elements):
            found.append(Match(positions, starts))
            return
        element = part.elements[k]
        for s in range(n) if k == 0 else range(prev_end, min(n, prev_end + part.gaps[k] + 1)):
            for item in reading.items[s]:
                if element.accepts(item):
                    extend(k + 1, item.end, positions | frozenset(range(item.start, item.end)), starts + (s,))

    extend(0, 0, frozenset(), ())
    return found


def negated(match: Match, reading: Reading) -> bool:
    """Whether a ``NEG`` word stands right before an element of ``match`` (see the module docstring)."""
    for start in match.starts:
        position = start
        for _ in range(NEG_VERB_HOPS):
            carrier = _neg_verb_before(position, match, reading)
            if carrier is None:
                break
            position = carrier
        before = position - 1
        if before < 0 or before in match.positions:
            continue
        groups = reading.groups_at(before)
        if NEG in groups:
            return True
        if NEG_GAP in groups and before - 1 >= 0 and before - 1 not in match.positions:
            if NEG in reading.groups_at(before - 1):
                return True
    return False


def _neg_verb_before(position: int, match: Match, reading: Reading) -> int | None:
    """The start of a ``NEG_VERB`` item ending right before ``position`` and outside ``match``."""
    for start in range(max(0, position - 3), position):
        if start in match.positions:
            continue
        for item in reading.items[start]:
            if item.end == position and NEG_VERB in item.groups:
                return start
    return None


def compile_pattern(source: str, known_groups: frozenset[str] | None = None) -> Pattern:
    """``source`` compiled; :class:`PatternError` if it is empty or names an unknown group."""
    parts: list[Part] = []
    for part_source in source.split(" + "):
        elements: list[Element] = []
        gaps: list[int] = []
        gap = SHORT_GAP
        for raw in part_source.split():
            if raw in ("..", "...", "_"):
                gap = {"..": MEDIUM_GAP, "...": LONG_GAP, "_": NO_GAP}[raw]
                continue
            elements.append(_element(raw, known_groups, source))
            gaps.append(gap)
            gap = SHORT_GAP
        if not elements:
            raise PatternError(f"empty part in pattern {source!r}")
        parts.append(Part(tuple(elements), tuple(gaps)))
    return Pattern(source, tuple(parts), any(NEG in e.groups for p in parts for e in p.elements))


def _element(raw: str, known_groups: frozenset[str] | None, source: str) -> Element:
    words: set[str] = set()
    groups: set[str] = set()
    prefixes: list[str] = []
    for option in raw.split("/"):
        if not option:
            continue
        if option.isupper() and option.replace("_", "").isalnum():
            if known_groups is not None and option not in known_groups:
                raise PatternError(f"unknown word group {option} in pattern {source!r}")
            groups.add(option)
        elif option.endswith("*") and len(option) > 1:
            stem = "".join(tokens(option[:-1]))
            if stem:
                prefixes.append(stem)
        else:
            folded = "".join(tokens(option))
            if folded:
                words.add(folded)
    if not (words or groups or prefixes):
        raise PatternError(f"empty element {raw!r} in pattern {source!r}")
    return Element(frozenset(words), frozenset(groups), tuple(prefixes))


@dataclass(frozen=True)
class PatternRow:
    """A data-file row holding a pattern (a crisis trigger or guard, a need phrase or guard): its
    line number, language, pattern and the example it must match."""

    row: int
    language: str
    pattern: Pattern
    example: str


R = TypeVar("R", bound=PatternRow)


def matches(rows: Sequence[R], index: PatternIndex, reading: Reading, *, skip: Collection[int] = (),
            negation: bool = True) -> list[tuple[R, Match]]:
    """The rows filed in ``index`` (but ``skip``) whose pattern matches ``reading``, with where."""
    found = []
    for number in index.candidates(reading.present):
        item = rows[number]
        if item.row not in skip:
            match = item.pattern.find(reading, negation=negation)
            if match is not None:
                found.append((item, match))
    return found


def word_triples(text: str, file: str, error: type[ValueError], shared: Collection[str] = ()) -> list[tuple[str, str, str]]:
    """The ``(group, language, entry)`` triples of a word-group file (``error``: a bad or ``shared`` group)."""
    triples = []
    for number, row in data_rows(text):
        group = row.get("group", "")
        if not group or not group.replace("_", "").isalnum() or not group.isupper():
            raise error(f"{file} line {number}: group {group!r} must be UPPER_CASE")
        if group in shared:
            raise error(f"{file} line {number}: {group} is shared: add its words to crisis_words.csv")
        triples += [(group, row.get("language", "*") or "*", entry) for entry in cell_list(row.get("words", ""))]
    return triples


class PatternCompiler:
    """Compiles the ``pattern`` cells of data rows against word groups, then builds the lexicon
    that reads queries for them and the patterns' indexes (:meth:`build`). An option of words
    joined by ``_`` (``lockout/locked_out``) becomes a word group of that phrase alone."""

    def __init__(self, triples: Iterable[tuple[str, str, str]], groups: Iterable[str], error: type[ValueError]) -> None:
        self.triples = list(triples)
        self.groups = {g for g, _, _ in self.triples} | set(groups)
        self.error = error
        self.joined: dict[str, str] = {}
        self.literals: set[str] = set()

    def compile(self, row: dict[str, str], where: str) -> Pattern:
        """The compiled ``pattern`` cell of ``row``; ``error`` naming ``where`` when it does not compile."""
        elements = []
        for raw in row.get("pattern", "").split(" "):
            options = []
            for option in raw.split("/"):
                if "_" in option.strip("_") and not option.isupper():
                    phrase = " ".join(tokens(option.replace("_", " ")))
                    option = self.joined.setdefault(phrase, f"PHRASE{len(self.joined) + 1}")
                    self.groups.add(option)
                options.append(option)
            elements.append("/".join(options))
        try:
            pattern = compile_pattern(" ".join(elements), frozenset(self.groups))
        except PatternError as error:
            raise self.error(f"{where}: {error}") from None
        self.literals |= {w for p in pattern.parts for e in p.elements for w in e.words}
        return pattern

    def row(self, number: int, row: dict[str, str], where: str) -> tuple[int, str, Pattern, str]:
        """The :class:`PatternRow` fields of data row ``row`` on line ``number`` (see :meth:`compile`)."""
        return number, row.get("language", ""), self.compile(row, where), row.get("example", "")

    def build(self, *row_sets: Sequence[PatternRow]) -> tuple[Lexicon, list[PatternIndex]]:
        """The lexicon of everything compiled, and an index of each of ``row_sets``' patterns."""
        lexicon = Lexicon.build(self.triples + [(g, "*", words) for words, g in self.joined.items()], self.literals)
        sizes: dict[str, int] = {}
        for names in lexicon.word_groups.values():
            for group in names:
                sizes[group] = sizes.get(group, 0) + 1
        return lexicon, [PatternIndex.build([r.pattern for r in rows], lambda key: sizes.get(key, 1)) for rows in row_sets]
