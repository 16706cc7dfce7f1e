"""The curated directory (the real lines and the Seminole County sample): schema-valid HSDS 3.0,
up to date, and sensible.

No database: these tests read the committed JSON files (and rebuild them from the TOML source).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from directory_data.curated import ID_SEED, SAMPLE_SENTENCE, TAXONOMY_SOURCE, source_dir
from directory_data.curated.build_curated import PARTS, SourceError, build, output_paths, render
from directory_data.hsds import extensions as ext
from directory_data.models.base import stable_id

TODAY = dt.date(2026, 11, 22)
LAT_RANGE = (28.63, 28.86)
LON_RANGE = (-81.46, -81.00)
SEMINOLE_ZIPS = {
    "32771", "32773", "32746", "32750", "32779", "32701", "32714", "32707", "32730", "32708",
    "32765", "32766", "32732",
}
LOCAL_PHONE = re.compile(r"^(407|321|689)-555-01\d\d$")
MISSION = ("mental-health", "childcare", "abuse", "housing")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# ------------------------------------------------------------------------------------------------
# Fixtures and helpers
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages() -> dict[str, dict[str, Any]]:
    return {part: json.loads(path.read_text(encoding="utf-8")) for part, path in output_paths().items()}


@pytest.fixture(scope="module", params=PARTS)
def page(request: pytest.FixtureRequest, pages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return pages[request.param]


@pytest.fixture(scope="module")
def services(pages: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [service for part in PARTS for service in pages[part]["contents"]]


def attr_values(obj: dict[str, Any], code: str) -> list[str]:
    return [
        a["value"]
        for a in obj.get("attributes", [])
        if a.get("taxonomy_term", {}).get("code") == code
    ]


def categories(service: dict[str, Any]) -> set[str]:
    return set(attr_values(service, ext.CATEGORY))


def taxonomy_codes(service: dict[str, Any]) -> set[str]:
    return {
        a["taxonomy_term"]["code"]
        for a in service["attributes"]
        if a["link_type"] == "taxonomy"
    }


def is_national(service: dict[str, Any]) -> bool:
    return not service["organization"]["description"].endswith(SAMPLE_SENTENCE)


def locations(service: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for sal in service["service_at_locations"]:
        yield sal["location"]


def by_name(services: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [s for s in services if s["name"] == name]
    assert len(found) == 1, f"expected exactly one service named {name!r}"
    return found[0]


def numbers(service: dict[str, Any], type_: str | None = None) -> set[str]:
    return {p["number"] for p in service["phones"] if type_ is None or p["type"] == type_}


def walk(obj: Any, kind: str = "service") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (kind, object) pair in a nested HSDS service."""
    children = {
        "organization": "organization",
        "phones": "phone",
        "schedules": "schedule",
        "languages": "language",
        "cost_options": "cost_option",
        "service_at_locations": "service_at_location",
        "location": "location",
        "addresses": "address",
        "accessibility": "accessibility",
        "attributes": "attribute",
        "taxonomy_term": "taxonomy_term",
    }
    yield kind, obj
    for key, child_kind in children.items():
        value = obj.get(key)
        if isinstance(value, dict):
            yield from walk(value, child_kind)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, child_kind)


# ------------------------------------------------------------------------------------------------
# Format: HSDS 3.0 schema, page shape, build up to date
# ------------------------------------------------------------------------------------------------


def _local_refs_only(schema: Any) -> bool:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref is not None and not ref.startswith("#/"):
            return False
        return all(_local_refs_only(v) for v in schema.values())
    if isinstance(schema, list):
        return all(_local_refs_only(v) for v in schema)
    return True


def test_validates_against_the_hsds_3_schemas(hsds_dir: Path, page: dict[str, Any]) -> None:
    schema_dir = hsds_dir / "openreferral-specification-3.0" / "schema"
    if not schema_dir.is_dir():
        pytest.fail(f"{schema_dir} is missing from the shared HSDS folder")
    item_schema = json.loads((schema_dir / "compiled" / "service_list.json").read_text())
    compiled = schema_dir / "compiled"
    full_schema = json.loads((compiled / "service_with_definitions.json").read_text())
    openapi = json.loads((schema_dir / "openapi.json").read_text())
    page_schema = openapi["components"]["schemas"]["Page"]
    for schema in (item_schema, full_schema):
        assert _local_refs_only(schema), "compiled schema is expected to be self-contained"

    checker = jsonschema.FormatChecker()
    wrapper = dict(page_schema)
    wrapper["required"] = [
        "total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
        "contents",
    ]
    wrapper["properties"] = dict(page_schema["properties"], contents={"type": "array"})
    jsonschema.validate(page, wrapper, format_checker=checker)

    # compiled/service_list.json is the schema of one item of the list; the full nested service
    # (phones, schedules, locations, attributes ...) is checked against service_with_definitions.
    item_validator = jsonschema.validators.validator_for(item_schema)(
        item_schema, format_checker=checker
    )
    full_validator = jsonschema.validators.validator_for(full_schema)(
        full_schema, format_checker=checker
    )
    errors = []
    for i, service in enumerate(page["contents"]):
        for validator in (item_validator, full_validator):
            for error in validator.iter_errors(service):
                where = f"contents/{i} ({service.get('name')}): {error.json_path}"
                errors.append(f"{where}: {error.message}")
    assert not errors, "\n".join(errors[:20])


def test_page_shape(page: dict[str, Any]) -> None:
    n = len(page["contents"])
    assert page["total_items"] == page["size"] == n
    assert (page["total_pages"], page["page_number"]) == (1, 1)
    assert page["first_page"] is True and page["last_page"] is True and page["empty"] is False


def test_committed_file_is_the_build_of_the_source() -> None:
    texts = render()
    for part, path in output_paths().items():
        assert path.read_text(encoding="utf-8") == texts[part], (
            f"{path.name} is out of date: run python -m directory_data.curated.build_curated"
        )


def test_the_real_lines_and_the_sample_are_apart(pages: dict[str, dict[str, Any]]) -> None:
    """national.json holds exactly the real lines, seminole_county.json exactly the fictional
    listings; their taxonomy terms are upserted under one source of their own, by code."""
    assert pages["national"]["contents"] and all(is_national(s) for s in pages["national"]["contents"])
    assert len(pages["sample"]["contents"]) >= 150
    assert not any(is_national(s) for s in pages["sample"]["contents"])
    for part in PARTS:
        for service in pages[part]["contents"]:
            for attribute in service["attributes"]:
                if attribute["link_type"] == "taxonomy":
                    term = attribute["taxonomy_term"]
                    assert attr_values(term, ext.SOURCE) == [TAXONOMY_SOURCE]
                    assert attr_values(term, ext.SOURCE_ID) == [term["code"]]


def test_build_is_deterministic() -> None:
    assert build() == build()


def test_build_rejects_a_reused_phone_number(tmp_path: Path) -> None:
    folder = tmp_path / "source"
    shutil.copytree(source_dir(), folder)
    with (folder / "housing.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[[service]]\nkey = "dup"\norg = "lrhp"\nat = "lrhp.casselberry"\n'
            'name = "Duplicate"\ndescription = "x"\ncost = "free"\nphone = "407-555-0100"\n'
            'hours = ["MO 09:00-10:00"]\nassured = "2026-10-01"\n'
        )
    with pytest.raises(SourceError, match="407-555-0100"):
        build(folder)


# ------------------------------------------------------------------------------------------------
# Ids
# ------------------------------------------------------------------------------------------------


def test_ids_are_uuids_and_each_id_is_one_object(services: list[dict[str, Any]]) -> None:
    seen: dict[str, tuple[str, str]] = {}
    occurrences: Counter[tuple[str, str]] = Counter()
    for service in services:
        for kind, obj in walk(service):
            obj_id = obj["id"]
            assert str(uuid.UUID(obj_id)) == obj_id, f"{kind} id {obj_id} is not a canonical UUID"
            canonical = json.dumps(obj, sort_keys=True)
            if obj_id in seen:
                first_kind, first = seen[obj_id]
                assert first_kind == kind, f"id {obj_id} is used by a {first_kind} and a {kind}"
                assert first == canonical, f"{kind} {obj_id} appears with different contents"
            seen[obj_id] = (kind, canonical)
            occurrences[(kind, obj_id)] += 1
    # Objects that belong to one service appear exactly once.
    for (kind, obj_id), count in occurrences.items():
        if kind in ("service", "phone", "schedule", "language", "cost_option",
                    "service_at_location"):
            assert count == 1, f"{kind} {obj_id} appears {count} times"


def test_service_ids_are_stable_ids() -> None:
    svc = next(s for s in build()["sample"]["contents"] if s["name"] == "Crisis Nursery")
    assert svc["id"] == stable_id(ID_SEED, "service", "nursery-crisis")


def test_links_point_at_their_parents(services: list[dict[str, Any]]) -> None:
    for s in services:
        assert s["organization_id"] == s["organization"]["id"]
        for child in ("phones", "schedules", "languages", "cost_options", "service_at_locations"):
            for obj in s[child]:
                assert obj["service_id"] == s["id"]
        for sal in s["service_at_locations"]:
            assert sal["location_id"] == sal["location"]["id"]
        for a in s["attributes"]:
            assert a["link_id"] == s["id"] and a["link_entity"] == "service"
            assert a["taxonomy_term_id"] == a["taxonomy_term"]["id"]


def test_same_taxonomy_code_is_the_same_term(services: list[dict[str, Any]]) -> None:
    ids: dict[str, set[str]] = defaultdict(set)
    for s in services:
        for a in s["attributes"]:
            if a["link_type"] == "taxonomy":
                term = a["taxonomy_term"]
                assert term["taxonomy"] == "AIRS/211 LA County"
                assert term["name"] and term["description"]
                ids[term["code"]].add(term["id"])
    assert all(len(v) == 1 for v in ids.values())
    for code in ("BH-1800", "BH-1800.8500", "BH-3800.7000", "BV-8900.9300", "FT-4500.1800",
                 "RP-1500", "RP-1500.1400-800", "RP-1500.1400-200", "FN-1500.1900-150", "FN-1900",
                 "PH-1250", "PH-1250.1400", "PS-9800", "HD-1800.8000", "RP-1500.1400-150"):
        assert code in ids, f"taxonomy code {code} is not used"


def test_extension_attributes_use_the_extension_terms(services: list[dict[str, Any]]) -> None:
    for s in services:
        for kind, obj in walk(s):
            if kind != "attribute" or obj["link_type"] == "taxonomy":
                continue
            code = obj["taxonomy_term"]["code"]
            assert ext.is_extension(code)
            expected = ext.attribute_object(obj["link_id"], obj["link_entity"], code, obj["value"])
            assert obj == expected
            assert ext.EXTENSIONS[code].link_entity in (obj["link_entity"], "*")


# ------------------------------------------------------------------------------------------------
# Content
# ------------------------------------------------------------------------------------------------


def test_size_and_categories(services: list[dict[str, Any]]) -> None:
    assert len(services) >= 150
    counts = Counter(c for s in services for c in categories(s))
    for slug in MISSION:
        assert counts[slug] >= 30, f"only {counts[slug]} {slug} services"
    for s in services:
        cats = categories(s)
        assert cats and cats <= set(MISSION), s["name"]
        assert taxonomy_codes(s), f"{s['name']} has no taxonomy term"


def test_every_service_is_complete(services: list[dict[str, Any]]) -> None:
    for s in services:
        name = s["name"]
        assert s["description"] and s["status"] in ("active", "temporarily closed"), name
        assert s["schedules"], f"{name} has no hours"
        assert any("freq" in row for row in s["schedules"]), f"{name} has only closures"
        assert s["languages"], f"{name} has no language"
        assert s["cost_options"] and s.get("fees_description"), f"{name} has no cost information"
        assert s["phones"], f"{name} has no phone"
        assert s["service_at_locations"], f"{name} has no location"
        assert s.get("eligibility_description"), f"{name} has no eligibility"
        if "minimum_age" in s and "maximum_age" in s:
            assert s["minimum_age"] <= s["maximum_age"], name
        for row in s["languages"]:
            assert re.fullmatch(r"[a-z]{2}", row["code"]) and row["name"], name


def test_a_couple_are_temporarily_closed(services: list[dict[str, Any]]) -> None:
    closed = [s for s in services if s["status"] == "temporarily closed"]
    assert 1 <= len(closed) <= 5
    assert all(s.get("alert") for s in closed)


def test_schedules_follow_the_conventions(services: list[dict[str, Any]]) -> None:
    weekdays = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
    overnight = closures = round_the_clock = 0
    for s in services:
        for row in s["schedules"]:
            if "freq" in row:
                assert row["freq"] == "WEEKLY"
                assert set(row["byday"].split(",")) <= weekdays
                assert HHMM.match(row["opens_at"]) and HHMM.match(row["closes_at"])
                assert "valid_from" not in row and row["description"]
                if row["opens_at"] == row["closes_at"] == "00:00":
                    round_the_clock += 1
                elif row["closes_at"] <= row["opens_at"]:
                    overnight += 1
            else:
                assert set(row) == {"id", "service_id", "valid_from", "valid_to", "description"}
                start = dt.date.fromisoformat(row["valid_from"])
                assert start <= dt.date.fromisoformat(row["valid_to"])
                assert row["description"].startswith("Closed")
                closures += 1
    assert overnight >= 2 and closures >= 50 and round_the_clock >= 15


def test_locations_are_in_seminole_county(services: list[dict[str, Any]]) -> None:
    for s in services:
        for loc in locations(s):
            if loc["location_type"] == "virtual":
                assert is_national(s), f"{s['name']}: local services have physical locations"
                assert "addresses" not in loc and "latitude" not in loc
                continue
            assert loc["location_type"] == "physical"
            assert LAT_RANGE[0] <= loc["latitude"] <= LAT_RANGE[1], loc["name"]
            assert LON_RANGE[0] <= loc["longitude"] <= LON_RANGE[1], loc["name"]
            (address,) = loc["addresses"]
            assert address["address_type"] == "physical"
            assert address["state_province"] == "FL" and address["country"] == "US"
            assert address["postal_code"] in SEMINOLE_ZIPS, loc["name"]


def test_spanish_is_well_covered(services: list[dict[str, Any]]) -> None:
    n = len(services)
    spoken = sum(any(lang["code"] == "es" for lang in s["languages"]) for s in services)
    assert spoken / n >= 0.4
    translated = [s for s in services if attr_values(s, ext.NAME_ES)]
    assert len(translated) / n >= 0.4
    for s in translated:
        assert attr_values(s, ext.DESCRIPTION_ES), f"{s['name']} has a Spanish name only"
    accented = sum(bool(re.search("[áéíóúñü¿¡]", attr_values(s, ext.DESCRIPTION_ES)[0]))
                   for s in translated)
    assert accented / len(translated) >= 0.8
    codes = {lang["code"] for s in services for lang in s["languages"]}
    assert {"ht", "vi", "pt"} <= codes


def test_local_phone_numbers_are_fictional_and_unique(services: list[dict[str, Any]]) -> None:
    seen: Counter[str] = Counter()
    for s in services:
        if is_national(s):
            continue
        for phone in s["phones"]:
            assert LOCAL_PHONE.match(phone["number"]), phone["number"]
            assert phone["type"] in ("voice", "text") and phone.get("description")
            seen[phone["number"]] += 1
    assert [n for n, c in seen.items() if c > 1] == []


def test_officer_lines(services: list[dict[str, Any]]) -> None:
    officer_phones = [
        p for s in services for p in s["phones"] if attr_values(p, ext.AUDIENCE) == ["officer"]
    ]
    assert len(officer_phones) >= 15
    for s in services:
        publics = [p for p in s["phones"] if not attr_values(p, ext.AUDIENCE)]
        assert publics, f"{s['name']} has no public phone"
    assert sum(bool(attr_values(s, ext.OFFICER_NOTES)) for s in services) >= 20
    walk_in = Counter(v for s in services for v in attr_values(s, ext.WALK_IN))
    assert walk_in["true"] >= 30 and walk_in["false"] >= 30


def test_national_lines(services: list[dict[str, Any]]) -> None:
    national = {s["name"]: s for s in services if is_national(s)}
    assert len(national) == 8

    lifeline = by_name(services, "988 Suicide & Crisis Lifeline")
    assert numbers(lifeline, "voice") == {"988"} and numbers(lifeline, "text") == {"988"}
    assert categories(lifeline) == {"mental-health"}
    assert "RP-1500.1400-800" in taxonomy_codes(lifeline)

    dv = by_name(services, "National Domestic Violence Hotline")
    assert numbers(dv, "voice") == {"1-800-799-7233"}
    (text,) = [p for p in dv["phones"] if p["type"] == "text"]
    assert text["number"] == "88788" and "START" in text["description"]
    assert categories(dv) == {"abuse"} and "RP-1500.1400-200" in taxonomy_codes(dv)

    childhelp = by_name(services, "Childhelp National Child Abuse Hotline")
    assert "1-800-422-4453" in numbers(childhelp, "voice")
    assert categories(childhelp) == {"abuse"}
    assert "RP-1500.1400-150" in taxonomy_codes(childhelp)

    rainn = by_name(services, "National Sexual Assault Hotline (RAINN)")
    assert numbers(rainn, "voice") == {"1-800-656-4673"}
    assert categories(rainn) == {"abuse"} and "RP-1500.1400-750" in taxonomy_codes(rainn)

    two_one_one = by_name(services, "211 (United Way 211)")
    assert numbers(two_one_one, "voice") == {"211"}
    assert categories(two_one_one) == {"housing", "mental-health"}
    assert "TJ-3000.8500" in taxonomy_codes(two_one_one)

    trafficking = by_name(services, "National Human Trafficking Hotline")
    assert numbers(trafficking, "voice") == {"1-888-373-7888"} and numbers(trafficking, "text") == {"233733"}
    assert "RP-1500.1400-300" in taxonomy_codes(trafficking)

    florida = by_name(services, "Florida Abuse Hotline")
    assert numbers(florida, "voice") == {"1-800-962-2873"}
    assert {"PH-6500.1500-140", "PH-6500.0500-180"} <= taxonomy_codes(florida)

    poison = by_name(services, "Poison Help line (Poison Control)")
    assert numbers(poison, "voice") == {"1-800-222-1222"}
    assert "LH-2700.6500" in taxonomy_codes(poison)

    for s in national.values():
        assert SAMPLE_SENTENCE not in s["organization"]["description"]
        assert "example" not in s["organization"]["website"]
        assert {lang["code"] for lang in s["languages"]} >= {"en", "es"}
        assert all(loc["location_type"] == "virtual" for loc in locations(s))
        (row,) = s["schedules"]
        assert (row["byday"], row["opens_at"], row["closes_at"]) == (
            "MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00"
        )
        assert all(not attr_values(p, ext.AUDIENCE) for p in s["phones"])


def test_domestic_violence_shelters_are_confidential(services: list[dict[str, Any]]) -> None:
    shelters = [s for s in services if "BH-1800.1500-100" in taxonomy_codes(s)]
    assert len(shelters) >= 2
    confidential = set()
    for s in services:
        for loc in locations(s):
            if attr_values(loc, ext.CONFIDENTIAL) == ["true"]:
                confidential.add(loc["id"])
                assert "confidential" in loc["name"].lower()
                assert loc["addresses"] and "latitude" in loc  # kept, but never shown
    for s in shelters:
        for loc in locations(s):
            assert loc["id"] in confidential, f"{s['name']} at {loc['name']} is not confidential"


def test_local_organizations_are_marked_as_samples(services: list[dict[str, Any]]) -> None:
    orgs = {s["organization"]["id"]: s["organization"] for s in services if not is_national(s)}
    assert len(orgs) >= 40
    for org in orgs.values():
        assert org["description"].endswith(" " + SAMPLE_SENTENCE), org["name"]
        assert org["email"].endswith(".example.org"), org["name"]
        assert re.fullmatch(r"https://[a-z0-9-]+\.example\.org", org["website"]), org["name"]
    for s in services:
        if not is_national(s):
            assert s["email"].endswith(".example.org")
            assert s["url"].startswith("https://") and ".example.org" in s["url"]
    runs = Counter(s["organization"]["id"] for s in services)
    assert sum(1 for n in runs.values() if n >= 3) >= 10


def test_assured_dates_spread_with_some_stale(services: list[dict[str, Any]]) -> None:
    dates = [dt.date.fromisoformat(s["assured_date"]) for s in services]
    assert all(dt.date(2025, 1, 1) <= d <= TODAY for d in dates)
    stale = sum((TODAY - d).days > 180 for d in dates)
    assert 0.10 <= stale / len(dates) <= 0.25
    assert len({d.isoformat()[:7] for d in dates}) >= 12
    assert all(s["assurer_email"].endswith(".example.org") for s in services)


def test_ages_vary(services: list[dict[str, Any]]) -> None:
    spans = {(s.get("minimum_age"), s.get("maximum_age")) for s in services}
    assert (13, 17) in spans and (0, 5) in spans and (60, None) in spans
    assert any(lo is not None and hi is not None and lo >= 5 and hi <= 12 for lo, hi in spans)
