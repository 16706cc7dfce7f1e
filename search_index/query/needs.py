"""Understanding needs: what a person's words ask for, before any word is matched to a listing.

``"he takes my phone and won't let me leave"`` or ``"mari m bat mwen"`` name no service, yet ask
for help with domestic violence. A query is read against phrase patterns
(:mod:`search_index.query.word_patterns`) in English, Spanish and Haitian Creole for the *needs*
it expresses; each need resolves to AIRS/211 taxonomy codes, a category of need and, for the
kiosk's topics, a mission category. The data are ``directory_data/needs.csv``, ``need_phrases.csv``, ``need_words.csv``,
``need_categories.csv``, ``need_guards.csv`` and ``need_shorthand.csv`` (shorthand read as what it
stands for: "EPO", "CSA", "sec 8"), each documenting its format in its header; the
``NEG``, ``NEG_GAP`` and ``LANG`` groups are those of ``crisis_words.csv``. When two needs are
read from overlapping words, the one read from more words wins ("immigration lawyer"); a guard
cancels the needs it names where it matches ("*animal* shelter").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from search_index.engine.segments import LRU
from search_index.query.crisis import WORDS_PATH as CRISIS_WORDS_PATH
from search_index.query.data_rows import DATA_DIR, WatchedFiles, cell_list, data_rows
from search_index.query.known_words import is_known
from search_index.query.lexicon import Lexicon, Reading
from search_index.query.scoring import edit_distance
from search_index.query.text_forms import tokens, two_deletions, with_deletions, word_index
from search_index.query.word_patterns import PatternCompiler, PatternIndex, PatternRow, matches, word_triples

NEEDS_PATH = DATA_DIR / "needs.csv"
PHRASES_PATH = DATA_DIR / "need_phrases.csv"
WORDS_PATH = DATA_DIR / "need_words.csv"
CATEGORIES_PATH = DATA_DIR / "need_categories.csv"
GUARDS_PATH = DATA_DIR / "need_guards.csv"
SHORTHAND_PATH = DATA_DIR / "need_shorthand.csv"
#: Most words of one shorthand entry ("sec 8", "d v").
SHORTHAND_MAX_WORDS = 3
#: The crisis detector's groups shared with ``crisis_words.csv`` (:data:`CRISIS_WORDS_PATH`).
SHARED_GROUPS = ("NEG", "NEG_GAP", "LANG")
#: Groups with a fixed meaning in ``need_words.csv``.
NONEED = "NONEED"
FILLER = "FILLER"
KINDS = ("need", "group")
#: Scopes of a guard (see ``need_guards.csv``).
GUARD_SCOPES = ("overlap", "next", "all")
CATEGORY_LANGUAGES = ("en", "es", "ht")
#: Shortest token read as a word two edits away (shorter ones: one edit, :mod:`search_index.query.lexicon`).
RESPELL_MIN = 8
#: Length of the tokens read as a word one edit away here (the lexicon corrects from five letters).
SHORT_RESPELL = 4
#: Weights of the needs of one query (see :meth:`NeedReading.weights`).
LEAD_WEIGHT = 1.0
FOLLOW_WEIGHT = 0.5
GROUP_WEIGHT = 0.25
MISSIONS = ("mental-health", "childcare", "abuse", "housing")
#: Most distinct texts whose reading is kept (and four times as many respelled tokens).
READINGS_KEPT = 4096
#: The category of need (need_categories.csv) handed off when a query asks for something the needs
#: data do not name.
OTHER_CATEGORY = "other"


class NeedDataError(ValueError):
    """A row of a needs data file that cannot be used (the message names file and line)."""


def code_covers(code: str, entry: str) -> bool:
    """Whether the taxonomy ``entry`` covers ``code``: ``bh-1800`` covers itself and the codes
    below it at a code boundary (``bh-1800.8500-185``, not ``bh-18000``); ``=bh-1800`` only itself."""
    if entry.startswith("="):
        return code == entry[1:]
    if code == entry:
        return True
    return code.startswith(entry) and (entry.endswith((".", "-")) or code[len(entry)] in ".-")


def is_ancestor(broad: str, code: str) -> bool:
    """Whether the taxonomy code ``broad`` is above ``code`` (``rp`` above ``rp-1400.8000``, not ``rpx``)."""
    if code == broad or not code.startswith(broad):
        return False
    return len(broad) == 1 or code_covers(code, broad)


@dataclass(frozen=True)
class CodeSet:
    """Taxonomy codes that make a listing serve a need, minus ``exclude``, plus ``broad`` ones."""

    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    broad: tuple[str, ...] = ()

    def covers(self, code: str) -> bool:
        """Whether ``code`` serves the need (broad codes aside, see :meth:`serves`)."""
        return any(code_covers(code, e) for e in self.include) and not any(code_covers(code, e) for e in self.exclude)

    def serves(self, codes: tuple[str, ...]) -> bool:
        """Whether a listing carrying ``codes`` (all of them) serves the need."""
        return any(self.covers(c) for c in codes) or any(
            b in codes and not any(is_ancestor(b, c) for c in codes) for b in self.broad)


@dataclass(frozen=True)
class NeedCategory:
    """A category of need (``food``, ``legal`` ...) with its names in three languages."""

    key: str
    names: dict[str, str] = field(compare=False, hash=False)

    def name(self, lang: str = "en") -> str:
        """The category's name in ``lang`` (English when missing)."""
        return self.names.get(lang) or self.names.get("en") or self.key


@dataclass(frozen=True)
class Need:
    """A row of ``needs.csv``."""

    key: str
    category: str
    kind: str
    codes: CodeSet
    search: tuple[tuple[str, ...], ...]
    mission: str = ""
    refines: tuple[str, ...] = ()
    leads: bool = False
    unless: CodeSet | None = None
    row: int = 0
    #: Served only by listings that also hold a word it was read from (a class of things, such as
    #: hobbies or products: a directory with art classes does not serve "ski rental").
    literal: bool = False


@dataclass(frozen=True)
class NeedPhrase(PatternRow):
    """A row of ``need_phrases.csv``: ``pattern`` expresses ``needs``."""

    needs: tuple[str, ...]


@dataclass(frozen=True)
class NeedGuard(PatternRow):
    """A row of ``need_guards.csv``: where ``pattern`` matches, ``needs`` (None: every need but
    those it ``keeps``) are not read from its words (``overlap``), from words right beside them
    (``next``: "anxiety *vest*") or at all (``all``)."""

    needs: frozenset[str] | None
    scope: str
    keeps: frozenset[str] = frozenset()

    def stops(self, need: str, positions: frozenset[int], guard_positions: frozenset[int]) -> bool:
        """Whether this guard, matched at ``guard_positions``, cancels ``need`` read at ``positions``."""
        if need in self.keeps or (self.needs is not None and need not in self.needs):
            return False
        if self.scope == "next":
            # Beside the guard's words, not among them ("my husband took my passport" keeps its
            # abuse, read from the passport itself; "passport renewal" is not about abuse).
            return positions.isdisjoint(guard_positions) and bool(positions) and bool(guard_positions) and (
                max(positions) + 1 == min(guard_positions) or max(guard_positions) + 1 == min(positions))
        return self.scope == "all" or not positions.isdisjoint(guard_positions)


@dataclass(frozen=True)
class FoundNeed:
    """A need read from a query: the token positions it was read from and the phrase row."""

    need: Need
    positions: frozenset[int]
    phrase: int


@dataclass(frozen=True)
class NeedReading:
    """What :meth:`NeedRules.read` found in a text: the needs in reading order, the words they
    were read from (``explained``), the ``NONEED`` and ``FILLER`` words, the language guessed,
    the phrase rows read and the guard rows that cancelled a need."""

    tokens: tuple[str, ...]
    found: tuple[FoundNeed, ...]
    explained: frozenset[str]
    noneed: frozenset[str]
    filler: frozenset[str]
    language: str | None
    rows: tuple[int, ...] = ()
    guarded: tuple[int, ...] = ()

    @property
    def needs(self) -> tuple[Need, ...]:
        """The needs found, first read first, each once."""
        return tuple(dict.fromkeys(f.need for f in self.found))

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of :attr:`needs`."""
        return tuple(n.key for n in self.needs)

    def weights(self) -> dict[str, float]:
        """How much each need found counts in ranking: :data:`LEAD_WEIGHT` for a need that
        leads (every need when none does), :data:`FOLLOW_WEIGHT` for the others, and
        :data:`GROUP_WEIGHT` for a group of people beside a need."""
        needs = self.needs
        any_need, leading = any(n.kind == "need" for n in needs), any(n.leads for n in needs)
        return {n.key: GROUP_WEIGHT if n.kind == "group" and any_need else FOLLOW_WEIGHT if leading and not n.leads
                else LEAD_WEIGHT for n in needs}


@dataclass
class NeedRules:
    """The needs data, compiled (see the module docstring)."""

    lexicon: Lexicon
    needs: dict[str, Need]
    phrases: tuple[NeedPhrase, ...]
    categories: dict[str, NeedCategory]
    guards: tuple[NeedGuard, ...]
    phrase_index: PatternIndex
    guard_index: PatternIndex
    shorthand: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    _cache: LRU = field(default_factory=lambda: LRU(READINGS_KEPT), repr=False)
    _respelled: LRU = field(default_factory=lambda: LRU(READINGS_KEPT * 4), repr=False)
    _by_deletions: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _short_by_deletion: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _by_spanish_spelling: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        words = self.lexicon.fuzzy_words()
        self._by_deletions = word_index((w for w in words if len(w) >= RESPELL_MIN - 2), two_deletions)
        self._short_by_deletion = word_index(
            (w for w in words if SHORT_RESPELL <= len(w) <= SHORT_RESPELL + 1), with_deletions)
        spanish = [w for w in words if "es" in self.lexicon.word_languages.get(w, ())]
        self._by_spanish_spelling = word_index(spanish, lambda w: (spanish_spelling(w),))

    def respelled(self, token: str) -> str:
        """``token`` as the vocabulary word it misspells: a Spanish word spelled as it sounds
        (:func:`spanish_spelling`: ``ijo``, ``abuzo``, ``bivienda``), within two edits for a token
        of :data:`RESPELL_MIN` letters or more that the lexicon reads as nothing (``councling``),
        within one for a :data:`SHORT_RESPELL`-letter token that is no common word (``ordr``);
        only a single best candidate with the same first letter; otherwise ``token`` itself."""
        if len(token) < SPANISH_RESPELL_MIN or not token.isalpha():
            return token
        return self._respelled.get_or_build(token, lambda: self._respell(token))

    def _respell(self, token: str) -> str:
        lexicon = self.lexicon
        if lexicon.in_vocabulary(token) or is_known(token):
            return token
        sounding = self._by_spanish_spelling.get(spanish_spelling(token), ())
        if not (len(token) >= RESPELL_MIN or len(token) == SHORT_RESPELL):
            # Only the (cheap) Spanish spelling: the lexicon corrects these lengths by itself.
            return sounding[0] if len(sounding) == 1 else token
        if lexicon.corrections(token):
            return token
        if len(sounding) == 1:
            return sounding[0]
        short = len(token) == SHORT_RESPELL
        index = self._short_by_deletion if short else self._by_deletions
        candidates = {w for key in (with_deletions(token) if short else two_deletions(token))
                      for w in index.get(key, ()) if w[0] == token[0]}
        best = sorted((edit_distance(token, word, 3), word) for word in candidates)
        best = [(d, w) for d, w in best if d <= (1 if short else 2)]
        return best[0][1] if best and (len(best) == 1 or best[0][0] < best[1][0]) else token

    def expand(self, typed: list[str]) -> tuple[list[str], frozenset[str]]:
        """``typed`` with each shorthand of ``need_shorthand.csv`` (the longest first) replaced by
        its expansion, and the typed words that were replaced."""
        out: list[str] = []
        replaced: set[str] = set()
        i = 0
        while i < len(typed):
            for size in range(min(SHORTHAND_MAX_WORDS, len(typed) - i), 0, -1):
                expansion = self.shorthand.get(tuple(typed[i:i + size]))
                if expansion is not None:
                    out.extend(expansion)
                    replaced.update(typed[i:i + size])
                    i += size
                    break
            else:
                out.append(typed[i])
                i += 1
        return out, frozenset(replaced)

    def read(self, text: str, *, skip: frozenset[int] = frozenset(),
             skip_guards: frozenset[int] = frozenset()) -> NeedReading:
        """The needs ``text`` expresses, leaving out the ``skip`` phrase and ``skip_guards`` rows.
        Shorthand is read as its expansion; a shorthand word counts as explained when a need was
        read from its expansion."""

        def build() -> NeedReading:
            expanded, replaced = self.expand(tokens(text)) if self.shorthand else (tokens(text), frozenset())
            reading = self.lexicon.read(" ".join(self.respelled(t) for t in expanded))
            found = self._read(reading, skip, skip_guards)
            if replaced and found.found:
                found = replace(found, explained=found.explained | replaced)
            return found

        return self._cache.get_or_build(text, build) if not skip and not skip_guards else build()

    def _covers(self, needs: tuple[str, ...], positions: frozenset[int], other: tuple[str, ...],
                other_positions: frozenset[int]) -> bool:
        """Whether a phrase of ``needs`` read from more words, all of ``other``'s among them, covers it."""
        if not other_positions < positions or not set(needs).isdisjoint(other):
            return False
        return any(self.needs[k].kind == "need" for k in needs) or all(
            self.needs[k].kind == "group" for k in other)

    def _read(self, reading: Reading, skip: frozenset[int], skip_guards: frozenset[int]) -> NeedReading:
        found = matches(self.phrases, self.phrase_index, reading, skip=skip)
        guards = matches(self.guards, self.guard_index, reading, skip=skip_guards, negation=False) if found else []
        guarded: set[int] = set()
        read: list[tuple[NeedPhrase, frozenset[int], tuple[str, ...]]] = []
        for phrase, match in found:
            left = []
            for key in phrase.needs:
                stoppers = [g.row for g, where in guards if g.stops(key, match.positions, where.positions)]
                guarded.update(stoppers)
                if not stoppers:
                    left.append(key)
            if left:
                read.append((phrase, match.positions, tuple(left)))
        refined = {r for _, _, keys in read for key in keys for r in self.needs[key].refines}
        read = [(p, pos, keys) for p, pos, keys in read if not set(keys) <= refined]
        kept = [(phrase, positions, keys) for phrase, positions, keys in read
                if not any(self._covers(other_keys, other, keys, positions) for _, other, other_keys in read)]
        needs = [FoundNeed(self.needs[key], positions, phrase.row)
                 for phrase, positions, keys in sorted(kept, key=lambda m: (min(m[1]), m[0].row))
                 for key in keys if key not in refined]
        marked = lambda group: frozenset(t for i, t in enumerate(reading.tokens) if group in reading.groups_at(i))  # noqa: E731
        return NeedReading(reading.tokens, tuple(needs), frozenset(reading.tokens[p] for f in needs for p in f.positions),
                           marked(NONEED), marked(FILLER), reading.language, tuple(sorted({f.phrase for f in needs})),
                           tuple(sorted(guarded)))


#: Shortest token read as a Spanish word spelled as it sounds.
SPANISH_RESPELL_MIN = 3
_SPANISH_SOUNDS = (("ch", "\x00"), ("qu", "k"), ("ll", "y"), ("ce", "se"), ("ci", "si"), ("h", ""), ("v", "b"),
                   ("z", "s"), ("c", "k"), ("\x00", "ch"))


def spanish_spelling(word: str) -> str:
    """``word`` (folded) as Spanish sounds it: a silent h dropped, b/v, s/z/soft c, y/ll and k/qu/hard
    c made one (``hijo`` and ``ijo``, ``abuso`` and ``abuzo``, ``vivienda`` and ``bibienda``)."""
    for written, sound in _SPANISH_SOUNDS:
        word = word.replace(written, sound)
    return word


def _key_ok(key: str) -> bool:
    return bool(key) and key.replace("-", "").isalnum() and key == key.lower()


def parse_categories(text: str) -> dict[str, NeedCategory]:
    """The categories of ``need_categories.csv``."""
    categories: dict[str, NeedCategory] = {}
    for number, row in data_rows(text):
        key = row.get("category", "")
        _check(_key_ok(key), f"need_categories.csv line {number}: category {key!r} must be lower-case-with-hyphens")
        categories[key] = NeedCategory(key, {lang: row[lang] for lang in CATEGORY_LANGUAGES if row.get(lang)})
    return categories


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise NeedDataError(message)


def parse_needs(text: str, categories: dict[str, NeedCategory]) -> dict[str, Need]:
    """The needs of ``needs.csv``."""
    needs: dict[str, Need] = {}
    for number, row in data_rows(text):
        key, category, mission = row.get("need", ""), row.get("category", ""), row.get("mission", "")
        kind, leads = row.get("kind", "") or "need", row.get("leads", "").lower()
        literal = (row.get("literal") or "").lower()
        codes = lambda column: tuple(c.lower() for c in cell_list(row.get(column, "")))  # noqa: E731
        include, broad, unless = codes("codes"), codes("broader"), codes("unless")
        where = f"needs.csv line {number}"
        _check(_key_ok(key), f"{where}: need {key!r} must be lower-case-with-hyphens")
        _check(key not in needs, f"{where}: need {key!r} is already on line {needs[key].row if key in needs else 0}")
        _check(category in categories, f"{where}: category {category!r} is not in need_categories.csv")
        _check(kind in KINDS, f"{where}: kind {kind!r} must be one of {', '.join(KINDS)}")
        _check(not mission or mission in MISSIONS, f"{where}: mission {mission!r} must be one of {', '.join(MISSIONS)}")
        _check(bool(include), f"{where}: need {key!r} has no taxonomy codes")
        _check(leads in ("", "yes"), f"{where}: leads {leads!r} must be yes or empty")
        _check(literal in ("", "yes"), f"{where}: literal {literal!r} must be yes or empty")
        for code in broad:
            _check(any(is_ancestor(code, c.lstrip("=")) for c in include),
                   f"{where}: broader code {code!r} is not above any of the need's codes")
        search = tuple(p for p in (tuple(tokens(x)) for x in cell_list(row.get("search", ""))) if p)
        needs[key] = Need(key, category, kind, CodeSet(include, codes("exclude"), broad), search, mission,
                          cell_list(row.get("refines", "")), leads == "yes", CodeSet(unless) if unless else None, number,
                          literal == "yes")
    for need in needs.values():
        unknown = [r for r in need.refines if r not in needs]
        _check(not unknown, f"needs.csv line {need.row}: {need.key} refines unknown need(s) {', '.join(unknown)}")
    return needs


def parse_guards(text: str, needs: dict[str, Need], compiler: PatternCompiler) -> tuple[NeedGuard, ...]:
    """The guards of ``need_guards.csv``."""
    guards: list[NeedGuard] = []
    for number, row in data_rows(text):
        where = f"need_guards.csv line {number}"
        cell = row.get("need", "")
        entries = cell_list(cell)
        keeps = frozenset(e[1:] for e in entries if e.startswith("!"))
        named = frozenset(e for e in entries if not e.startswith("!"))
        keys = None if named == {"*"} else named
        _check(not ((keys is not None and (not keys or keys - set(needs))) or (keeps and keys is not None)
                    or keeps - set(needs)), f"{where}: need {cell!r} is not needs of needs.csv, or * with !needs to keep")
        scope = row.get("scope", "")
        _check(scope in GUARD_SCOPES, f"{where}: scope {scope!r} must be one of {', '.join(GUARD_SCOPES)}")
        guards.append(NeedGuard(*compiler.row(number, row, where), keys, scope, keeps))
    return tuple(guards)


def parse_shorthand(text: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The shorthand of ``need_shorthand.csv``: typed words -> the words they stand for."""
    found: dict[tuple[str, ...], tuple[str, ...]] = {}
    for number, row in data_rows(text):
        where = f"need_shorthand.csv line {number}"
        typed, expansion = tuple(tokens(row.get("shorthand", ""))), tuple(tokens(row.get("expansion", "")))
        _check(0 < len(typed) <= SHORTHAND_MAX_WORDS,
               f"{where}: shorthand {row.get('shorthand')!r} must be 1 to {SHORTHAND_MAX_WORDS} words")
        _check(bool(expansion), f"{where}: shorthand {row.get('shorthand')!r} has no expansion")
        _check(typed not in found, f"{where}: shorthand {row.get('shorthand')!r} is already defined")
        found[typed] = expansion
    return found


def parse_rules(words_text: str, phrases_text: str, needs_text: str, categories_text: str,
                crisis_words_text: str = "", guards_text: str = "", shorthand_text: str = "") -> NeedRules:
    """The rules from the texts of the data files; :class:`NeedDataError` on a bad row."""
    triples = word_triples(words_text, "need_words.csv", NeedDataError, SHARED_GROUPS)
    triples += [t for t in word_triples(crisis_words_text, "crisis_words.csv", NeedDataError) if t[0] in SHARED_GROUPS]
    compiler = PatternCompiler(triples, (*SHARED_GROUPS, NONEED, FILLER), NeedDataError)
    categories = parse_categories(categories_text)
    needs = parse_needs(needs_text, categories)
    phrases: list[NeedPhrase] = []
    for number, row in data_rows(phrases_text):
        where = f"need_phrases.csv line {number}"
        keys = cell_list(row.get("need", ""))
        _check(bool(keys) and all(k in needs for k in keys), f"{where}: need {row.get('need')!r} is not in needs.csv")
        phrases.append(NeedPhrase(*compiler.row(number, row, where), keys))
    guards = parse_guards(guards_text, needs, compiler)
    lexicon, (phrase_index, guard_index) = compiler.build(phrases, guards)
    return NeedRules(lexicon, needs, tuple(phrases), categories, guards, phrase_index, guard_index,
                     parse_shorthand(shorthand_text))


DEFAULT_PATHS = (WORDS_PATH, PHRASES_PATH, NEEDS_PATH, CATEGORIES_PATH, CRISIS_WORDS_PATH, GUARDS_PATH, SHORTHAND_PATH)

_files: WatchedFiles[NeedRules] = WatchedFiles(lambda *texts: parse_rules(*texts), (NeedDataError,))


def load_needs(paths: tuple[Path, ...] = DEFAULT_PATHS) -> NeedRules:
    """The rules from the data files, re-read within a second of one changing (:class:`WatchedFiles`)."""
    return _files.load(paths)
