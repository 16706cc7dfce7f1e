"""Word groups and the reading of a query against them, tolerant of how people type.

A :class:`Lexicon` holds named groups of words (``SELF``: myself, meself, tèt mwen ...; ``NEG``:
not, don't, pa ...) and the literal words of the patterns that use them. :meth:`Lexicon.read` turns
a text into a :class:`Reading`: for each token position, the :class:`Item` s that start there, each
with the vocabulary words it may stand for (``forms``) and their groups. A token stands for a
vocabulary word it inflects (``grabbing`` -> ``grab``) and, when it is no common word
(:mod:`search_index.query.known_words`), for misspellings of one (:meth:`Lexicon.corrections`) or a
``word*`` stem typed with one letter wrong (``maltartado``). Words typed together are split
(``killmyself``, :meth:`Lexicon.split`), two tokens that make a vocabulary word together are joined
(``my self``, not ``at a``), and entries of several words (``better off``) are matched as one item;
``=word`` in a group is matched exactly only. The reading also guesses the language (en, es or ht).
Everything per token is cached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from search_index.engine.segments import LRU
from search_index.query.known_words import is_known
from search_index.query.text_forms import (
    inflection_bases, phonetic_key, tokens, transpositions, with_deletions, within_one_edit, word_index,
)

#: Shortest token (and vocabulary word) corrected within one edit.
FUZZY_MIN = 5
#: Shortest token (and vocabulary word) matched by sound.
PHONETIC_MIN = 4
#: Shortest glued token that is tried as several words.
SPLIT_MIN = 6
#: Most pieces a glued token is split into.
SPLIT_MAX = 5
#: Single letters that may be a piece of a glued token (``imgonna``, Creole ``mvle``).
SINGLE_PIECES = frozenset({"i", "m", "l", "a", "y"})
#: Haitian Creole pronouns typed glued to the word before them (``papam`` = ``papa m``, "my
#: father"; ``touyel`` = ``touye l``).
GLUED_PRONOUNS = frozenset({"m", "l"})
#: Most distinct tokens whose corrections are kept in memory.
CACHE_SIZE = 50_000
#: Languages guessed; the first wins a tie.
LANGUAGES = ("en", "es", "ht")
#: Characters that hint at a language when typed with their accents.
_ACCENT_HINTS = {"ñ": "es", "¿": "es", "¡": "es", "á": "es", "í": "es", "ú": "es", "ó": "es",
                 "è": "ht", "ò": "ht"}


@dataclass(frozen=True)
class Item:
    """Tokens ``start`` to ``end`` (exclusive) read as ``forms`` (vocabulary words) in ``groups``."""

    start: int
    end: int
    forms: frozenset[str]
    groups: frozenset[str]


@dataclass(frozen=True)
class Reading:
    """A text as read by a :class:`Lexicon`: ``items[i]`` start at token ``i``; ``present``: every form and group."""

    tokens: tuple[str, ...]
    items: tuple[tuple[Item, ...], ...]
    present: frozenset[str]
    language: str | None

    def groups_at(self, position: int) -> frozenset[str]:
        """The groups of the single token at ``position``."""
        for item in self.items[position]:
            if item.end == position + 1:
                return item.groups
        return frozenset()


@dataclass
class Lexicon:
    """Named word groups (see the module docstring), built with :meth:`build`."""

    word_groups: dict[str, frozenset[str]]
    word_languages: dict[str, frozenset[str]]
    phrases: dict[str, tuple[tuple[tuple[str, ...], frozenset[str]], ...]]
    prefixes: tuple[tuple[str, str], ...]
    exact_only: frozenset[str]
    _by_deletion: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _by_sound: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _cache: LRU = field(default_factory=lambda: LRU(CACHE_SIZE), repr=False)

    @classmethod
    def build(
        cls, groups: Iterable[tuple[str, str, str]], extra_words: Iterable[str] = ()
    ) -> Lexicon:
        """A lexicon of ``(group, language, entry)`` triples (an entry: a word, ``word*``, ``=word``
        or a phrase; a language: ``en``, ``es``, ``ht`` or ``*``) plus literal ``extra_words``."""
        word_groups: dict[str, set[str]] = {}
        word_languages: dict[str, set[str]] = {}
        phrases: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
        phrase_groups: dict[tuple[str, ...], set[str]] = {}
        prefixes: list[tuple[str, str]] = []
        exact: set[str] = set()
        for group, language, entry in groups:
            entry = entry.strip()
            only_exact = entry.startswith("=")
            entry = entry.lstrip("=")
            if entry.endswith("*") and len(entry) > 1 and " " not in entry:
                stem = "".join(tokens(entry[:-1]))
                if stem:
                    prefixes.append((stem, group))
                continue
            words = tuple(tokens(entry))
            if not words:
                continue
            if len(words) > 1:
                phrase_groups.setdefault(words, set()).add(group)
                for w in words:
                    word_groups.setdefault(w, set())
                    if language in LANGUAGES and len(w) > 2:
                        word_languages.setdefault(w, set()).add(language)
                continue
            word = words[0]
            word_groups.setdefault(word, set()).add(group)
            if language in LANGUAGES:
                word_languages.setdefault(word, set()).add(language)
            if only_exact:
                exact.add(word)
        for words, names in phrase_groups.items():
            phrases.setdefault(words[0], []).append((words, frozenset(names)))
        for word in extra_words:
            for w in tokens(word):
                word_groups.setdefault(w, set())
        lexicon = cls(
            word_groups={w: frozenset(g) for w, g in word_groups.items()},
            word_languages={w: frozenset(l) for w, l in word_languages.items() if l},
            phrases={k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in phrases.items()},
            prefixes=tuple(prefixes),
            exact_only=frozenset(exact),
        )
        lexicon._index()
        return lexicon

    def _index(self) -> None:
        words = self.fuzzy_words()
        self._by_deletion = word_index((w for w in words if len(w) >= FUZZY_MIN), with_deletions)
        self._by_sound = word_index((w for w in words if len(w) >= PHONETIC_MIN), lambda w: (phonetic_key(w),))

    # -- one token ------------------------------------------------------------------------------

    def fuzzy_words(self) -> list[str]:
        """The vocabulary words a misspelling may be read as (all letters, not ``=word``)."""
        return [w for w in self.word_groups if w.isalpha() and w not in self.exact_only]

    def in_vocabulary(self, word: str) -> bool:
        """Whether ``word`` (folded) is a word of the lexicon or of its patterns."""
        return word in self.word_groups

    def corrections(self, token: str) -> tuple[str, ...]:
        """The vocabulary words ``token`` may misspell or inflect: within one edit (both at least
        :data:`FUZZY_MIN` letters; a swap of neighbours or a letter left out from
        :data:`PHONETIC_MIN`) or sounding the same; only inflections for a common word."""
        if token in self.word_groups or not token.isalpha() or len(token) < PHONETIC_MIN:
            return ()
        bases = {b for b in inflection_bases(token) if self.word_groups.get(b)}  # grabbing -> grab
        if is_known(token):
            return tuple(sorted(bases))
        found: set[str] = set(bases)
        if len(token) < FUZZY_MIN:  # a letter swapped, or a longer word with one letter left out
            found.update(w for w in transpositions(token) if w in self.word_groups and w not in self.exact_only)
            found.update(self._by_deletion.get(token, ()))
        else:
            for key in with_deletions(token):
                for word in self._by_deletion.get(key, ()):
                    if within_one_edit(token, word):
                        found.add(word)
        found.update(self._by_sound.get(phonetic_key(token), ()))
        return tuple(sorted(found))

    def _token(self, token: str) -> tuple[tuple[str, ...], frozenset[str]]:
        return self._cache.get_or_build(token, lambda: self._read_token(token))

    def _read_token(self, token: str) -> tuple[tuple[str, ...], frozenset[str]]:
        forms = (token, *self.corrections(token))
        groups: set[str] = set()
        for form in forms:
            groups.update(self.word_groups.get(form, ()))
        unknown = len(forms) == 1 and token not in self.word_groups and not is_known(token)
        for stem, group in self.prefixes:
            if token.startswith(stem) or (unknown and len(stem) >= FUZZY_MIN and _near_prefix(token, stem)):
                groups.add(group)
        return forms, frozenset(groups)

    def _two_words(self, first: str, second: str) -> bool:
        """Whether ``first second`` are two words ("at a"), not one typed apart ("my self")."""
        groups = self.word_groups
        return ("LANG" in groups.get(first, frozenset()) and second in groups) or (
            "LANG" in groups.get(second, frozenset()) and first in groups
        )

    def split(self, token: str) -> list[str] | None:
        """``token`` as several vocabulary words typed together (``killmyself`` -> ``kill my
        self``; a glued Creole pronoun, ``frem`` -> ``fre m``), or None: not for one misspelled
        word, and one piece of three or more letters must be in a group other than ``LANG``."""
        if not token.isalpha() or token in self.word_groups or is_known(token):
            return None
        if len(token) >= 4 and token[-1] in GLUED_PRONOUNS and token[:-1] in self.word_groups:
            return [token[:-1], token[-1]]
        if len(token) < SPLIT_MIN:
            return None
        if self.corrections(token):  # a misspelling of one word, not several words
            return None
        n = len(token)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(max(0, end - 16), end):
                head = best[start]
                piece = token[start:end]
                if head is None or len(head) >= SPLIT_MAX:
                    continue
                if piece not in self.word_groups or (len(piece) == 1 and piece not in SINGLE_PIECES):
                    continue
                candidate = head + [piece]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
        pieces = best[n]
        if not pieces or len(pieces) < 2:
            return None
        if not any(len(p) >= 3 and self.word_groups.get(p, frozenset()) - {"LANG"} for p in pieces):
            return None
        return pieces

    # -- a text ---------------------------------------------------------------------------------

    def read(self, text: str, max_tokens: int = 64) -> Reading:
        """``text`` read against the lexicon (see the module docstring)."""
        words: list[str] = []
        for token in tokens(text):
            pieces = self.split(token)
            words.extend(pieces if pieces else (token,))
            if len(words) >= max_tokens:
                break
        words = words[:max_tokens]
        singles = [self._token(w) for w in words]
        items: list[list[Item]] = [[] for _ in words]
        present: set[str] = set()

        def add(start: int, end: int, forms: frozenset[str], groups: frozenset[str]) -> None:
            items[start].append(Item(start, end, forms, groups))
            present.update(forms, groups)

        for i, (forms, groups) in enumerate(singles):
            add(i, i + 1, frozenset(forms), groups)
        for i in range(len(words) - 1):
            joined = words[i] + words[i + 1]
            if joined in self.word_groups and joined not in (words[i], words[i + 1]) and not self._two_words(
                    words[i], words[i + 1]):
                add(i, i + 2, frozenset({joined}), self.word_groups[joined])
        for i, (forms, _) in enumerate(singles):
            for form in forms:
                for phrase, groups in self.phrases.get(form, ()):
                    end = i + len(phrase)
                    if end <= len(words) and all(phrase[k] in singles[i + k][0] for k in range(1, len(phrase))):
                        add(i, end, frozenset({" ".join(phrase)}), groups)
        return Reading(
            tokens=tuple(words),
            items=tuple(tuple(x) for x in items),
            present=frozenset(present),
            language=self.guess_language(words, text),
        )

    def guess_language(self, words: list[str], text: str = "") -> str | None:
        """en, es or ht: the language most of ``words`` (and accents typed) belong to, or None."""
        scores = dict.fromkeys(LANGUAGES, 0.0)
        for word in words:
            languages = self.word_languages.get(word)
            if languages:
                for lang in languages:
                    scores[lang] += 1.0 / len(languages)
        lowered = text.lower()
        for char, lang in _ACCENT_HINTS.items():
            if char in lowered:
                scores[lang] += 1.0
        best = max(LANGUAGES, key=lambda lang: scores[lang])
        return best if scores[best] > 0 else None


def _near_prefix(token: str, stem: str) -> bool:
    """Whether ``token`` starts with ``stem`` typed with one letter wrong, missing or extra."""
    n = len(stem)
    return any(within_one_edit(token[:k], stem) for k in (n - 1, n, n + 1) if k <= len(token))

