"""Crisis safety: danger signals pin the right line above everything, in English and Spanish,
whatever the filters; ordinary queries on the same subjects are not hijacked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from whoosh.searching import Searcher

from search_factory import no_search_errors, SANFORD, TODAY, Sample, build_sample
from search_index.query.crisis import load_rules, parse_rules
from search_index.query.text_forms import within_one_edit
from search_index.query.results import SearchResults
from search_index.query.searching import SearchRequest, search

DANGER: dict[str, list[str]] = {
    "988": [
        "I want to kill myself",
        "i wanna die",
        "I don't want to live anymore",
        "thinking about suicide",
        "feeling suicidal tonight",
        "how do i end my life",
        "I'm going to hurt myself",
        "i cut myself",
        "better off dead",
        "suicide",
        "sucide hotline",
        "self harm",
        "quiero morir",
        "me quiero matar",
        "no quiero vivir",
        "tengo pensamientos suicidas",
        "quiero suicidarme",
        "quiero quitarme la vida",
        "ayuda suicidio",
    ],
    "dv": [
        "my boyfriend hits me",
        "My husband beats me",
        "my ex choked me last night",
        "he hit me",
        "my partner threatened to kill me",
        "my husband is going to kill me",
        "I'm scared of my husband",
        "I don't feel safe at home",
        "domestic violence",
        "DV help",
        "abusive relationship",
        "mi esposo me pega",
        "mi novio me golpea",
        "mi pareja me amenaza",
        "tengo miedo de mi esposo",
        "violencia doméstica",
        "me quiere matar",
    ],
    "rainn": [
        "I was raped",
        "he raped me",
        "I was sexually assaulted",
        "someone touched me",
        "sexual assault",
        "rape crisis center",
        "me violaron",
        "fui violada",
        "abuso sexual",
    ],
    "childhelp": [
        "my dad hits me",
        "my stepdad beats me",
        "someone is hurting my child",
        "my neighbor is abusing a kid",
        "child abuse",
        "report child neglect",
        "mi papá me pega",
        "mi padrastro me golpea",
        "maltrato infantil",
        "golpean a mi hijo",
    ],
}

ORDINARY = [
    "suicide prevention training",
    "suicide prevention training for teachers",
    "sexual health clinic",
    "sexual health",
    "rape prevention education class",
    "child abuse prevention training",
    "mandated reporter training child abuse",
    "domestic violence batterers intervention program",
    "volunteer at a domestic violence shelter",
    "capacitación prevención del suicidio",
    "curso de violencia doméstica para voluntarios",
    "food pantry",
    "kill bill",
    "i got hit by a car",
    "hit and run lawyer",
    "child care",
    "baker act",
    "counseling for depression",
    "pest control kill bugs",
    "dead battery help",
]


@pytest.fixture(scope="module")
def sample(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(engine, tmp_path_factory.mktemp("crisis-index"))


@pytest.fixture(scope="module")
def searcher(sample: Sample) -> Iterator[Searcher]:
    with sample.index.searcher() as s:
        yield s


def run(searcher: Searcher, q: str, **kw: Any) -> SearchResults:
    kw.setdefault("today", TODAY)
    kw.setdefault("now", dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone.utc))
    return search(searcher, SearchRequest(q=q, **kw), cache=None)


@pytest.mark.parametrize(("line", "query"), [(line, q) for line, qs in DANGER.items() for q in qs])
def test_danger_pins_the_line_first(searcher: Searcher, sample: Sample, line: str, query: str) -> None:
    results = run(searcher, query)
    assert results.crisis is not None, query
    assert line in results.crisis.keys
    assert "911" in results.crisis.message
    assert results.hits, query
    first = results.hits[0]
    assert first.crisis
    assert sample.key_of(first.service_id) in {"988", "dv-hotline", "rainn", "childhelp"}
    pinned = [sample.key_of(h.service_id) for h in results.hits if h.crisis]
    expected = {"988": "988", "dv": "dv-hotline", "rainn": "rainn", "childhelp": "childhelp"}[line]
    assert expected in pinned
    # Pinned lines come before every other result.
    flags = [h.crisis for h in results.hits]
    assert flags == sorted(flags, reverse=True)


@pytest.mark.parametrize("query", ORDINARY)
def test_ordinary_queries_are_not_hijacked(searcher: Searcher, query: str) -> None:
    results = run(searcher, query)
    assert results.crisis is None, query
    assert not any(h.crisis for h in results.hits)


def test_ordinary_query_still_finds_its_listing(searcher: Searcher, sample: Sample) -> None:
    assert sample.key_of(run(searcher, "suicide prevention training").hits[0].service_id) == "qpr"
    assert sample.key_of(run(searcher, "sexual health clinic").hits[0].service_id) == "sexual-health"


def test_pin_survives_filters_and_language(searcher: Searcher, sample: Sample) -> None:
    results = run(
        searcher, "quiero morir", lang="es", open_now=True, languages=("ht",), near=SANFORD,
        radius_km=1, free=True, age=15, categories=("childcare",),
    )
    assert results.crisis is not None and results.crisis.keys == ("988",)
    assert results.crisis.message == "Si está en peligro inmediato, llame al 911."
    assert sample.key_of(results.hits[0].service_id) == "988" and results.hits[0].crisis
    assert results.crisis.service_ids == (sample.ids["988"],)


def test_pin_only_on_the_first_page_and_counted_once(searcher: Searcher, sample: Sample) -> None:
    first = run(searcher, "my boyfriend hits me", per_page=2)
    second = run(searcher, "my boyfriend hits me", per_page=2, page=2)
    ids = [h.service_id for h in first.hits + second.hits]
    assert len(ids) == len(set(ids))
    assert first.hits[0].crisis and not any(h.crisis for h in second.hits)
    assert first.total == second.total


def test_several_lines_when_several_dangers(searcher: Searcher) -> None:
    results = run(searcher, "my husband hits me and I want to die")
    assert results.crisis is not None and results.crisis.keys[:2] == ("988", "dv")
    assert [h.crisis for h in results.hits[:2]] == [True, True]


def test_line_shown_even_without_a_listing(tmp_path: Path) -> None:
    from whoosh import index

    from search_index.engine.schema import build_schema

    ix = index.create_in(str(tmp_path), build_schema())
    ix.writer().commit()
    with ix.searcher() as s:
        results = search(s, SearchRequest(q="I want to kill myself"), cache=None)
    assert results.crisis is not None and results.crisis.lines[0].call == "988"
    assert results.crisis.service_ids == () and results.hits == []


WORDS = "group,language,words,note\nHELP,en,help|aid,\nNEG,en,not,\n"
LINES = ("line,phones,taxonomy_codes,call,text,text_word,chat,online,hours,priority,related,source\n"
         "x,5551234,,555-1234,,,,,24/7,1,fire,\n")
CARD = "key,en,es,ht\nx.name,X line,Línea X,Liy X\nlead.now,Call 911 now,Llame al 911 ahora,Rele 911 kounye a\n"


def test_rules_from_data() -> None:
    rules = parse_rules(
        WORDS,
        "line,kind,now,language,pattern,example,note\nx,danger,yes,en,need/want HELP now,,\nx,topic,,en,fire*,,\n",
        "line,scope,language,pattern,example,note\nx,topic,en,drill,,\n",
        LINES, CARD,
    )
    found = rules.detect("I need some aid now")
    assert found.lines == ("x",) and found.danger and found.now
    assert rules.detect("fireworks").lines == ("x",)
    assert rules.detect("fire drill").lines == ()
    assert rules.detect("help me now").lines == ()
    assert rules.detect("I do not need help now").lines == ()  # negated
    assert rules.lines["x"].related == (("fire",),)
    match = rules.match("need help now", "es")
    assert match is not None and match.card().lines[0].name == "Línea X" and match.card().lead == "Llame al 911 ahora"


def test_misspelled_danger_words_within_one_edit() -> None:
    assert within_one_edit("suicde", "suicide") and within_one_edit("sucidie", "sucidei")
    assert not within_one_edit("sucdei", "suicide")
    assert load_rules().detect("i want to kil myslef").lines[0] == "988"


@pytest.fixture(autouse=True)
def _fail_on_search_errors(no_search_errors: None) -> None:
    """Every test here fails if the search layer logged an error."""
