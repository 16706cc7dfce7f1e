"""The example backstop of crisis detection: judged queries (``directory_data/crisis_examples.csv``)
compared with a query the word-list rules pin nothing for.

Each example is a query someone typed or might type, with the lines it should pin (empty for a
look-alike). A query is compared with every example by the cosine of their character n-gram
TF-IDF vectors: n-grams of 2 to 4 characters taken inside each word padded with a space (so
"chld abuse" shares " ch", "ld ", " abu", "abus", "buse" ... with "child abuse"), weighted by
``ln((1 + N) / (1 + df)) + 1`` and normalised to unit length. This is exactly scikit-learn's
``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))`` with its defaults (smooth idf, raw
counts, l2 norm), written here with numpy because importing scikit-learn and scipy adds about
95 MB to every search worker for this one computation.

:meth:`ExampleBackstop.vote` pins the closest danger example's first line when it is at least
:data:`CLOSE_SIMILARITY` similar and closer than every look-alike; otherwise the :data:`NEIGHBOURS`
closest examples vote, each for its first line (a look-alike for none) with its similarity to the
power :data:`VOTE_POWER`, and the leading line pins when it holds :data:`MIN_SHARE` of the votes
and its closest voter is :data:`MIN_SIMILARITY` similar: look-alikes in the same words ("child
care near me" beside "child abuse near me") keep a query unpinned, and several danger examples
carry one that no single example matches closely (README "Crisis lines pinned for danger",
leave-one-author-out). The caller (:meth:`search_index.query.crisis.CrisisRules.detect`) asks only
when the rules pin nothing, no trigger was cancelled by a negation and no guard matched.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search_index.query.data_rows import DATA_DIR, WatchedFiles, cell_list, data_rows
from search_index.query.text_forms import tokens

EXAMPLES_PATH = DATA_DIR / "crisis_examples.csv"
#: How many of the closest examples vote, the power of similarity a vote weighs, the share of the
#: votes the leading line must hold and the least similarity of its closest voter (chosen
#: leave-one-author-out: README "Crisis lines pinned for danger", ``bench/crisis_loao.py``).
NEIGHBOURS = 20
VOTE_POWER = 4
MIN_SHARE = 0.7
MIN_SIMILARITY = 0.62
#: A danger example this similar and closer than every look-alike pins its line without a vote.
CLOSE_SIMILARITY = 0.65
#: A query of fewer words is never compared ("laundry", "abuse", "wheelchair": a single word says
#: too little, and the word lists read single words already).
MIN_WORDS = 2
NGRAMS = (2, 4)
#: N-grams in more than this share of the examples are kept dense (speed only; same similarities).
DENSE_SHARE = 0.04
LANGUAGES = ("en", "es", "ht")


class CrisisExampleError(ValueError):
    """A row of ``crisis_examples.csv`` that cannot be used (the message names the line)."""


@dataclass(frozen=True)
class Example:
    """A row of ``crisis_examples.csv``."""

    row: int
    query: str
    language: str
    lines: tuple[str, ...]
    now: bool
    source: str

    @property
    def danger(self) -> bool:
        """Whether the example signals danger (a look-alike has no lines)."""
        return bool(self.lines)


@dataclass(frozen=True)
class Vote:
    """What :meth:`ExampleBackstop.vote` found: the line (None when look-alikes lead), its share of
    the votes, its closest voter with that voter's similarity, and whether that voter is a danger
    example close enough to decide alone (``close``)."""

    line: str | None
    share: float
    example: Example | None
    similarity: float
    close: bool = False

    def pins(self, min_share: float | None = None, threshold: float | None = None) -> bool:
        """Whether the closest danger example decides alone, or the line holds ``min_share`` of the
        votes (default :data:`MIN_SHARE`) and its closest voter is ``threshold`` similar (default
        :data:`MIN_SIMILARITY`)."""
        share = MIN_SHARE if min_share is None else min_share
        floor = MIN_SIMILARITY if threshold is None else threshold
        return self.example is not None and (self.close or (self.share >= share and self.similarity >= floor))


NO_VOTE = Vote(None, 0.0, None, 0.0)


def comparable(text: str) -> str:
    """``text`` as the examples are compared: folded word tokens (:func:`tokens`) joined by spaces."""
    return " ".join(tokens(text))


_SPACES = re.compile(r"\s+")


def char_wb_ngrams(text: str, ngrams: tuple[int, int] = NGRAMS) -> list[str]:
    """The n-grams of scikit-learn's ``char_wb`` analyzer: inside each word padded with one space,
    every length in ``ngrams``; a word no longer than a length gives itself once, and no longer ones."""
    low, high = ngrams
    found: list[str] = []
    for word in _SPACES.sub(" ", text).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                found.append(padded)
                break
            found += [padded[i:i + n] for i in range(size - n + 1)]
    return found


class ExampleBackstop:
    """The examples, indexed by character n-gram for cosine similarity (see the module docstring).

    The example vectors are kept as one sparse matrix by n-gram (compressed rows: ``offsets``,
    ``example_ids``, ``weights``), so a query's similarities are a few numpy operations over the
    postings of its own n-grams."""

    def __init__(self, examples: tuple[Example, ...]) -> None:
        self.examples = examples
        self.danger_mask = np.array([e.danger for e in examples], dtype=bool)
        # Row (n-gram), column (example) and count of every entry, in typed arrays: one Counter at
        # a time, so building leaves no heap of small objects behind in a worker.
        vocabulary: dict[str, int] = {}
        row_list, col_list, tf_list = array("i"), array("i"), array("d")
        for number, e in enumerate(examples):
            for gram, count in Counter(char_wb_ngrams(comparable(e.query))).items():
                row_list.append(vocabulary.setdefault(gram, len(vocabulary)))
                col_list.append(number)
                tf_list.append(count)
        rows = np.frombuffer(row_list, dtype=np.int32).copy()
        cols = np.frombuffer(col_list, dtype=np.int32).copy()
        tf = np.frombuffer(tf_list, dtype=np.float64).copy()
        del row_list, col_list, tf_list
        df = np.bincount(rows, minlength=len(vocabulary)).astype(np.float64)
        self.idf = np.log((1 + len(examples)) / (1 + df)) + 1.0
        values = tf * self.idf[rows]
        norms = np.sqrt(np.bincount(cols, values * values, minlength=len(examples)))
        values /= norms[cols]
        # The commonest n-grams (in more than DENSE_SHARE of the examples) as a dense matrix, the
        # others as postings: a query then touches a few thousand postings, not tens of thousands.
        common = df > max(DENSE_SHARE * len(examples), 1)
        self.dense_row = np.full(len(vocabulary), -1, dtype=np.int64)
        self.dense_row[common] = np.arange(int(common.sum()))
        self.dense = np.zeros((int(common.sum()), len(examples)), dtype=np.float32)
        dense_entries = common[rows]
        self.dense[self.dense_row[rows[dense_entries]], cols[dense_entries]] = values[dense_entries]
        self.common_norms = np.sqrt(np.bincount(cols[dense_entries], values[dense_entries] ** 2,
                                                minlength=len(examples))) * (1 + 1e-6)
        rows, cols, values = rows[~dense_entries], cols[~dense_entries], values[~dense_entries]
        order = np.argsort(rows, kind="stable")
        self.offsets = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(vocabulary))))).astype(np.int64)
        self.example_ids = cols[order]
        self.weights = values[order].astype(np.float32)
        self.vocabulary = vocabulary

    def similarities(self, text: str) -> np.ndarray:
        """The cosine similarity of ``text`` with every example (zeros when nothing is shared)."""
        return self._scores(" ".join(tokens(text)), None)

    def _scores(self, text: str, threshold: float | None) -> np.ndarray | None:
        """The similarities of the comparable ``text``; None when ``threshold`` is given and no
        danger example can reach it (its rare n-grams' part plus the most its common n-grams could
        add, ``|q_common| * |e_common|`` by Cauchy-Schwarz, is below it)."""
        c = Counter(g for g in char_wb_ngrams(text) if g in self.vocabulary)
        if not c:
            return None if threshold is not None else np.zeros(len(self.examples))
        grams = np.fromiter((self.vocabulary[g] for g in c), dtype=np.int64, count=len(c))
        values = np.fromiter(c.values(), dtype=np.float64, count=len(c)) * self.idf[grams]
        values /= np.linalg.norm(values)
        dense = self.dense_row[grams]
        common = dense >= 0
        rare_grams, rare_values = grams[~common], values[~common]
        starts, ends = self.offsets[rare_grams], self.offsets[rare_grams + 1]
        lengths = ends - starts
        # The positions of every posting of the query's rare n-grams, without a loop over n-grams.
        at = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
        scores = np.bincount(self.example_ids[at], self.weights[at] * np.repeat(rare_values, lengths),
                             minlength=len(self.examples))
        if not common.any():
            return scores
        if threshold is not None:
            reach = scores + float(np.linalg.norm(values[common])) * self.common_norms
            if not (reach[self.danger_mask] >= threshold).any():
                return None
        return scores + values[common].astype(np.float32) @ self.dense[dense[common]]

    def neighbours(self, text: str, count: int = NEIGHBOURS, min_words: int = MIN_WORDS,
                   threshold: float | None = None) -> tuple[tuple[Example, float], ...]:
        """The ``count`` examples closest to ``text`` with their similarities, closest first (ties
        in file order); none for a text of fewer than ``min_words`` words, nor when ``threshold``
        is given and no danger example can reach it."""
        words = tokens(text)
        if not self.examples or len(words) < min_words:
            return ()
        scores = self._scores(" ".join(words), threshold)
        if scores is None:
            return ()
        count = min(count, len(self.examples))
        closest = np.argpartition(-scores, count - 1)[:count]
        closest = closest[np.lexsort((closest, -scores[closest]))]
        return tuple((self.examples[i], float(scores[i])) for i in closest if scores[i] > 0)

    def vote(self, text: str, min_words: int = MIN_WORDS, threshold: float | None = None) -> Vote:
        """The neighbours' vote on ``text`` (see the module docstring)."""
        votes: dict[str | None, float] = {}
        closest: dict[str, tuple[Example, float]] = {}
        near = self.neighbours(text, min_words=min_words, threshold=threshold)
        danger = next(((e, s) for e, s in near if e.danger), None)
        if (danger is not None and danger[1] >= CLOSE_SIMILARITY
                and all(s < danger[1] for e, s in near if not e.danger)):
            return Vote(danger[0].lines[0], 1.0, *danger, close=True)
        for example, similarity in near:
            line = example.lines[0] if example.lines else None
            votes[line] = votes.get(line, 0.0) + similarity ** VOTE_POWER
            if line is not None:
                closest.setdefault(line, (example, similarity))
        if not closest:
            return NO_VOTE
        line = max(closest, key=lambda k: votes[k])
        return Vote(line, votes[line] / sum(votes.values()), *closest[line])


def parse_examples(text: str, known_lines: frozenset[str] | None = None) -> tuple[Example, ...]:
    """The rows of ``crisis_examples.csv``; :class:`CrisisExampleError` on a bad one (an empty
    query, an unknown language or line, ``now`` not yes/no)."""
    examples = []
    for number, row in data_rows(text):
        query = row.get("query", "")
        language = row.get("language", "")
        lines = cell_list(row.get("lines", ""))
        now = row.get("now", "").lower()
        where = f"crisis_examples.csv line {number}"
        if not query or not comparable(query):
            raise CrisisExampleError(f"{where}: no query")
        if language not in LANGUAGES:
            raise CrisisExampleError(f"{where}: language {language!r} is not one of {', '.join(LANGUAGES)}")
        if known_lines is not None and any(k not in known_lines for k in lines):
            raise CrisisExampleError(f"{where}: line {row.get('lines')!r} is not known")
        if now not in ("yes", "no"):
            raise CrisisExampleError(f"{where}: now {now!r} must be yes or no")
        examples.append(Example(number, query, language, lines, now == "yes", row.get("source", "")))
    return tuple(examples)


_files: WatchedFiles[ExampleBackstop] = WatchedFiles(
    lambda text: ExampleBackstop(parse_examples(text)), (CrisisExampleError,))


def load_backstop(path: Path = EXAMPLES_PATH) -> ExampleBackstop:
    """The backstop of the examples file ``path``, re-read within a second of it changing."""
    return _files.load((path,))


def same_words(text: str) -> str:
    """The words of ``text`` in sorted order: two texts with the same words in any order have the
    same n-grams, so one is a copy of the other for the backstop."""
    return " ".join(sorted(tokens(text)))


def leave_out(examples: tuple[Example, ...], source: str, queries: set[str] | frozenset[str] = frozenset()) -> tuple[Example, ...]:
    """``examples`` without those of ``source`` and without any with the same words as one of
    ``queries`` (:func:`same_words`): how a judged file is scored honestly (leave-one-file-out),
    never by its own rows nor by copies of them in another file."""
    texts = {same_words(q) for q in queries}
    return tuple(e for e in examples if e.source != source and same_words(e.query) not in texts)
