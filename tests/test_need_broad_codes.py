"""Imported listings coded only at a top level of the taxonomy: a listing whose only mental health
code is "R" (Mental Health Care and Counseling) or "RP" (Mental Health Assessment and Treatment)
serves a search for counseling (the ``broader`` codes of ``directory_data/needs.csv``), so such a
directory is not told "out of scope"; a listing with a finer code below "R" serves only what that
code says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine
from whoosh.searching import Searcher

from directory_data.db import make_session_factory
from search_factory import Sample, build_index, clear_directory, make_service
from search_index.query.needs import CodeSet, is_ancestor, load_needs
from search_index.query.request import SearchRequest
from search_index.query.results import SearchResults
from search_index.query.searching import search

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.timezone.utc)
R = ("R", "Mental Health Care and Counseling")
RP = ("RP", "Mental Health Assessment and Treatment")


def build(engine: Engine, path: Path, listings: dict[str, list[tuple[str, str]]]) -> Sample:
    """A directory of ``listings`` (name -> taxonomy codes), indexed in ``path``."""
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            s = partial(make_service, session)
            made = {name: s(name, description="Services for people of every age.", taxonomy=codes)
                    for name, codes in listings.items()}
            session.commit()
            ids = {name: service.id for name, service in made.items()}
            ix = build_index(path, session)
    finally:
        clear_directory(engine)
    return Sample(ix, ids)


@pytest.fixture(scope="module")
def coarse(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sample, Searcher]]:
    sample = build(engine, tmp_path_factory.mktemp("coarse"), {
        "Riverside Behavioral Health": [R],
        "Bayview Wellness": [RP],
        "Harbor Recovery": [R, ("RX-8450", "Substance Use Disorder Treatment Programs")],
        "Eastside Pantry": [("BD-1800", "Emergency Food")],
    })
    with sample.index.searcher() as searcher:
        yield sample, searcher


@pytest.fixture(scope="module")
def finer_only(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    sample = build(engine, tmp_path_factory.mktemp("finer"), {
        "Harbor Recovery": [R, ("RX-8450", "Substance Use Disorder Treatment Programs")],
        "Eastside Pantry": [("BD-1800", "Emergency Food")],
    })
    with sample.index.searcher() as searcher:
        yield searcher


def run(searcher: Searcher, q: str) -> SearchResults:
    return search(searcher, SearchRequest(q=q, per_page=10, now=NOW, today=NOW.date()), cache=None)


@pytest.mark.parametrize("q", ["counseling", "I need someone to talk to", "therapy for depression",
                               "consejeria", "m bezwen yon konseye"])
def test_listings_coded_only_r_or_rp_serve_counseling(coarse: tuple[Sample, Searcher], q: str) -> None:
    sample, searcher = coarse
    results = run(searcher, q)
    assert not results.out_of_scope and not results.unmet_needs, (q, results.needs)
    first = {sample.key_of(sid) for sid in results.service_ids[:2]}
    assert first == {"Riverside Behavioral Health", "Bayview Wellness"}, (q, first)


def test_a_finer_code_below_r_says_what_the_listing_serves(finer_only: Searcher) -> None:
    """Harbor Recovery is coded R and substance use treatment: "R" is only its branch, so it does
    not serve counseling, and the directory says so."""
    results = run(finer_only, "counseling")
    assert results.out_of_scope and results.service_ids == []
    assert not run(finer_only, "rehab for alcohol").out_of_scope


def test_broad_codes_serve_only_where_nothing_finer_is_below_them() -> None:
    codes = CodeSet(("rf", "rp-1400"), (), ("r", "rp"))
    assert codes.serves(("r",)) and codes.serves(("rp",)) and codes.serves(("rp", "yb-8000"))
    assert codes.serves(("r", "rp"))  # RP has nothing below it
    assert not codes.serves(("r", "rx-8450")) and not codes.serves(("rp", "rp-6400"))
    assert codes.serves(("rp-1400.2500",)) and not codes.serves(("b",))
    assert is_ancestor("r", "rp") and is_ancestor("r", "rx-8450") and is_ancestor("rp", "rp-1400.8000")
    assert not is_ancestor("rp", "rpx") and not is_ancestor("r", "r") and not is_ancestor("rp", "rx")


def test_the_broader_codes_are_where_the_taxonomy_says_so(miami_taxonomy: dict[str, str]) -> None:
    """Every broader code is a real code whose name speaks of mental health care or treatment,
    and sits above one of its need's codes (the loader checks the second)."""
    names = {code.lower(): name for code, name in miami_taxonomy.items()}
    broad = {code for need in load_needs().needs.values() for code in need.codes.broad}
    assert broad == {"r", "rp"}
    assert all("mental health" in names[code].lower() for code in broad)
    assert "counseling" in names["r"].lower()
