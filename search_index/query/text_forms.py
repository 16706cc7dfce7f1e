"""How people type, reduced to comparable word forms (:func:`tokens`, :func:`fold`), and the
measures of likeness that let a misspelling be read as the word meant (:func:`phonetic_key`,
:func:`within_one_edit`, :func:`word_index` ...), for :mod:`search_index.query.lexicon`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from search_index.engine import analysis

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")
#: An age typed short: "2yo", "14 yr", "3 y/o" -> "2 year old"; "18mo" -> "18 month old".
_SHORT_AGE = re.compile(r"\b(\d{1,3}) ?(?:yrs? old|yo|y/o|yrs?)\b")
_SHORT_MONTHS = re.compile(r"\b(\d{1,2}) ?mos?\b")
#: Curly apostrophes and look-alikes, straightened.
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})

#: Single letters before an apostrophe that are elided words (Creole ``m'``, ``l'``, ``n'``,
#: ``k'``, ``w'``, ``y'``, ``s'``, ``t'``; French ``j'``, ``d'``): split, not glued.
ELIDED = frozenset("mlnkwystjd")


def fold(text: str) -> str:
    """``text`` in lower case with accents removed and curly apostrophes straightened."""
    return analysis.fold(text.translate(QUOTES))


def tokens(text: str) -> list[str]:
    """The folded word tokens of ``text``: lower case, accents off, ``don't`` -> ``dont``, ``I'm``
    -> ``im``, but Haitian Creole (and French) elisions split (``m'ap`` -> ``m ap``), and an age
    typed short spelled out (``2yo`` -> ``2 year old``)."""
    out: list[str] = []
    folded = fold(text)
    if _DIGIT.search(folded):  # only a text with a digit can hold an age typed short
        folded = _SHORT_MONTHS.sub(r"\1 month old", _SHORT_AGE.sub(r"\1 year old", folded))
    for raw in _WORD.findall(folded):
        if "'" not in raw:
            out.append(raw)
            continue
        if raw.endswith("'s"):  # English possessive or "he's": the word itself
            raw = raw[:-2]
            if "'" not in raw:
                out.append(raw)
                continue
        head, _, rest = raw.partition("'")
        if len(head) == 1 and head in ELIDED:
            out.append(head)
            out.extend(p for p in rest.split("'") if p)
        else:
            out.append(raw.replace("'", ""))
    return out


_PHONETIC_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ph", "f"),
        (r"ck", "k"),
        (r"qu", "k"),
        (r"q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"g(?=[ei])", "j"),
        (r"ll(?=[aeiou])", "y"),
        (r"z", "s"),
        (r"v", "b"),
        (r"x", "ks"),
        (r"y", "i"),
        (r"(?<![cs])h", ""),
        (r"ou", "u"),
        (r"w", "u"),
        (r"(.)\1+", r"\1"),
    )
)


def phonetic_key(word: str) -> str:
    """A rough sound key of a folded ``word`` (``suiside`` and ``suicide`` -> ``suisid``), shared
    by spellings that sound alike in English, Spanish or Creole typing (:data:`_PHONETIC_RULES`)."""
    key = word
    for pattern, replacement in _PHONETIC_RULES:
        key = pattern.sub(replacement, key)
    if len(key) > 3 and key.endswith("e"):
        key = key[:-1]
    return key


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


def deletions(word: str) -> set[str]:
    """Every string made by deleting one character of ``word``."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def word_index(words: Iterable[str], keys: Callable[[str], Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Each of the ``keys`` of ``words`` (deletions, sound ...) -> the words having it, sorted."""
    index: dict[str, set[str]] = {}
    for word in words:
        for key in keys(word):
            index.setdefault(key, set()).add(word)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def with_deletions(word: str) -> set[str]:
    """``word`` and every string made by deleting one of its characters."""
    return deletions(word) | {word}


def two_deletions(word: str) -> set[str]:
    """``word`` and every string made by deleting one or two of its characters (SymSpell keys)."""
    once = deletions(word)
    return {word} | once | {twice for shorter in once for twice in deletions(shorter)}


def inflection_bases(word: str) -> list[str]:
    """The base forms an English ``word`` may be inflected from with -s, -es, -ies, -ed, -ied or
    -ing (a final e restored, a doubled consonant undoubled); bases shorter than three letters
    are left out."""
    bases: list[str] = []
    if word.endswith("ies") or word.endswith("ied"):
        bases.append(word[:-3] + "y")
    if word.endswith("ing"):
        stem = word[:-3]
        bases += [stem, stem + "e"]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            bases.append(stem[:-1])
    elif word.endswith("ed"):
        stem = word[:-2]
        bases += [stem, word[:-1]]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            bases.append(stem[:-1])
    elif word.endswith("es"):
        bases += [word[:-2], word[:-1]]
    elif word.endswith("s") and not word.endswith("ss"):
        bases.append(word[:-1])
    return [b for b in bases if len(b) >= 3]


def transpositions(word: str) -> set[str]:
    """Every string made by swapping two neighbouring letters of ``word``."""
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)} - {word}
