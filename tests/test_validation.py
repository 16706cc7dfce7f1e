"""Field validation: values, and field-level messages instead of exceptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from directory_data.validation import (
    FieldError,
    language_code,
    normalize_email,
    normalize_url,
    parse_bool,
    parse_coordinates,
    parse_date,
    parse_decimal,
    parse_int,
    parse_language,
    parse_phone,
    parse_time,
    parse_time_zone,
    parse_weekday,
    parse_weekdays,
)


@pytest.mark.parametrize(
    ("raw", "number", "extension"),
    [
        ("305-573-4200", "(305) 573-4200", None),
        ("305-573-4200 x57471", "(305) 573-4200", 57471),
        ("312-346-9766 x 715", "(312) 346-9766", 715),
        ("(855) 452-3526 ext. 12", "(855) 452-3526", 12),
        ("1-800-273-8255", "(800) 273-8255", None),
        ('"+44 1234 234567"', "+44 1234 234567", None),
        ("988", "988", None),
        ("211", "211", None),
        ("2-1-1", "211", None),
        ("000-000-0211", "211", None),
        ("88788", "88788", None),
        ("000-074-1741", "741741", None),
        ("*347", "*347", None),
    ],
)
def test_phone_numbers_are_normalised(raw: str, number: str, extension: int | None) -> None:
    value, errors = parse_phone(raw)
    assert errors == []
    assert value is not None
    assert (value.number, value.extension) == (number, extension)


def test_phone_extension_from_its_own_column_and_non_numeric_extensions() -> None:
    value, _ = parse_phone("305-555-0142", extension="204")
    assert value is not None and value.extension == 204
    value, _ = parse_phone("305-891-8850 xOPT2")
    assert value is not None
    assert (value.number, value.extension, value.extension_text) == ("(305) 891-8850", None, "OPT2")


@pytest.mark.parametrize("raw", ["(223) 346 12361", "no phone", "12", "555-01"])
def test_bad_phone_numbers_give_a_field_error(raw: str) -> None:
    value, errors = parse_phone(raw, "number")
    assert value is None
    assert len(errors) == 1 and errors[0].field == "number"
    assert raw in errors[0].message


def test_blank_phone_says_so() -> None:
    assert parse_phone("  ") == (None, [FieldError("number", "no phone number given")])


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("www.example.org", "https://www.example.org"),
        ("WWW.lhanc.org/mela.htm", "https://www.lhanc.org/mela.htm"),
        ("http://example.com", "http://example.com"),
        ("HTTPS://Example.com/Path?q=1", "https://example.com/Path?q=1"),
        ("http:/example.com", "http://example.com"),
        ("pediatrics.med.miami.edu\\\\teens\\\\", "https://pediatrics.med.miami.edu/teens/"),
        ("example.com:8080/x", "https://example.com:8080/x"),
    ],
)
def test_urls_get_a_scheme(raw: str, url: str) -> None:
    assert normalize_url(raw) == (url, [])


@pytest.mark.parametrize("raw", ["releasethesilence", "not a url", "info@example.org",
                                 "ftp://example.org", "http://"])
def test_junk_urls_are_rejected(raw: str) -> None:
    value, errors = normalize_url(raw, "website")
    assert value is None
    assert errors and errors[0].field == "website"


def test_blank_url_is_no_error() -> None:
    assert normalize_url("") == (None, [])


def test_emails() -> None:
    assert normalize_email(" Help@Example.ORG ") == ("Help@example.org", [])
    assert normalize_email("mailto:a@b.co") == ("a@b.co", [])
    value, errors = normalize_email("not an email", "email")
    assert value is None and errors[0].field == "email"


def test_coordinates() -> None:
    assert parse_coordinates("25.77", "-80.19") == ((25.77, -80.19), [])
    assert parse_coordinates("", "") == (None, [])
    for lat, lon, words in [("100", "101", "latitude"), ("10", "200", "longitude"),
                            ("0", "0", "placeholder"), ("", "5", "only one"),
                            ("north", "5", "not numbers")]:
        value, errors = parse_coordinates(lat, lon)
        assert value is None
        assert words in errors[0].message


@pytest.mark.parametrize(
    ("raw", "time"),
    [
        ("8:00am", dt.time(8)),
        ("5:00 PM", dt.time(17)),
        ("3pm", dt.time(15)),
        ("17:00", dt.time(17)),
        ("17:00:00", dt.time(17)),
        ("9:00a", dt.time(9)),
        ("830am", dt.time(8, 30)),
        ("9:0am", dt.time(9)),
        ("7:30 am ", dt.time(7, 30)),
        ("12:00pm", dt.time(12)),
        ("12:00am", dt.time(0)),
        ("10:00:00Z", dt.time(10)),
        ("noon", dt.time(12)),
    ],
)
def test_times(raw: str, time: dt.time) -> None:
    assert parse_time(raw) == (time, [])


@pytest.mark.parametrize("raw", ["25:00", "6:300pm", "13pm", "soon"])
def test_bad_times(raw: str) -> None:
    value, errors = parse_time(raw, "opens_at")
    assert value is None and errors[0].field == "opens_at"


def test_weekdays() -> None:
    assert parse_weekday("Monday") == ("MO", [])
    assert parse_weekday("thurs") == ("TH", [])
    assert parse_weekday("7") == ("SU", [])  # HSDS 1.1: 1 = Monday .. 7 = Sunday
    assert parse_weekday("someday")[0] is None
    assert parse_weekdays("Mon-Fri") == (["MO", "TU", "WE", "TH", "FR"], [])
    assert parse_weekdays("TH,FR") == (["TH", "FR"], [])
    assert parse_weekdays("Sat-Mon") == (["SA", "SU", "MO"], [])
    assert parse_weekdays("Tue, Thur") == (["TU", "TH"], [])
    assert parse_weekdays("1SA,-1fr") == (["1SA", "-1FR"], [])


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("2005-01-01", dt.date(2005, 1, 1)),
        ("12/24/2015", dt.date(2015, 12, 24)),
        ("12/24/15", dt.date(2015, 12, 24)),
        ("December 24, 2015", dt.date(2015, 12, 24)),
        ("2023-03-15T10:30:45.123Z", dt.date(2023, 3, 15)),
        ("January 01, 0001", None),
        ("0001-01-01", None),
    ],
)
def test_dates(raw: str, date: dt.date | None) -> None:
    assert parse_date(raw) == (date, [])


def test_bad_date() -> None:
    value, errors = parse_date("next week", "valid_from")
    assert value is None and errors == [FieldError("valid_from", "'next week' is not a date")]


@pytest.mark.parametrize(
    ("raw", "name", "code"),
    [
        ("Spanish", "Spanish", "es"),
        ("Haitian Creole", "Haitian Creole", "ht"),
        ("Creole", "Creole", "ht"),
        ("Vietnamese", "Vietnamese", "vi"),
        ("American Sign Language", "American Sign Language", "ase"),
        ("ASL", "American Sign Language", "ase"),
        ("español", "español", "es"),
        ("es", "Spanish", "es"),
        ("eng", "English", "en"),
    ],
)
def test_languages(raw: str, name: str, code: str) -> None:
    value, errors = parse_language(raw)
    assert errors == []
    assert value is not None and (value.name, value.code) == (name, code)


def test_language_qualifiers_and_unknowns_are_kept() -> None:
    value, _ = parse_language("Spanish (limited)")
    assert value is not None
    assert (value.name, value.code, value.note) == ("Spanish", "es", "limited")
    value, _ = parse_language("other languages available upon request")
    assert value is not None and value.code is None
    assert value.name == "other languages available upon request"
    assert parse_language("")[0] is None
    value, errors = parse_language("Urdu", code="not-a-code!")
    assert value is not None and value.code == "ur" and errors
    assert language_code("Kreyòl") == "ht"


def test_time_zones() -> None:
    assert parse_time_zone("America/New_York") == ("America/New_York", [])
    assert parse_time_zone("") == (None, [])
    for bad in ("3", "EST5EDT-ish", "UTC-5"):
        value, errors = parse_time_zone(bad, "timezone")
        assert value is None and errors[0].field == "timezone"


def test_numbers_and_flags() -> None:
    assert parse_int("12", "minimum_age") == (12, [])
    assert parse_int("12.0", "minimum_age") == (12, [])
    assert parse_int("twelve", "minimum_age")[1][0].field == "minimum_age"
    assert parse_int("200", "maximum_age", maximum=130)[0] is None
    assert parse_decimal("$1,200.50", "amount") == (Decimal("1200.50"), [])
    assert parse_bool("Yes", "walk_in") == (True, [])
    assert parse_bool("0", "walk_in") == (False, [])
    assert parse_bool("maybe", "walk_in")[0] is None
