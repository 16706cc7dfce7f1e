"""Expand the curated TOML source into the two HSDS 3.0 JSON files the importer loads.

Run ``python -m directory_data.curated.build_curated`` after editing anything in ``source/``; add
``--check`` to only verify that the committed JSON files are up to date (exit status 1 if not).
The services of ``national.toml`` go to ``national.json`` (the real lines), every other service to
``seminole_county.json`` (the fictional sample); see :mod:`directory_data.curated`.

Source files (all in ``source/``, read in this order):

* ``taxonomy.toml``      -- AIRS/211 taxonomy terms: ``["CODE"] name, description`` (the name is the
  211 taxonomy's own; ``not_in_miami`` says why a code missing from the Miami taxonomy is right).
* ``organizations.toml`` -- ``[org-key]`` tables (name, description, website, email ...) each with
  ``[org-key.locations.site-key]`` sub-tables (name, address, city, zip, lat, lon, accessibility,
  ``confidential = true`` for places whose street address must never be shown). Local
  organizations get the sample sentence appended to their description; ``national = true`` ones
  do not.
* ``mental_health.toml``, ``childcare.toml``, ``abuse.toml``, ``housing.toml``, ``national.toml``
  -- a ``[defaults]`` table (``categories``, ``assurer``) and ``[[service]]`` entries.

A ``[[service]]`` entry (only ``key``, ``org``, ``name``, ``description``, ``at``, ``hours``,
``phone``/``phones``, ``cost`` and ``assured`` are required)::

    key = "lmfc-outpatient"                 # readable, unique; the seed of every id
    org = "lmfc"                            # key in organizations.toml
    at = ["lmfc.sanford"]                   # "org.site" location keys (or one string)
    categories = ["mental-health"]          # overrides [defaults] categories
    taxonomy = ["RM-6500"]                  # codes in taxonomy.toml
    name / name_es / description / description_es
    status = "active"                       # or "temporarily closed"
    eligibility = "..."; ages = [13, 17]    # minimum / maximum age (either may be omitted)
    application = "..."; interpretation = "..."; alert = "..."; wait_time = "..."
    fees = "..."                            # fees_description
    cost = "free"  |  {option = "Sliding scale", amount = 20, amount_description = "..."}  | [..]
    languages = ["en", "es"]                # ISO 639-1; language_notes = {en = "ASL ..."}
    phone = "407-555-0101"; phone_note = "Main line"
    text_phone = "..."; officer_phone = "..." (officer-only intake line)
    phones = [{number, type, description, audience}]   # instead of / in addition to the above
    hours = ["MO-FR 08:00-12:00, 13:00-17:00 | Walk-in intake", "SA 09:00-12:00"]  or "24/7"
    holidays = "standard" | ["thanksgiving", "christmas", ...]
    closures = [{from = "2026-12-24", to = "2026-12-26", description = "Closed for winter break"}]
    walk_in = true; officer_notes = "..."
    assured = "2026-09-14"; assurer = "someone@example.org"
    url = "..."; email = "..."              # default to the organization's website / email
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from directory_data.curated import (
    ID_SEED,
    SAMPLE_SENTENCE,
    TAXONOMY_SOURCE,
    national_path,
    sample_path,
    source_dir,
)
from directory_data.hsds import extensions as ext
from directory_data.models.base import stable_id

CATEGORY_FILES = ("mental_health", "childcare", "abuse", "housing", "national")
MISSION_SLUGS = ("mental-health", "childcare", "abuse", "housing")
TAXONOMY_NAME = "AIRS/211 LA County"

#: Bounds of Seminole County used to sanity-check coordinates.
LAT_RANGE = (28.63, 28.86)
LON_RANGE = (-81.46, -81.00)

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "ht": "Haitian Creole",
    "vi": "Vietnamese",
    "pt": "Portuguese",
    "ar": "Arabic",
    "fr": "French",
    "zh": "Chinese",
    "ko": "Korean",
    "tl": "Tagalog",
    "ru": "Russian",
}

DAY_ORDER = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}

HOLIDAYS = {
    "thanksgiving": ("2026-11-26", "2026-11-26", "Closed for Thanksgiving"),
    "day-after-thanksgiving": ("2026-11-27", "2026-11-27", "Closed the day after Thanksgiving"),
    "christmas-eve": ("2026-12-24", "2026-12-24", "Closed for Christmas Eve"),
    "christmas": ("2026-12-25", "2026-12-25", "Closed for Christmas"),
    "new-year": ("2027-01-01", "2027-01-01", "Closed for New Year's Day"),
    "mlk": ("2027-01-18", "2027-01-18", "Closed for Martin Luther King Jr. Day"),
}
STANDARD_HOLIDAYS = ("thanksgiving", "christmas", "new-year")

LOCAL_PHONE = re.compile(r"^(407|321|689)-555-01\d\d$")

_SERVICE_KEYS = {
    "key", "org", "at", "categories", "taxonomy", "name", "name_es", "description",
    "description_es", "status", "eligibility", "ages", "application", "interpretation", "alert",
    "wait_time", "fees", "cost", "languages", "language_notes", "phone", "phone_note",
    "text_phone", "text_note", "officer_phone", "officer_note", "phones", "hours", "holidays",
    "closures", "walk_in", "officer_notes", "assured", "assurer", "url", "email",
}


class SourceError(ValueError):
    """The TOML source is inconsistent (unknown key, duplicate number, bad coordinates ...)."""


def _id(table: str, key: str) -> str:
    return stable_id(ID_SEED, table, key)


def _load(name: str, folder: Path) -> dict[str, Any]:
    with (folder / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def _prune(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None (HSDS fields are typed; null is not allowed)."""
    return {k: v for k, v in obj.items() if v is not None}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------------------------
# Taxonomy, organizations and locations
# --------------------------------------------------------------------------------------------


def _taxonomy_terms(folder: Path) -> dict[str, dict[str, Any]]:
    terms = {}
    for code, row in _load("taxonomy", folder).items():
        term_id = _id("taxonomy_term", code)
        terms[code] = {
            "id": term_id,
            "code": code,
            "name": row["name"],
            "description": row["description"],
            "taxonomy": TAXONOMY_NAME,
            # one record per term, whichever part of the directory is imported first
            "attributes": [ext.attribute_object(term_id, "taxonomy_term", ext.SOURCE, TAXONOMY_SOURCE),
                           ext.attribute_object(term_id, "taxonomy_term", ext.SOURCE_ID, code)],
        }
    return terms


def _organizations(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The organization objects by key, and the location objects by ``org.site`` key."""
    orgs: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}
    for key, row in _load("organizations", folder).items():
        national = bool(row.get("national", False))
        description = row["description"].strip()
        if not national:
            if SAMPLE_SENTENCE in description:
                raise SourceError(f"organization {key}: the sample sentence is added by the build")
            description = f"{description} {SAMPLE_SENTENCE}"
        org_id = _id("organization", key)
        orgs[key] = _prune(
            {
                "id": org_id,
                "name": row["name"],
                "alternate_name": row.get("alternate_name"),
                "description": description,
                "email": row.get("email"),
                "website": row.get("website"),
                "year_incorporated": row.get("year_incorporated"),
                "legal_status": row.get("legal_status"),
            }
        )
        orgs[key]["_national"] = national
        for site, loc in row.get("locations", {}).items():
            loc_key = f"{key}.{site}"
            locations[loc_key] = _location(loc_key, org_id, loc)
    return orgs, locations


def _location(loc_key: str, org_id: str, row: dict[str, Any]) -> dict[str, Any]:
    loc_id = _id("location", loc_key)
    virtual = row.get("type", "physical") == "virtual"
    location: dict[str, Any] = {
        "id": loc_id,
        "location_type": "virtual" if virtual else "physical",
        "organization_id": org_id,
        "url": row.get("url"),
        "name": row["name"],
        "description": row.get("description"),
        "transportation": row.get("transportation"),
    }
    if not virtual:
        lat, lon = float(row["lat"]), float(row["lon"])
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            raise SourceError(f"location {loc_key}: ({lat}, {lon}) is outside Seminole County")
        location["latitude"] = lat
        location["longitude"] = lon
        location["addresses"] = [
            _prune(
                {
                    "id": _id("address", loc_key),
                    "location_id": loc_id,
                    "address_1": row["address"],
                    "address_2": row.get("address_2"),
                    "city": row["city"],
                    "state_province": "FL",
                    "postal_code": row["zip"],
                    "country": "US",
                    "address_type": "physical",
                }
            )
        ]
        if row.get("accessibility"):
            location["accessibility"] = [
                {
                    "id": _id("accessibility", loc_key),
                    "location_id": loc_id,
                    "description": row["accessibility"],
                }
            ]
    if row.get("confidential"):
        confidential = ext.attribute_object(loc_id, "location", ext.CONFIDENTIAL, "true")
        location["attributes"] = [confidential]
    return _prune(location)


# --------------------------------------------------------------------------------------------
# Hours
# --------------------------------------------------------------------------------------------

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _days(spec: str) -> list[str]:
    spec = spec.upper()
    if spec == "DAILY":
        return list(DAY_ORDER)
    days: list[str] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = part.split("-")
            i, j = DAY_ORDER.index(first), DAY_ORDER.index(last)
            if j < i:
                raise SourceError(f"day range {part} runs backwards")
            days.extend(DAY_ORDER[i : j + 1])
        else:
            if part not in DAY_ORDER:
                raise SourceError(f"unknown day {part!r}")
            days.append(part)
    return days


def _clock(hhmm: str) -> str:
    h, m = (int(x) for x in hhmm.split(":"))
    if h == 0 and m == 0:
        return "midnight"
    if h == 12 and m == 0:
        return "noon"
    suffix = "a.m." if h < 12 else "p.m."
    return f"{(h % 12) or 12}:{m:02d} {suffix}"


def _days_text(days: list[str]) -> str:
    if days == list(DAY_ORDER):
        return "Every day"
    idx = [DAY_ORDER.index(d) for d in days]
    if len(days) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    names = [DAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _schedules(key: str, service_id: str, svc: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    hours = svc["hours"]
    entries = ["DAILY 00:00-00:00 | Open 24 hours, 7 days a week"] if hours == "24/7" else hours
    for entry in _as_list(entries):
        text, _, note = entry.partition("|")
        day_spec, _, spans = text.strip().partition(" ")
        days = _days(day_spec)
        for span in spans.split(","):
            opens, _, closes = span.strip().partition("-")
            if not (_HHMM.match(opens) and _HHMM.match(closes)):
                raise SourceError(f"service {key}: bad hours {entry!r}")
            if opens == closes == "00:00":
                default = f"{_days_text(days)}, open 24 hours"
            else:
                default = f"{_days_text(days)}, {_clock(opens)} to {_clock(closes)}"
                if closes <= opens and closes != "00:00":
                    default += " (overnight)"
            description = note.strip() if hours == "24/7" else default
            if note.strip() and hours != "24/7":
                description = f"{default}; {note.strip()}"
            rows.append(
                {
                    "id": _id("schedule", f"{key}/{len(rows)}"),
                    "service_id": service_id,
                    "freq": "WEEKLY",
                    "byday": ",".join(days),
                    "opens_at": opens,
                    "closes_at": closes,
                    "description": description,
                }
            )
    holidays = svc.get("holidays", [])
    names = list(STANDARD_HOLIDAYS) if holidays == "standard" else _as_list(holidays)
    closures = [HOLIDAYS[n] for n in names]
    closures += [(c["from"], c["to"], c["description"]) for c in svc.get("closures", [])]
    for valid_from, valid_to, description in closures:
        dt.date.fromisoformat(valid_from), dt.date.fromisoformat(valid_to)
        rows.append(
            {
                "id": _id("schedule", f"{key}/{len(rows)}"),
                "service_id": service_id,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "description": description,
            }
        )
    if not rows:
        raise SourceError(f"service {key}: no hours")
    return rows


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


def _phones(key: str, service_id: str, svc: dict[str, Any]) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    if "phone" in svc:
        specs.append({"number": svc["phone"], "description": svc.get("phone_note", "Main line")})
    if "text_phone" in svc:
        specs.append(
            {
                "number": svc["text_phone"],
                "type": "text",
                "description": svc.get("text_note", "Text line"),
            }
        )
    specs.extend(svc.get("phones", []))
    if "officer_phone" in svc:
        specs.append(
            {
                "number": svc["officer_phone"],
                "description": svc.get("officer_note", "Officer intake line"),
                "audience": "officer",
            }
        )
    phones = []
    for i, spec in enumerate(specs):
        phone_id = _id("phone", f"{key}/{i}")
        phone: dict[str, Any] = {
            "id": phone_id,
            "service_id": service_id,
            "number": spec["number"],
            "type": spec.get("type", "voice"),
            "description": spec.get("description"),
        }
        audience = spec.get("audience", "public")
        if audience not in ("public", "officer"):
            raise SourceError(f"service {key}: bad phone audience {audience!r}")
        if audience == "officer":
            phone["attributes"] = [ext.attribute_object(phone_id, "phone", ext.AUDIENCE, "officer")]
        phones.append(_prune(phone))
    if not phones:
        raise SourceError(f"service {key}: no phone")
    return phones


def _languages(key: str, service_id: str, svc: dict[str, Any]) -> list[dict[str, Any]]:
    notes = svc.get("language_notes", {})
    rows = []
    for code in svc.get("languages", ["en"]):
        if code not in LANGUAGE_NAMES:
            raise SourceError(f"service {key}: unknown language code {code!r}")
        rows.append(
            _prune(
                {
                    "id": _id("language", f"{key}/{code}"),
                    "service_id": service_id,
                    "name": LANGUAGE_NAMES[code],
                    "code": code,
                    "note": notes.get(code),
                }
            )
        )
    unknown = set(notes) - set(svc.get("languages", ["en"]))
    if unknown:
        raise SourceError(f"service {key}: language notes for unlisted languages {unknown}")
    return rows


def _cost_options(key: str, service_id: str, svc: dict[str, Any]) -> list[dict[str, Any]]:
    cost = svc["cost"]
    specs = [{"option": "Free", "amount": 0}] if cost == "free" else _as_list(cost)
    rows = []
    for i, spec in enumerate(specs):
        rows.append(
            _prune(
                {
                    "id": _id("cost_option", f"{key}/{i}"),
                    "service_id": service_id,
                    "option": spec["option"],
                    "amount": spec.get("amount"),
                    "currency": "USD" if spec.get("amount") is not None else None,
                    "amount_description": spec.get("amount_description"),
                }
            )
        )
    return rows


def _attributes(
    key: str,
    service_id: str,
    svc: dict[str, Any],
    categories: list[str],
    terms: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    attrs: list[dict[str, Any]] = []
    for code in svc.get("taxonomy", []):
        if code not in terms:
            raise SourceError(f"service {key}: unknown taxonomy code {code}")
        term = terms[code]
        attrs.append(
            {
                "id": _id("attribute", f"{key}/taxonomy/{code}"),
                "link_id": service_id,
                "link_type": "taxonomy",
                "link_entity": "service",
                "taxonomy_term_id": term["id"],
                "taxonomy_term": dict(term),
            }
        )
    for slug in categories:
        attrs.append(ext.attribute_object(service_id, "service", ext.CATEGORY, slug))
    for field, code in (("name_es", ext.NAME_ES), ("description_es", ext.DESCRIPTION_ES)):
        if svc.get(field):
            attrs.append(ext.attribute_object(service_id, "service", code, svc[field].strip()))
    if svc.get("officer_notes"):
        notes = svc["officer_notes"].strip()
        attrs.append(ext.attribute_object(service_id, "service", ext.OFFICER_NOTES, notes))
    if "walk_in" in svc:
        value = "true" if svc["walk_in"] else "false"
        attrs.append(ext.attribute_object(service_id, "service", ext.WALK_IN, value))
    return attrs


def _service(
    svc: dict[str, Any],
    defaults: dict[str, Any],
    orgs: dict[str, dict[str, Any]],
    locations: dict[str, dict[str, Any]],
    terms: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    key = svc["key"]
    unknown = set(svc) - _SERVICE_KEYS
    if unknown:
        raise SourceError(f"service {key}: unknown fields {sorted(unknown)}")
    if svc["org"] not in orgs:
        raise SourceError(f"service {key}: unknown organization {svc['org']}")
    org = {k: v for k, v in orgs[svc["org"]].items() if not k.startswith("_")}
    service_id = _id("service", key)
    categories = list(svc.get("categories", defaults.get("categories", [])))
    if not categories or any(c not in MISSION_SLUGS for c in categories):
        raise SourceError(f"service {key}: bad categories {categories}")
    status = svc.get("status", "active")
    if status not in ("active", "temporarily closed"):
        raise SourceError(f"service {key}: bad status {status!r}")
    assured = svc["assured"]
    dt.date.fromisoformat(assured)
    min_age, max_age = (list(svc["ages"]) + [None, None])[:2] if "ages" in svc else (None, None)
    fees = svc.get("fees")
    if fees is None and svc["cost"] == "free":
        fees = "Free of charge."

    sals = []
    for loc_key in _as_list(svc["at"]):
        if loc_key not in locations:
            raise SourceError(f"service {key}: unknown location {loc_key}")
        location = locations[loc_key]
        sals.append(
            {
                "id": _id("service_at_location", f"{key}@{loc_key}"),
                "service_id": service_id,
                "location_id": location["id"],
                "location": location,
            }
        )
    if not sals:
        raise SourceError(f"service {key}: no location")

    return _prune(
        {
            "id": service_id,
            "organization_id": org["id"],
            "name": svc["name"],
            "description": svc["description"].strip(),
            "url": svc.get("url", org.get("website")),
            "email": svc.get("email", org.get("email")),
            "status": status,
            "interpretation_services": svc.get("interpretation"),
            "application_process": svc.get("application"),
            "fees_description": fees,
            "wait_time": svc.get("wait_time"),
            "eligibility_description": svc.get("eligibility"),
            "minimum_age": min_age,
            "maximum_age": max_age,
            "assured_date": assured,
            "assurer_email": svc.get("assurer", defaults.get("assurer")),
            "alert": svc.get("alert"),
            "organization": org,
            "phones": _phones(key, service_id, svc),
            "schedules": _schedules(key, service_id, svc),
            "languages": _languages(key, service_id, svc),
            "cost_options": _cost_options(key, service_id, svc),
            "service_at_locations": sals,
            "attributes": _attributes(key, service_id, svc, categories, terms),
        }
    )


def _check(services: list[tuple[dict[str, Any], bool]]) -> None:
    """Local numbers are fictional 555-01xx numbers, each used once in the whole file."""
    seen_numbers: dict[str, str] = {}
    for s, national in services:
        for phone in s["phones"]:
            number = phone["number"]
            if national:
                continue
            if not LOCAL_PHONE.match(number):
                raise SourceError(f"{s['name']}: {number} is not a fictional 555-01xx number")
            if number in seen_numbers:
                raise SourceError(f"{number} is used by {seen_numbers[number]} and {s['name']}")
            seen_numbers[number] = s["name"]


def _page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(contents)
    return {
        "total_items": n,
        "total_pages": 1,
        "page_number": 1,
        "size": n,
        "first_page": True,
        "last_page": True,
        "empty": n == 0,
        "contents": contents,
    }


#: The parts of the curated directory: the real lines of ``national.toml``, and the sample.
PARTS = ("national", "sample")


def build(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """The HSDS 3.0 page of each part of the curated directory (``national`` and ``sample``),
    built from the TOML source in ``folder``."""
    folder = folder or source_dir()
    terms = _taxonomy_terms(folder)
    orgs, locations = _organizations(folder)
    services: list[tuple[dict[str, Any], bool]] = []
    parts: dict[str, list[dict[str, Any]]] = {part: [] for part in PARTS}
    keys: set[str] = set()
    for name in CATEGORY_FILES:
        data = _load(name, folder)
        defaults = data.get("defaults", {})
        for svc in data.get("service", []):
            if svc["key"] in keys:
                raise SourceError(f"duplicate service key {svc['key']}")
            keys.add(svc["key"])
            national = orgs.get(svc["org"], {}).get("_national", False)
            if national != (name == "national"):
                raise SourceError(f"service {svc['key']}: the services of national organizations, "
                                  f"and only they, belong in national.toml")
            service = _service(svc, defaults, orgs, locations, terms)
            services.append((service, national))
            parts["national" if national else "sample"].append(service)
    _check(services)
    return {part: _page(contents) for part, contents in parts.items()}


def output_paths() -> dict[str, Path]:
    """Where each part of the curated directory is committed."""
    return {"national": national_path(), "sample": sample_path()}


def render(folder: Path | None = None) -> dict[str, str]:
    """The JSON text of each part of :func:`build`, exactly as committed."""
    return {part: json.dumps(page, indent=1, ensure_ascii=False) + "\n"
            for part, page in build(folder).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the JSON files are up to date")
    args = parser.parse_args(argv)
    texts = render()
    status = 0
    for part, path in output_paths().items():
        text = texts[part]
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                print(f"{path} is out of date: run python -m directory_data.curated.build_curated",
                      file=sys.stderr)
                status = 1
            else:
                print(f"{path} is up to date")
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {json.loads(text)['total_items']} services to {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
