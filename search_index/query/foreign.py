"""Words that say a text is about something the directory does not carry.

A *foreign word* is a common English word (:mod:`search_index.query.known_words`: not a
misspelling, a name or shorthand) of at least :data:`FOREIGN_MIN_LETTERS` letters, no stop word,
that the needs data do not know and that no listing of the index holds, even misspelt:
"exterminator", "softball", "consulting", "ferry" over the curated directory. The directory's own
vocabulary decides, so the same word is foreign to one directory and not to another (a directory
with a ferry service holds "ferry"). Two rules of :mod:`search_index.query.searching` use them:
a text that expresses no need and whose best listing matches fewer than half of its words is out
of scope when it holds a foreign word; and a need read from a single word amid foreign words is
that word used as a name or modifier ("*Shelter* Island ferry schedule"), set aside.
"""

from __future__ import annotations

from search_index.engine.analysis import stop_list
from search_index.query.known_words import known_words_in
from search_index.query.lexicon import Lexicon
from search_index.query.scoring import Scorer
from search_index.query.text_forms import fold
from search_index.query.understanding import Concept

#: Shortest word counted as foreign (shorter ones are often shorthand: "OT", "EPO").
FOREIGN_MIN_LETTERS = 4
#: The language whose common words may be foreign. Listings carry less Spanish than English text,
#: so a common Spanish word ("pedir", "solicitud") missing from every listing says little.
FOREIGN_LANGUAGE = "en"
#: Languages whose stop words are never foreign (the index leaves them out, so no listing holds them).
STOP_LANGUAGES = ("en", "es")
#: The stop words the index leaves out, folded as query words are.
STOP_WORDS = frozenset(fold(w) for lang in STOP_LANGUAGES for w in stop_list(lang))


def is_candidate(word: str, lexicon: Lexicon) -> bool:
    """Whether ``word`` may be foreign before the index is asked: a common word of enough letters,
    no stop word, unknown to the needs data."""
    return (len(word) >= FOREIGN_MIN_LETTERS and word.isalpha() and word not in STOP_WORDS
            and word in known_words_in(FOREIGN_LANGUAGE) and not lexicon.in_vocabulary(word))


def foreign_words(scorer: Scorer, content: list[Concept] | tuple[Concept, ...], lexicon: Lexicon) -> list[str]:
    """The single-word concepts of ``content`` that are foreign words (see the module docstring)."""
    found = []
    for concept in content:
        if len(concept.typed) != 1 or not is_candidate(concept.typed[0], lexicon):
            continue
        vector = scorer.concept_vector(concept)
        if vector is None or not vector.any():
            found.append(concept.typed[0])
    return found
