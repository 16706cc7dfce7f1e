"""Crisis safety: recognising a query that signals danger, and the card of lines to pin for it.

The rules are data in ``directory_data/`` (``crisis_words.csv``, ``crisis_triggers.csv``,
``crisis_guards.csv``, ``crisis_lines.csv``, ``crisis_card.csv``), each file documenting its format
in its header; patterns are those of :mod:`search_index.query.word_patterns`.
:meth:`CrisisRules.detect` keeps the trigger matches that no guard stops and that are not negated
("I'm not suicidal"), and orders their lines: lines of a *danger* row before those only of
*topic* rows, then a line some row lists first, then by line priority. The card leads with "Call
911 now" when a matched danger row says so or the query holds a ``NOW`` or ``WEAPON`` word.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from search_index.query.crisis_examples import EXAMPLES_PATH, MIN_SIMILARITY, Example, ExampleBackstop, load_backstop
from search_index.query.data_rows import DATA_DIR, WatchedFiles, cell_list, data_rows
from search_index.query.lexicon import Lexicon, Reading
from search_index.query.text_forms import tokens
from search_index.query.word_patterns import Match, PatternCompiler, PatternIndex, PatternRow, matches, word_triples

WORDS_PATH = DATA_DIR / "crisis_words.csv"
TRIGGERS_PATH = DATA_DIR / "crisis_triggers.csv"
GUARDS_PATH = DATA_DIR / "crisis_guards.csv"
LINES_PATH = DATA_DIR / "crisis_lines.csv"
CARD_PATH = DATA_DIR / "crisis_card.csv"

#: Languages every card word must be written in.
CARD_LANGUAGES = ("en", "es", "ht")
#: Interface languages of the kiosk (a card in another language only for a query written in it).
INTERFACE_LANGUAGES = ("en", "es")
#: Groups whose words, anywhere in a danger query, mean the danger may be happening now.
NOW_GROUPS = ("NOW", "WEAPON")
KINDS = ("danger", "topic")
SCOPES = ("topic", "overlap", "all")


class CrisisDataError(ValueError):
    """A row of a crisis data file that cannot be used (the message names file and row)."""


@dataclass(frozen=True)
class CrisisLine:
    """A row of ``crisis_lines.csv``: a crisis line that a search can pin."""

    key: str
    phones: tuple[str, ...]
    taxonomy_codes: tuple[str, ...]
    call: str
    priority: int
    text: str = ""
    text_word: str = ""
    chat: str = ""
    online: str = ""
    hours: str = "24/7"
    related: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class CardLine:
    """One line on the pinned card, every text in the card's language."""

    key: str
    name: str
    purpose: str
    call: str
    call_label: str
    text_label: str
    chat_label: str
    online_label: str
    hours: str


@dataclass(frozen=True)
class CrisisCard:
    """What the pinned card says, all in ``language``."""

    language: str
    now: bool
    heading: str
    lead: str
    desk: str
    lines: tuple[CardLine, ...]

    @property
    def message(self) -> str:
        """The lead as a sentence (without the front desk)."""
        return self.lead + "."


@dataclass(frozen=True)
class CardWords:
    """The rows of ``crisis_card.csv``: key -> language -> text."""

    texts: dict[str, dict[str, str]]

    def get(self, key: str, lang: str, **values: str) -> str:
        """The text of ``key`` in ``lang`` (English when missing), ``{name}`` s filled in."""
        row = self.texts.get(key, {})
        text = row.get(lang) or row.get("en", "")
        return text.format(**values) if values else text


@dataclass(frozen=True)
class CrisisMatch:
    """The crisis lines a query pins, their indexed listings in pin order, and how to show them."""

    lines: tuple[CrisisLine, ...]
    service_ids: tuple[str, ...]
    danger: bool
    now: bool = False
    language: str = "en"
    words: CardWords = field(default_factory=lambda: CardWords({}), compare=False)

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of the pinned lines (``988``, ``dv``, ``rainn``, ``childhelp`` ...)."""
        return tuple(line.key for line in self.lines)

    @property
    def message(self) -> str:
        """The card's lead as a sentence, in the card's language."""
        return self.card().message

    def card(self, language: str | None = None) -> CrisisCard:
        """The card, in ``language`` (default: the card's language)."""
        lang = language or self.language
        w = self.words
        text = lambda line: (  # noqa: E731
            w.get("action.text_word", lang, number=line.text, word=line.text_word) if line.text_word
            else w.get("action.text", lang, number=line.text))
        lines = tuple(
            CardLine(
                key=line.key,
                name=w.get(f"{line.key}.name", lang) or line.key,
                purpose=w.get(f"{line.key}.for", lang),
                call=line.call,
                call_label=w.get("action.call", lang, number=line.call),
                text_label=text(line) if line.text else "",
                chat_label=w.get("action.chat", lang, url=line.chat) if line.chat else "",
                online_label=w.get("action.online", lang, url=line.online) if line.online else "",
                hours=w.get(f"hours.{line.hours}", lang) or line.hours,
            )
            for line in self.lines
        )
        return CrisisCard(lang, self.now, w.get("card.heading", lang), w.get("lead.now" if self.now else "lead.maybe", lang),
                          w.get("lead.desk", lang), lines)


def card_language(interface: str, detected: str | None) -> str:
    """The card's language: the query's when it reads as Spanish or Creole, else the interface's."""
    if detected in ("es", "ht"):
        return detected
    return interface if interface in INTERFACE_LANGUAGES else "en"


@dataclass(frozen=True)
class Trigger(PatternRow):
    """A row of ``crisis_triggers.csv``: ``pattern`` pins ``lines`` (in order)."""

    lines: tuple[str, ...]
    kind: str
    now: bool


@dataclass(frozen=True)
class Guard(PatternRow):
    """A row of ``crisis_guards.csv``: ``pattern`` marks an ordinary query (see the file)."""

    line: str
    scope: str

    def stops(self, trigger: Trigger, match: Match, guard_match: Match) -> bool:
        """Whether this guard, matched at ``guard_match``, stops ``trigger`` matched at ``match``."""
        if self.line != "*" and self.line not in trigger.lines:
            return False
        if self.scope == "topic":
            return trigger.kind == "topic"
        if self.scope == "overlap":
            return not match.positions.isdisjoint(guard_match.positions)
        return True


@dataclass(frozen=True)
class Detection:
    """What :meth:`CrisisRules.detect` found (line keys in pin order) and the rows that decided."""

    lines: tuple[str, ...]
    danger: bool
    now: bool
    language: str | None
    triggers: tuple[int, ...] = ()
    stopped_by: tuple[int, ...] = ()
    #: The closest example voting for the pinned line when the rules pinned nothing (the backstop), and how close.
    example: Example | None = None
    similarity: float = 0.0


@dataclass(frozen=True)
class CrisisRules:
    """The lexicon, triggers, guards, lines and card words, compiled."""

    lexicon: Lexicon
    triggers: tuple[Trigger, ...]
    guards: tuple[Guard, ...]
    lines: dict[str, CrisisLine]
    words: CardWords
    trigger_index: PatternIndex
    guard_index: PatternIndex

    def read(self, text: str) -> Reading:
        """``text`` read by the lexicon."""
        return self.lexicon.read(text)

    def detect(self, text: str, *, skip_guards: frozenset[int] = frozenset(),
               backstop: ExampleBackstop | None = None) -> Detection:
        """The lines ``text`` pins (see the module docstring), leaving out the ``skip_guards`` rows;
        when no trigger matches, the examples of ``backstop`` (if given) may vote for lines."""
        reading = self.lexicon.read(text)
        found = matches(self.triggers, self.trigger_index, reading)
        if not found:
            if backstop is not None:
                return self._backstop(text, reading, backstop)
            return Detection((), False, False, reading.language)
        guards = matches(self.guards, self.guard_index, reading, skip=skip_guards, negation=False)
        kept: list[Trigger] = []
        stopped: set[int] = set()
        for trigger, match in found:
            stoppers = [g.row for g, gm in guards if g.stops(trigger, match, gm)]
            stopped.update(stoppers)
            if not stoppers:
                kept.append(trigger)
        rank: dict[str, tuple[bool, int, int]] = {}
        for trigger in kept:
            for place, key in enumerate(trigger.lines):
                here = (trigger.kind != "danger", place, self.lines[key].priority)
                rank[key] = min(rank.get(key, here), here)
        keys = sorted(rank, key=lambda k: rank[k])
        danger = any(t.kind == "danger" for t in kept)
        now = bool(keys) and (any(t.now for t in kept if t.kind == "danger")
                              or any(g in reading.present for g in NOW_GROUPS))
        return Detection(tuple(keys), danger, now, reading.language, tuple(t.row for t in kept), tuple(sorted(stopped)))

    def _backstop(self, text: str, reading: Reading, backstop: ExampleBackstop) -> Detection:
        """The lines the examples vote for, for a query no trigger matched, unless a trigger was
        cancelled by a negation ("I'm not suicidal"), a guard marks it as a look-alike, or the
        vote is not clear enough (:mod:`crisis_examples`): the leading line first, then the other
        lines of its closest voter."""
        nothing = Detection((), False, False, reading.language)
        vote = backstop.vote(text, threshold=MIN_SIMILARITY)
        if not vote.pins() or vote.example is None:
            return nothing
        if matches(self.triggers, self.trigger_index, reading, negation=False):
            return nothing
        if matches(self.guards, self.guard_index, reading, negation=False):
            return nothing
        example = vote.example
        keys = tuple(k for k in dict.fromkeys((vote.line, *example.lines)) if k in self.lines)
        if not keys:
            return nothing
        now = example.now or any(g in reading.present for g in NOW_GROUPS)
        return Detection(keys, True, now, reading.language or example.language,
                         example=example, similarity=vote.similarity)

    def match(
        self, text: str, interface: str = "en", service_ids: tuple[str, ...] = (),
        backstop: ExampleBackstop | None = None,
    ) -> CrisisMatch | None:
        """The :class:`CrisisMatch` of ``text`` (no listings), or None when it pins nothing;
        ``backstop`` defaults to the examples file's (:func:`current_backstop`)."""
        found = self.detect(text, backstop=backstop if backstop is not None else current_backstop())
        if not found.lines:
            return None
        return CrisisMatch(
            tuple(self.lines[k] for k in found.lines), service_ids, found.danger, found.now,
            card_language(interface, found.language), self.words,
        )


def parse_lines(lines_text: str, card_text: str) -> tuple[dict[str, CrisisLine], CardWords]:
    """The lines of ``crisis_lines.csv`` and the words of ``crisis_card.csv``."""
    texts: dict[str, dict[str, str]] = {}
    for number, row in data_rows(card_text):
        if not row.get("key"):
            raise CrisisDataError(f"crisis_card.csv line {number}: no key")
        texts[row["key"]] = {lang: row[lang] for lang in CARD_LANGUAGES if row.get(lang)}
    lines: dict[str, CrisisLine] = {}
    for number, row in data_rows(lines_text):
        key = row.get("line", "")
        if not key:
            raise CrisisDataError(f"crisis_lines.csv line {number}: no line key")
        lines[key] = CrisisLine(
            key, cell_list(row.get("phones", "")), tuple(c.lower() for c in cell_list(row.get("taxonomy_codes", ""))),
            row.get("call", ""), int(row.get("priority") or 99), row.get("text", ""), row.get("text_word", ""),
            row.get("chat", ""), row.get("online", ""), row.get("hours", "") or "24/7",
            tuple(p for p in (tuple(tokens(x)) for x in cell_list(row.get("related", ""))) if p),
        )
    return lines, CardWords(texts)


def parse_rules(
    words_text: str, triggers_text: str, guards_text: str, lines_text: str, card_text: str
) -> CrisisRules:
    """The rules from the texts of the five data files; :class:`CrisisDataError` on a bad row."""
    compiler = PatternCompiler(word_triples(words_text, "crisis_words.csv", CrisisDataError),
                               ("NEG", "NEG_GAP", "NEG_VERB", *NOW_GROUPS), CrisisDataError)
    lines, card_words = parse_lines(lines_text, card_text)
    triggers: list[Trigger] = []
    for number, row in data_rows(triggers_text):
        keys = cell_list(row.get("line", ""))
        kind = row.get("kind", "")
        if not keys or any(k not in lines for k in keys) or kind not in KINDS:
            raise CrisisDataError(
                f"crisis_triggers.csv line {number}: line {row.get('line')!r} or kind {kind!r} is not known")
        triggers.append(Trigger(*compiler.row(number, row, f"crisis_triggers.csv line {number}"), keys, kind,
                                row.get("now", "").lower() == "yes"))
    guards: list[Guard] = []
    for number, row in data_rows(guards_text):
        line = row.get("line", "")
        scope = row.get("scope", "")
        if (line != "*" and line not in lines) or scope not in SCOPES:
            raise CrisisDataError(
                f"crisis_guards.csv line {number}: line {line!r} or scope {scope!r} is not known")
        guards.append(Guard(*compiler.row(number, row, f"crisis_guards.csv line {number}"), line, scope))
    lexicon, (trigger_index, guard_index) = compiler.build(triggers, guards)
    return CrisisRules(lexicon, tuple(triggers), tuple(guards), lines, card_words, trigger_index, guard_index)


DEFAULT_PATHS = (WORDS_PATH, TRIGGERS_PATH, GUARDS_PATH, LINES_PATH, CARD_PATH)

_files: WatchedFiles[CrisisRules] = WatchedFiles(lambda *texts: parse_rules(*texts), (CrisisDataError,))


def load_rules(paths: tuple[Path, ...] = DEFAULT_PATHS) -> CrisisRules:
    """The rules from the data files, re-read within a second of one changing (:class:`WatchedFiles`)."""
    return _files.load(paths)


#: Names another examples file, or ``none`` for the word-list rules alone (the judged tests point
#: it at a copy of the examples without the file they score: leave-one-file-out).
EXAMPLES_SETTING = "KIOSK_CRISIS_EXAMPLES"


def current_backstop() -> ExampleBackstop | None:
    """The example backstop searches use: ``directory_data/crisis_examples.csv``, or the file the
    ``KIOSK_CRISIS_EXAMPLES`` environment variable names (``none``: no backstop)."""
    setting = os.environ.get(EXAMPLES_SETTING, "").strip()
    if setting.lower() == "none":
        return None
    return load_backstop(Path(setting) if setting else EXAMPLES_PATH)
