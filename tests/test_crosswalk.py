"""The taxonomy crosswalk: codes to mission categories, longest level prefix wins."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from directory_data.models import MISSION_CATEGORIES
from directory_data.taxonomy_crosswalk import (
    DEFAULT_CROSSWALK_PATH,
    Crosswalk,
    CrosswalkError,
    load_crosswalk,
    parse_crosswalk,
)


@pytest.fixture(scope="module")
def crosswalk() -> Crosswalk:
    return load_crosswalk()


@pytest.mark.parametrize(
    ("code", "categories"),
    [
        ("BH-1800", {"housing"}),
        ("BH-1800.8500", {"housing"}),  # Homeless Shelter, via BH-1800
        ("BH-1800.1500", {"housing"}),  # Crisis Shelter: only its abuse-specific shelters are abuse
        ("BH-1800.1500-100", {"abuse", "housing"}),  # Domestic Violence Shelters
        ("FN-1500", set()),  # Crime Prevention
        ("FN-1500.1550-600", set()),  # Neighborhood Watch Programs
        ("FN-1500.8100", set()),  # Self Defense Training
        ("FN-1500.2570", set()),  # Identity Theft Prevention
        ("FN-1500.1900-150", {"abuse"}),  # Child Abuse Prevention
        ("FN-1500.1900-800", {"abuse"}),  # Spouse/Intimate Partner Abuse Prevention
        ("FN-1500.2560", {"abuse"}),  # Human Trafficking Prevention
        ("FN-1500.9100-180", {"abuse"}),  # Domestic Violence Intervention Programs
        ("FN-1700.7800", set()),  # Social Security Fraud Reporting
        ("LT-1750.7935", {"abuse"}),  # Sexual Assault Treatment
        ("PH-1250", {"childcare"}),
        ("PH-1250.1800", {"childcare"}),
        ("NL-3000.1500", {"childcare"}),
        ("R", {"mental-health"}),
        ("RX-8450.5000-510", {"mental-health"}),  # Methadone Clinics, substance use
        ("RX-8500.6500", {"mental-health", "housing"}),  # Recovery Homes/Halfway Houses
        ("PH-8000", {"housing"}),  # Street Outreach Programs
        ("RP-1400.8000-020.15", {"abuse", "mental-health"}),  # Child Abuse Counseling
        ("FT-4500.1800", {"housing"}),  # Eviction Prevention Legal Assistance
        ("FT-3200", set()),  # General Legal Aid is no mission category
        ("PS-9800.9900", set()),  # Youth Enrichment is not child care
        ("LH-2700", set()),
        ("YF-5000", set()),  # target populations do not categorise
        ("103-01", {"housing"}),  # Open Eligibility: Housing > Emergency Shelter
        ("101-06-01", {"abuse"}),  # Help Escape Violence
        ("108-03-03", {"childcare"}),
        ("106-01-02", {"mental-health"}),  # Addiction & Recovery > Detox
    ],
)
def test_required_and_real_codes(crosswalk: Crosswalk, code: str, categories: set[str]) -> None:
    assert set(crosswalk.categories_for(code)) == categories


def test_prefixes_end_at_level_boundaries(crosswalk: Crosswalk) -> None:
    assert getattr(crosswalk.match("BH-1850"), "code", None) == "BH"  # "BH-18" is no level
    assert getattr(crosswalk.match("RX"), "code", None) == "R"
    assert crosswalk.match("B") is None
    assert crosswalk.categories_for(None) == ()


def test_open_eligibility_terms_match_by_name_without_a_code(crosswalk: Crosswalk) -> None:
    assert crosswalk.categories_for(None, "Help Find Childcare") == ("childcare",)
    assert crosswalk.categories_for("", "  emergency   SHELTER ") == ("housing",)


def test_every_row_of_the_shipped_file_is_valid() -> None:
    lines = [line for line in DEFAULT_CROSSWALK_PATH.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    assert len(rows) >= 60
    for row in rows:
        assert row["vocabulary"] in ("airs", "open-eligibility")
        assert set(filter(None, row["categories"].split(";"))) <= set(MISSION_CATEGORIES)
    assert len(load_crosswalk().rows) == len(rows)


#: AIRS codes of the crosswalk that the Miami taxonomy lacks (it has codes below each), and why
#: their names are right.
NOT_IN_MIAMI = {
    "BH": "the AIRS level of all housing terms; Miami's BH-* terms are all housing and shelter",
    "BV-8900": "the AIRS level above Miami's BV-8900.9300 Utility Service Payment Assistance",
    "PH-6300": "the AIRS level above Miami's group homes, kinship care and foster homes for children",
}


def test_airs_rows_carry_the_taxonomy_names(miami_taxonomy: dict[str, str]) -> None:
    rows = [row for row in load_crosswalk().rows if row.vocabulary == "airs"]
    assert len(rows) >= 50
    for row in rows:
        if row.code in miami_taxonomy:
            assert row.name == miami_taxonomy[row.code], row.code
        else:
            assert row.code in NOT_IN_MIAMI, f"{row.code} {row.name!r} is not in the Miami taxonomy"
            assert any(code.startswith(row.code) and code[len(row.code)] in ".-"
                       for code in miami_taxonomy), row.code


def test_mistakes_name_the_line(tmp_path: Path) -> None:
    header = "code,vocabulary,name,categories,note\n"
    with pytest.raises(CrosswalkError, match="line 3: unknown category 'food'"):
        parse_crosswalk("# comment\n" + header + "BD-1800,airs,Emergency Food,food,\n")
    with pytest.raises(CrosswalkError, match="line 3: code bh is already on line 2"):
        parse_crosswalk(header + "BH,airs,,housing,\nbh,airs,,housing,\n")
    with pytest.raises(CrosswalkError, match="header"):
        parse_crosswalk("code,categories\nBH,housing\n")
    with pytest.raises(CrosswalkError, match="vocabulary"):
        parse_crosswalk(header + "BH,dewey,,housing,\n")


def test_an_edited_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "crosswalk.csv"
    path.write_text("code,vocabulary,name,categories,note\n"
                    "BD,airs,Food,housing;abuse,local choice\n", encoding="utf-8")
    assert set(load_crosswalk(path).categories_for("BD-1800.2000")) == {"housing", "abuse"}
