"""The crisis example backstop (``directory_data/crisis_examples.csv``,
``search_index/query/crisis_examples.py``): every row is valid and is its own text's closest
example, the file holds every judged file's rows, the n-gram similarity is scikit-learn's
``char_wb`` TF-IDF cosine, and the neighbours' vote pins a line only when danger examples clearly
outvote the look-alikes, never for a negated or guarded query."""

from __future__ import annotations

import importlib.util
import math
from collections import defaultdict
from pathlib import Path

import pytest

from search_index.query.crisis import EXAMPLES_SETTING, current_backstop, load_rules
from search_index.query.crisis_examples import (
    CLOSE_SIMILARITY,
    EXAMPLES_PATH,
    MIN_SHARE,
    MIN_SIMILARITY,
    NEIGHBOURS,
    NO_VOTE,
    CrisisExampleError,
    Example,
    ExampleBackstop,
    Vote,
    char_wb_ngrams,
    comparable,
    leave_out,
    parse_examples,
    same_words,
)

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules()
TEXT = EXAMPLES_PATH.read_text(encoding="utf-8")
EXAMPLES = parse_examples(TEXT, frozenset(RULES.lines))
BACKSTOP = ExampleBackstop(EXAMPLES)


def test_every_row_is_valid() -> None:
    assert len(EXAMPLES) > 1000
    for e in EXAMPLES:
        assert e.language in ("en", "es", "ht") and e.source, e
        assert all(k in RULES.lines for k in e.lines), e


def test_no_text_is_both_a_danger_and_a_look_alike() -> None:
    labels: dict[str, set[bool]] = defaultdict(set)
    for e in EXAMPLES:
        labels[same_words(e.query)].add(e.danger)
    assert [k for k, v in labels.items() if len(v) > 1] == []


@pytest.mark.parametrize("chunk", range(8))
def test_every_row_is_its_own_texts_closest_example(chunk: int) -> None:
    """Each example, asked as a query, finds an example with its words first, at similarity 1 (no
    row is shadowed); when the vote on a danger row's text pins, it pins one of the row's lines,
    and the vote never decides for a look-alike row's text in the detector."""
    for e in EXAMPLES[chunk::8]:
        closest, similarity = BACKSTOP.neighbours(e.query, min_words=0)[0]
        assert same_words(closest.query) == same_words(e.query), (e.row, e.query, closest)
        assert math.isclose(similarity, 1.0, abs_tol=1e-5), (e.row, e.query)
        vote = BACKSTOP.vote(e.query)
        if e.danger and vote.pins():
            assert vote.line in e.lines, (e.row, e.query, vote)
        if not e.danger:
            assert RULES.detect(e.query, backstop=BACKSTOP).example is None, (e.row, e.query, vote)


def test_nearly_every_danger_row_is_voted_for_by_its_own_text() -> None:
    """A danger row's own text wins the vote (its own example at similarity 1 against the other
    neighbours) unless close rows lead with another line ("child abuse hotline": childhelp first in
    some files, the Florida line in others); the word lists read those."""
    rows = [e for e in EXAMPLES if e.danger and len(e.query.split()) > 1]
    voted = [e for e in rows if BACKSTOP.vote(e.query).pins()]
    assert len(voted) >= 0.95 * len(rows), (len(voted), len(rows))


def test_the_file_holds_every_judged_file() -> None:
    """``scripts/build_crisis_examples.py`` has been run since a judged file last changed."""
    spec = importlib.util.spec_from_file_location("build_crisis_examples", ROOT / "scripts" / "build_crisis_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == TEXT, "run: python scripts/build_crisis_examples.py"


@pytest.mark.parametrize("row, message", [
    ("query,language,lines,now,source\n,en,988,no,x\n", "no query"),
    ("query,language,lines,now,source\nhelp me,fr,988,no,x\n", "language"),
    ("query,language,lines,now,source\nhelp me,en,911,no,x\n", "not known"),
    ("query,language,lines,now,source\nhelp me,en,988,maybe,x\n", "yes or no"),
])
def test_a_bad_row_is_named(row: str, message: str) -> None:
    with pytest.raises(CrisisExampleError, match=f"line 2: .*{message}"):
        parse_examples(row, frozenset(RULES.lines))


def test_the_ngrams_are_scikit_learns_char_wb() -> None:
    assert char_wb_ngrams("chld ab", (2, 4)) == [
        " c", "ch", "hl", "ld", "d ", " ch", "chl", "hld", "ld ", " chl", "chld", "hld ",
        " a", "ab", "b ", " ab", "ab ", " ab "]
    assert char_wb_ngrams("a", (2, 4)) == [" a", "a ", " a "]


def test_the_similarity_is_scikit_learns_tfidf_cosine() -> None:
    text = pytest.importorskip("sklearn.feature_extraction.text")
    queries = [comparable(e.query) for e in EXAMPLES[:400]]
    vectorizer = text.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=False)
    matrix = vectorizer.fit_transform(queries)
    backstop = ExampleBackstop(EXAMPLES[:400])
    for probe in ("chld abuse hotlne", "kid swalowed bleech", "they tok my pasport", "m pa ka respire"):
        expected = (matrix @ vectorizer.transform([comparable(probe)]).T).toarray().ravel()
        assert backstop.similarities(probe) == pytest.approx(expected, abs=1e-6)


def small(*rows: tuple[str, str]) -> ExampleBackstop:
    return ExampleBackstop(tuple(Example(n, q, "en", tuple(k for k in lines.split("|") if k), False, "t")
                                 for n, (q, lines) in enumerate(rows, start=2)))


def test_danger_neighbours_that_outvote_the_look_alikes_pin_their_line() -> None:
    backstop = small(("kid swallowed bleach", "poison"), ("bleach to clean the kitchen", ""),
                     ("child abuse hotline", "florida-abuse|childhelp"), ("child care near me", ""))
    hit = backstop.vote("kid swalowed bleech")
    assert hit.pins() and hit.line == "poison" and hit.example is not None and hit.example.row == 2
    assert hit.share >= MIN_SHARE and hit.similarity >= MIN_SIMILARITY
    assert not backstop.vote("bleech to clean the kitchn").pins()
    assert backstop.vote("chld abuse hotlne").line == "florida-abuse"
    assert not backstop.vote("chld care near me").pins()
    assert not backstop.vote("bleach").pins(), "a single word is never compared"
    assert not backstop.vote("food pantry open today").pins()


def test_several_neighbours_carry_a_line_when_a_look_alike_is_as_close() -> None:
    """No danger example decides alone (a look-alike is nearly as close and none is very close), but
    the danger neighbours hold the share of the votes; the line pins once its closest voter is
    close enough."""
    backstop = small(("my husband chokes me every night", "dv"), ("my husband chokes me when drunk", "dv"),
                     ("husband choking me again", "dv"), ("my husband chokes on his food", ""))
    vote = backstop.vote("husband chokes me")
    assert vote.line == "dv" and not vote.close and vote.share >= MIN_SHARE, vote
    assert vote.pins(threshold=vote.similarity) and not vote.pins(threshold=vote.similarity + 0.01)
    assert len(backstop.neighbours("husband chokes me")) <= NEIGHBOURS


def test_a_vote_pins_a_clear_share_close_enough_or_a_very_close_danger_example() -> None:
    example = Example(2, "he chokes me", "en", ("dv",), False, "t")
    assert Vote("dv", MIN_SHARE, example, MIN_SIMILARITY).pins()
    assert not Vote("dv", MIN_SHARE - 0.01, example, 0.99).pins()
    assert not Vote("dv", 1.0, example, MIN_SIMILARITY - 0.01).pins()
    assert Vote("dv", 0.0, example, CLOSE_SIMILARITY, close=True).pins()
    assert not NO_VOTE.pins()


def test_the_detector_asks_the_backstop_only_when_the_rules_pin_nothing() -> None:
    backstop = small(("they tok my pasport", "trafficking"), ("im not suicidal just sad", "988"),
                     ("suicide prevention training for teachers", "988"))
    found = RULES.detect("they tok my pasport and i cant leave", backstop=backstop)
    assert found.lines and found.example is None, "the rules decide when they pin"
    found = RULES.detect("boss tok my pasprt", backstop=backstop)
    assert found.lines == ("trafficking",) and found.example is not None and found.danger
    # A trigger cancelled by a negation, or a guard's look-alike, is never handed to the examples.
    assert RULES.detect("im not suicidal", backstop=backstop).lines == ()
    assert RULES.detect("im not suicidal just sad", backstop=backstop).lines == ()
    assert RULES.detect("suicide prevention training for teachers", backstop=backstop).lines == ()


def test_searches_use_the_examples_file_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(EXAMPLES_SETTING, raising=False)
    backstop = current_backstop()
    assert backstop is not None and len(backstop.examples) == len(EXAMPLES)
    monkeypatch.setenv(EXAMPLES_SETTING, "none")
    assert current_backstop() is None
    assert RULES.match("chld abuse hotlne please") is None, "the word lists alone do not read it"
    copy = tmp_path / "examples.csv"
    copy.write_text("query,language,lines,now,source\nchld abuse hotlne,en,florida-abuse,no,caseworker\n", encoding="utf-8")
    monkeypatch.setenv(EXAMPLES_SETTING, str(copy))
    match = RULES.match("chld abuse hotlne please")
    assert match is not None and match.keys == ("florida-abuse",)


def test_leave_out_drops_the_file_and_copies_of_its_queries() -> None:
    kept = leave_out(EXAMPLES, "crisis_own16", {"human trafiking"})
    assert "crisis_own16" not in {e.source for e in kept}
    assert all(same_words(e.query) != "human trafiking" for e in kept)
    assert len(kept) < len(EXAMPLES)
