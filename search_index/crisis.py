"""Crisis safety: recognising a query that signals danger and naming the line(s) to pin.

The triggers (``directory_data/crisis_triggers.csv``) and the lines (``crisis_lines.csv``) are
data, documented in their headers. A *danger* pattern ("my boyfriend hits me", "quiero
morir") always pins its line; a *topic* pattern ("suicide", "violación") pins unless a guard
of the same line shows an ordinary query ("suicide prevention training"). Words a person in
distress commonly misspells are matched within one edit as well.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from search_index.analysis import words

DATA_DIR = Path(__file__).resolve().parent.parent / "directory_data"
TRIGGERS_PATH = DATA_DIR / "crisis_triggers.csv"
LINES_PATH = DATA_DIR / "crisis_lines.csv"

#: How many other words may come between two words of a pattern.
MAX_GAP = 3

EMERGENCY_MESSAGES: dict[str, str] = {
    "en": "If you are in immediate danger, call 911.",
    "es": "Si está en peligro inmediato, llame al 911.",
}


@dataclass(frozen=True)
class CrisisLine:
    """A crisis line that a search can pin (a row of ``crisis_lines.csv``)."""

    key: str
    phones: tuple[str, ...]
    taxonomy_codes: tuple[str, ...]
    name_en: str
    name_es: str
    call: str
    priority: int
    related: tuple[tuple[str, ...], ...] = ()

    def name(self, lang: str = "en") -> str:
        """The line's name in ``lang`` (English when there is no Spanish name)."""
        return self.name_es if lang == "es" and self.name_es else self.name_en


@dataclass(frozen=True)
class CrisisMatch:
    """The crisis lines a query pins, the listings found for them, and the 911 message.

    ``service_ids`` are the indexed listings of those lines, in pin order (empty when the
    directory has none: the lines are then shown from ``lines`` alone).
    """

    lines: tuple[CrisisLine, ...]
    service_ids: tuple[str, ...]
    message: str
    danger: bool

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of the pinned lines (``988``, ``dv``, ``rainn``, ``childhelp``)."""
        return tuple(line.key for line in self.lines)


@dataclass(frozen=True)
class _Slot:
    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def accepts(self, word: str) -> bool:
        return word in self.exact or any(word.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class Pattern:
    """One row of the trigger table, compiled."""

    line: str
    kind: str
    slots: tuple[_Slot, ...]
    source: str

    def matches(self, tokens: list[str], present: frozenset[str] | None = None) -> bool:
        """Whether the slots occur in ``tokens`` in order, at most :data:`MAX_GAP` words apart.

        ``present`` (the set of ``tokens``) lets a pattern whose exact-word slot has no word in
        the query be ruled out at once.
        """
        if present is not None:
            for slot in self.slots:
                if not slot.prefixes and slot.exact.isdisjoint(present):
                    return False
        return _match_from(self.slots, tokens, 0, None)


def _match_from(slots: tuple[_Slot, ...], tokens: list[str], slot: int, last: int | None) -> bool:
    if slot == len(slots):
        return True
    start = 0 if last is None else last + 1
    stop = len(tokens) if last is None else min(len(tokens), last + 2 + MAX_GAP)
    for i in range(start, stop):
        if slots[slot].accepts(tokens[i]) and _match_from(slots, tokens, slot + 1, i):
            return True
    return False


def _compile(line: str, kind: str, pattern: str) -> Pattern | None:
    slots = []
    for part in pattern.split():
        exact: set[str] = set()
        prefixes: list[str] = []
        for option in part.split("/"):
            if option.endswith("*") and len(option) > 1:
                prefixes.append("".join(words(option[:-1])))
            else:
                folded = words(option)
                if folded:
                    exact.add("".join(folded) if len(folded) > 1 else folded[0])
        if exact or prefixes:
            slots.append(_Slot(frozenset(exact), tuple(prefixes)))
    if not slots:
        return None
    return Pattern(line, kind, tuple(slots), pattern)


@dataclass(frozen=True)
class CrisisRules:
    """The compiled trigger table and the crisis lines."""

    patterns: tuple[Pattern, ...]
    lines: dict[str, CrisisLine]
    vocabulary: frozenset[str]
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def detect(self, tokens: list[str]) -> tuple[tuple[CrisisLine, ...], bool]:
        """The lines ``tokens`` pin (in priority order) and whether a *danger* pattern matched."""
        tokens = [self.correct(t) for t in tokens]
        present = frozenset(tokens)
        danger: set[str] = set()
        topic: set[str] = set()
        guarded: set[str] = set()
        for pattern in self.patterns:
            if pattern.kind == "guard":
                if pattern.matches(tokens, present):
                    guarded.add(pattern.line)
            elif pattern.line not in danger and pattern.matches(tokens, present):
                (danger if pattern.kind == "danger" else topic).add(pattern.line)
        if "*" in guarded:
            topic.clear()
        pinned = danger | (topic - guarded)
        lines = sorted(
            (self.lines[key] for key in pinned if key in self.lines), key=lambda l: l.priority
        )
        return tuple(lines), bool(danger)

    def correct(self, token: str) -> str:
        """``token``, or the trigger word within one edit of it when ``token`` is not one."""
        if len(token) < 5 or token in self.vocabulary or not token.isalpha():
            return token
        found = self._corrections.get(token)
        if found is None:
            found = token
            for length in (len(token), len(token) - 1, len(token) + 1):
                for word in self._by_length.get(length, ()):
                    if within_one_edit(token, word):
                        found = word
                        break
                if found != token:
                    break
            if len(self._corrections) > 20000:
                self._corrections.clear()
            self._corrections[token] = found
        return found

    @property
    def _by_length(self) -> dict[int, tuple[str, ...]]:
        table = self._cache.get("by-length")
        if table is None:
            grouped: dict[int, list[str]] = {}
            for word in sorted(self.vocabulary):
                if len(word) >= 5:
                    grouped.setdefault(len(word), []).append(word)
            table = self._cache["by-length"] = {k: tuple(v) for k, v in grouped.items()}
        return table

    @property
    def _corrections(self) -> dict[str, str]:
        return self._cache.setdefault("corrections", {})


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` with at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def parse_rules(triggers_text: str, lines_text: str) -> CrisisRules:
    """The rules from the CSV texts of ``crisis_triggers.csv`` and ``crisis_lines.csv``."""
    lines: dict[str, CrisisLine] = {}
    for row in _rows(lines_text):
        key = (row.get("line") or "").strip()
        if not key:
            continue
        lines[key] = CrisisLine(
            key=key,
            phones=tuple(p.strip() for p in (row.get("phones") or "").split("|") if p.strip()),
            taxonomy_codes=tuple(
                c.strip().lower() for c in (row.get("taxonomy_codes") or "").split("|") if c.strip()
            ),
            name_en=(row.get("name_en") or key).strip(),
            name_es=(row.get("name_es") or "").strip(),
            call=(row.get("call") or "").strip(),
            priority=int((row.get("priority") or "99").strip() or 99),
            related=tuple(
                phrase
                for phrase in (tuple(words(p)) for p in (row.get("related") or "").split("|"))
                if phrase
            ),
        )
    patterns: list[Pattern] = []
    for row in _rows(triggers_text):
        kind = (row.get("kind") or "").strip()
        line = (row.get("line") or "").strip()
        if kind not in ("danger", "topic", "guard") or not line:
            continue
        compiled = _compile(line, kind, row.get("pattern") or "")
        if compiled is not None:
            patterns.append(compiled)
    vocabulary = frozenset(
        word for p in patterns if p.kind != "guard" for slot in p.slots for word in slot.exact
    )
    return CrisisRules(tuple(patterns), lines, vocabulary)


#: Seconds between two looks at the files' modification times.
RECHECK_SECONDS = 1.0

_lock = threading.Lock()
_cache: dict[tuple[Path, Path], tuple[tuple[float, float], CrisisRules]] = {}
_checked: dict[tuple[Path, Path], float] = {}


def load_rules(triggers: Path | None = None, lines: Path | None = None) -> CrisisRules:
    """The rules from the data files (defaults in ``directory_data``), re-read when they change."""
    triggers = triggers or TRIGGERS_PATH
    lines = lines or LINES_PATH
    key = (triggers, lines)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - _checked.get(key, 0.0) < RECHECK_SECONDS:
        return cached[1]
    _checked[key] = now
    try:
        stamp = (triggers.stat().st_mtime, lines.stat().st_mtime)
    except OSError:
        return CrisisRules((), {}, frozenset())
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    rules = parse_rules(triggers.read_text(encoding="utf-8"), lines.read_text(encoding="utf-8"))
    with _lock:
        _cache[key] = (stamp, rules)
    return rules


def emergency_message(lang: str) -> str:
    """"If you are in immediate danger, call 911" in ``lang`` (English by default)."""
    return EMERGENCY_MESSAGES.get(lang, EMERGENCY_MESSAGES["en"])
