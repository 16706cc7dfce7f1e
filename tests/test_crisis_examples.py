"""The crisis example backstop (``directory_data/crisis_examples.csv``,
``search_index/query/crisis_examples.py``): every row is valid and decides for its own text, the
file holds every judged file's rows, the n-gram similarity is scikit-learn's ``char_wb`` TF-IDF
cosine, and the backstop pins only close danger examples that no look-alike beats, never for a
negated or guarded query."""

from __future__ import annotations

import importlib.util
import math
from collections import defaultdict
from pathlib import Path

import pytest

from search_index.query.crisis import EXAMPLES_SETTING, current_backstop, load_rules
from search_index.query.crisis_examples import (
    EXAMPLES_PATH,
    MIN_SIMILARITY,
    CrisisExampleError,
    Example,
    ExampleBackstop,
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
def test_every_row_decides_for_its_own_text(chunk: int) -> None:
    """Each example, asked as a query, finds an example with its words and label at similarity 1
    (no row is shadowed), and a danger row that the backstop alone would answer pins its first line."""
    for e in EXAMPLES[chunk::8]:
        nearest = BACKSTOP.nearest(e.query, min_words=0)
        found = nearest.danger if e.danger else nearest.lookalike
        similarity = nearest.danger_similarity if e.danger else nearest.lookalike_similarity
        assert found is not None and same_words(found.query) == same_words(e.query), (e.row, e.query, found)
        assert math.isclose(similarity, 1.0, abs_tol=1e-5), (e.row, e.query)
        if e.danger and len(e.query.split()) > 1:
            assert nearest.pins(), (e.row, e.query, nearest)
            assert e.lines[0] in found.lines


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


def test_a_close_danger_example_pins_and_a_closer_look_alike_does_not() -> None:
    backstop = small(("kid swallowed bleach", "poison"), ("bleach to clean the kitchen", ""),
                     ("child abuse hotline", "florida-abuse|childhelp"), ("child care near me", ""))
    hit = backstop.nearest("kid swalowed bleech")
    assert hit.pins() and hit.danger is not None and hit.danger.lines == ("poison",)
    assert hit.danger_similarity >= MIN_SIMILARITY
    assert not backstop.nearest("bleech to clean the kitchn").pins()
    assert backstop.nearest("chld abuse hotlne").pins()
    assert not backstop.nearest("chld care near me").pins()
    assert not backstop.nearest("bleach").pins(), "a single word is never compared"
    assert not backstop.nearest("food pantry open today").pins()


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
