"""What a discreet referral calls a service and how it words hours and text lines: only a name
that reveals abuse (or an abuse service) is replaced, by "Support service" and the kind of help
in neutral words; a homeless shelter keeps its name; "Open 24 hours"; "Text START to 88788"."""

from __future__ import annotations

import datetime as dt

import pytest

from directory_data.help_kinds import help_kind
from directory_data.models import Schedule
from directory_data.referral_payload import Entry, Labels, hours_lines, text_payload
from directory_data.text_lines import text_keyword

LABELS = Labels("Your referral", "Community resources", "Support service",
                "If you are in danger, call 911", "Address given by phone",
                ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                kinds=(("housing", "housing"), ("counseling", "counseling"), ("support-line", "support line")))


def entry(name: str, categories: tuple[str, ...], kind: str = "support", **fields: object) -> Entry:
    values: dict[str, object] = {"phones": (), "addresses": (), "confidential": False, "hours": ()}
    values.update(fields)
    return Entry("id-" + name, False, name, categories=categories, kind=kind, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name, categories, sensitive", [
    ("Volusia Homeless Shelter", ("housing",), False),
    ("Refugio para Familias sin Hogar", ("housing",), False),
    ("Cold Night Shelter", ("housing",), False),
    ("Harbor Light Domestic Violence Shelter", ("housing",), True),
    ("Refugio para Víctimas de Violencia", ("housing",), True),
    ("Rape Crisis Center", ("mental-health",), True),
    ("Lakeside Haven", ("abuse",), True),
])
def test_only_what_reveals_abuse_is_sensitive(name: str, categories: tuple[str, ...], sensitive: bool) -> None:
    assert entry(name, categories).sensitive is sensitive


def test_discreet_names_say_the_kind_of_help_and_stay_apart() -> None:
    shelter = entry("Harbor Light Domestic Violence Shelter", ("abuse",), "housing")
    counseling = entry("Family Violence Counseling Program", ("abuse",), "counseling")
    unknown = entry("Lakeside Haven", ("abuse",), "support")
    homeless = entry("Volusia Homeless Shelter", ("housing",), "housing")
    names = [e.shown_name(LABELS, discreet=True) for e in (shelter, counseling, unknown, homeless)]
    assert names == ["Support service — housing", "Support service — counseling", "Support service",
                     "Volusia Homeless Shelter"]
    assert shelter.shown_name(LABELS, discreet=False) == "Harbor Light Domestic Violence Shelter"


@pytest.mark.parametrize("categories, codes, kind", [
    (("abuse", "housing"), ("BH-1800.1500-100",), "housing"),
    (("abuse",), ("RP-1500.1400-200", "RF-6500"), "support-line"),
    (("abuse", "mental-health"), ("RP-1400.8000-020.21",), "counseling"),
    (("abuse",), ("FT-3000.6900", "FN-1900.0500"), "legal-help"),
    (("abuse",), ("PN-8100.0200-180",), "support-group"),
    (("abuse",), ("FN-1900", "YX-1500.8000"), "advocacy"),
    (("abuse", "childcare"), ("FN-1500.1900-150", "PH-6100.1800-680"), "family-support"),
    (("abuse", "housing"), (), "housing"),
    (("abuse",), ("YX-0300",), "support"),
])
def test_the_kind_of_help_comes_from_the_codes_then_the_categories(
    categories: tuple[str, ...], codes: tuple[str, ...], kind: str
) -> None:
    assert help_kind(categories, codes) == kind


@pytest.mark.parametrize("description, keyword", [
    ("Text START", "START"), ("Text 233733 (BEFREE)", "BEFREE"), ("Text 988", None),
    ("Text 1-800-422-4453", None), ("Text us any time", None), ("Envíe HOLA", "HOLA"), (None, None),
])
def test_a_text_lines_keyword_is_read_from_its_description(description: str | None, keyword: str | None) -> None:
    assert text_keyword(description) == keyword


def test_around_the_clock_is_open_24_hours_and_text_lines_say_what_to_send() -> None:
    def weekly(days: str, opens: str, closes: str) -> Schedule:
        return Schedule(freq="WEEKLY", byday=days, opens_at=dt.time.fromisoformat(opens),
                        closes_at=dt.time.fromisoformat(closes))

    assert hours_lines([weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")], LABELS) == ("Open 24 hours",)
    assert hours_lines([weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")], LABELS) == ("Open 24 hours",)
    assert hours_lines([weekly("MO,TU,WE,TH,FR", "09:00", "17:00"), weekly("SA,SU", "00:00", "00:00")],
                       LABELS) == ("Mon-Fri 9am-5pm", "Sat-Sun 24 hours")
    hotline = entry("Support Line", ("abuse",), "support-line", phones=(("1-800-799-7233", "+18007997233"),),
                    texts=(("Text START to 88788", "88788"),), hours=("Open 24 hours",))
    text = text_payload([hotline], LABELS, discreet=True, station="Sanford PD", day=dt.date(2026, 12, 7),
                        note="Ask for Ana")
    assert "1. Support service — support line\n1-800-799-7233\nText START to 88788\nOpen 24 hours" in text
    assert "Ask for Ana" not in text
