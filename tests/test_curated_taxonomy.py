"""The curated directory's taxonomy codes mean what the AIRS/211 taxonomy says they mean.

Reference: the 211 taxonomy of the Miami export (``../shared/hsds/open211-miami/data/taxonomy.csv``,
the ``miami_taxonomy`` fixture). Three checks, each a function that lists the problems it finds so
that the tests can also show it catching the mistakes it is for:

* every term in ``source/taxonomy.toml`` carries Miami's name for its code (a code Miami lacks
  needs a ``not_in_miami`` reason);
* every code a listing carries is one of those checked terms;
* every mission category of a listing is backed by one of its terms: a name about that category
  (the word patterns below), a crosswalk row that gives it, or a general information and referral
  line, which belongs wherever it refers people.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from directory_data.curated import source_dir
from directory_data.curated.build_curated import CATEGORY_FILES
from directory_data.taxonomy_crosswalk import Crosswalk, load_crosswalk

#: Words (regular expressions, matched at a word start, case-insensitive) that make a term's name
#: about a mission category.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "abuse": (
        r"abus", r"violence", r"assault", r"trafficking", r"protective", r"restraining", r"victim",
        r"stalking", r"child advocacy",
        # anger management is listed with the violence intervention programs it does not replace
        r"anger management",
    ),
    "mental-health": (
        r"mental", r"psychiatr", r"counseling", r"therap", r"crisis", r"suicide", r"support groups?",
        r"substance use", r"detox", r"recovery", r"bereave", r"eating disorder", r"warmlines?",
        r"talklines?", r"hotlines?", r"helplines?", r"anger management",
        # the poison line answers overdoses, and substance use is mental health here
        r"poison control",
    ),
    "childcare": (
        r"child care", r"preschool", r"early childhood", r"head start", r"school readiness",
        r"camps?", r"boys/girls clubs?", r"youth development", r"parent", r"respite",
        r"home visitation",
    ),
    "housing": (
        r"housing", r"shelter", r"home", r"rent", r"tenant", r"landlord", r"evict", r"utility",
        r"weatherization", r"mortgage", r"foreclosure", r"halfway",
    ),
}

#: Codes (and the codes below them) that serve every category: general information and referral.
REFERS_EVERYWHERE = ("TJ-3000",)

_PATTERNS = {
    slug: re.compile(r"\b(?:" + "|".join(words) + ")", re.IGNORECASE)
    for slug, words in CATEGORY_WORDS.items()
}


@dataclass(frozen=True)
class Listing:
    """A curated service as written in the TOML source."""

    key: str
    name: str
    categories: tuple[str, ...]
    codes: tuple[str, ...]


def load_terms(folder: Path) -> dict[str, dict[str, Any]]:
    """The terms of ``taxonomy.toml`` in ``folder``, by code."""
    with (folder / "taxonomy.toml").open("rb") as f:
        return tomllib.load(f)


def load_listings(folder: Path) -> list[Listing]:
    """Every ``[[service]]`` of the category files in ``folder``, with its effective categories."""
    listings = []
    for name in CATEGORY_FILES:
        with (folder / f"{name}.toml").open("rb") as f:
            data = tomllib.load(f)
        default = data.get("defaults", {}).get("categories", [])
        for svc in data.get("service", []):
            listings.append(Listing(svc["key"], svc["name"], tuple(svc.get("categories", default)),
                                    tuple(svc.get("taxonomy", []))))
    return listings


def misnamed_terms(terms: Mapping[str, Mapping[str, Any]], reference: Mapping[str, str]) -> list[str]:
    """Terms whose name is not the reference taxonomy's name for their code, or whose code the
    reference lacks without a ``not_in_miami`` reason."""
    problems = []
    for code, term in terms.items():
        if code in reference:
            if term.get("name") != reference[code]:
                problems.append(f"{code} is {reference[code]!r}, not {term.get('name')!r}")
        elif not str(term.get("not_in_miami", "")).strip():
            problems.append(f"{code} ({term.get('name')!r}) is not in the Miami taxonomy and has no "
                            "not_in_miami reason")
    return problems


def unchecked_codes(listings: Iterable[Listing], terms: Mapping[str, Any]) -> list[str]:
    """Codes that listings carry but ``taxonomy.toml`` (the checked list) does not have."""
    return [f"{listing.key} carries {code}, which is not in taxonomy.toml"
            for listing in listings for code in listing.codes if code not in terms]


def _is_under(code: str, prefix: str) -> bool:
    return code == prefix or (code.startswith(prefix) and code[len(prefix)] in ".-")


def unbacked_categories(listings: Iterable[Listing], reference: Mapping[str, str],
                        crosswalk: Crosswalk) -> list[str]:
    """Mission categories of a listing that none of its codes is about."""
    problems = []
    for listing in listings:
        if any(_is_under(code, p) for code in listing.codes for p in REFERS_EVERYWHERE):
            continue
        for slug in listing.categories:
            backed = any(
                _PATTERNS[slug].search(reference.get(code, ""))
                or slug in crosswalk.categories_for(code)
                for code in listing.codes
            )
            if not backed:
                names = [f"{code} {reference.get(code, '?')}" for code in listing.codes]
                problems.append(f"{listing.key} is in {slug}, but none of its terms is: {names}")
    return problems


@pytest.fixture(scope="module")
def terms() -> dict[str, dict[str, Any]]:
    return load_terms(source_dir())


@pytest.fixture(scope="module")
def listings() -> list[Listing]:
    return load_listings(source_dir())


@pytest.fixture(scope="module")
def crosswalk() -> Crosswalk:
    return load_crosswalk()


def test_every_term_has_the_miami_name(terms: dict[str, dict[str, Any]],
                                       miami_taxonomy: dict[str, str]) -> None:
    assert len(miami_taxonomy) == 1991  # 1,994 rows: J, FP-4000 and FP-4500 come twice
    assert misnamed_terms(terms, miami_taxonomy) == []
    assert all(str(term.get("description", "")).strip() for term in terms.values())


def test_every_listing_code_is_a_checked_term(listings: list[Listing],
                                              terms: dict[str, dict[str, Any]]) -> None:
    assert len(listings) >= 150
    assert all(listing.codes for listing in listings)
    assert unchecked_codes(listings, terms) == []


def test_every_category_of_a_listing_is_backed_by_a_term(
    listings: list[Listing], miami_taxonomy: dict[str, str], crosswalk: Crosswalk
) -> None:
    assert set(CATEGORY_WORDS) == {slug for listing in listings for slug in listing.categories}
    assert unbacked_categories(listings, miami_taxonomy, crosswalk) == []


# The checks catch the mistakes they are for (codes the directory once used with the wrong meaning).


def test_a_wrong_name_for_a_real_code_is_caught(miami_taxonomy: dict[str, str]) -> None:
    wrong = {
        "RP-1400.8000-100": {"name": "Anger Management", "description": "x"},
        "FN-1500": {"name": "Domestic Violence Services", "description": "x"},
        "PH-1250.1400": {"name": "Child Care Subsidies", "description": "x"},
        "FN-1500.3300": {"name": "Domestic Violence Hotlines", "description": "x"},
        "RX-1700": {"name": "Detoxification", "description": "x"},
    }
    assert misnamed_terms(wrong, miami_taxonomy) == [
        "RP-1400.8000-100 is 'Bereavement Counseling', not 'Anger Management'",
        "FN-1500 is 'Crime Prevention', not 'Domestic Violence Services'",
        "PH-1250.1400 is 'Child Care Centers', not 'Child Care Subsidies'",
        "FN-1500.3300 ('Domestic Violence Hotlines') is not in the Miami taxonomy and has no "
        "not_in_miami reason",
    ]
    reasoned = {"FN-1500.3300": {"name": "x", "not_in_miami": "checked in ..."}}
    assert misnamed_terms(reasoned, miami_taxonomy) == []


def test_a_listing_whose_codes_miss_its_category_is_caught(
    miami_taxonomy: dict[str, str], crosswalk: Crosswalk
) -> None:
    bad = [
        Listing("dv-hotline", "DV hotline", ("abuse",), ("FN-1500",)),  # Crime Prevention
        Listing("anger", "Anger classes", ("mental-health",), ("RP-1400.8000-100",)),  # is backed
        Listing("subsidy", "Child care help", ("childcare",), ("BV-8900.9300",)),  # a utility bill
        Listing("rent", "Rent help", ("housing",), ("PN-8100.6500-650",)),  # "Parent", not "rent"
    ]
    problems = unbacked_categories(bad, miami_taxonomy, crosswalk)
    assert [p.split(" is in ")[0] for p in problems] == ["dv-hotline", "subsidy", "rent"]
    good = [
        Listing("dv-hotline", "DV hotline", ("abuse", "mental-health"), ("RP-1500.1400-200",)),
        Listing("runaway", "Youth shelter", ("housing", "abuse"), ("BH-1800.1500-700",)),  # crosswalk
        Listing("211", "211", ("housing", "mental-health"), ("TJ-3000.8500",)),
    ]
    assert unbacked_categories(good, miami_taxonomy, crosswalk) == []


def test_an_unlisted_code_is_caught(terms: dict[str, dict[str, Any]]) -> None:
    listing = Listing("x", "X", ("abuse",), ("RP-1500.1400-200", "FN-1500.9600"))
    assert unchecked_codes([listing], terms) == ["x carries FN-1500.9600, which is not in taxonomy.toml"]
