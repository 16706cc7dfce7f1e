"""A synthetic HSDS 3.0 tabular package of any size, the same for the same seed.

``write_synthetic_package(path, n_services, seed=...)`` writes ``datapackage.json`` and the CSV
files of a county-211-like directory: organizations (about one per four services), a location
with a physical address per service (some share their organization's), the service-at-location
links, one or two phones, weekly opening hours, languages (English, Spanish, Haitian Creole ...),
accessibility, cost options, AIRS taxonomy terms attached through ``attributes.csv``, and the
kiosk's Spanish names as ``kiosk:name-es`` extension attributes. Everything is drawn from one
``random.Random(seed)``, ids included, so two runs give byte-identical files.

Run as a script::

    python bench/synthetic.py OUT_DIR --services 100000 [--seed 2026]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from directory_data.hsds import extensions as ext  # noqa: E402

DEFAULT_SEED = 2026

#: (AIRS code, term name, service kinds, topic words, Spanish kind)
FIELDS: list[tuple[str, str, list[str], list[str], str]] = [
    ("BH-1800.8500", "Homeless Shelter", ["Emergency Shelter", "Family Shelter", "Night Shelter"],
     ["shelter", "beds", "homeless", "overnight", "families", "showers", "case management"],
     "Refugio"),
    ("BH-1800.1500-100", "Domestic Violence Shelters", ["Safe House", "Domestic Violence Shelter"],
     ["safety", "confidential", "survivors", "advocacy", "protective order", "children"],
     "Refugio para víctimas"),
    ("BH-3800.7000", "Rent Payment Assistance", ["Rental Assistance", "Eviction Prevention"],
     ["rent", "eviction", "landlord", "deposit", "arrears", "voucher"], "Ayuda con el alquiler"),
    ("BH-7000.4600", "Low Income/Subsidized Rental Housing", ["Affordable Housing",
                                                              "Senior Apartments"],
     ["apartments", "income-based", "waiting list", "HUD", "lease"], "Vivienda asequible"),
    ("BV-8900.9300", "Utility Service Payment Assistance", ["Utility Assistance",
                                                            "Energy Bill Help"],
     ["electric", "water", "shut-off", "bill", "LIHEAP"], "Ayuda con servicios públicos"),
    ("RM-6500.1500", "Community Mental Health Agencies", ["Counseling Center",
                                                          "Behavioral Health Clinic"],
     ["counseling", "therapy", "depression", "anxiety", "psychiatrist", "trauma"],
     "Salud mental"),
    ("RP-1500.1400-800", "Suicide Prevention Hotlines", ["Crisis Line", "Suicide Prevention"],
     ["crisis", "24 hours", "suicide", "hotline", "988", "text line"], "Línea de crisis"),
    ("RX-8450.8000", "Substance Use Disorder Counseling", ["Addiction Recovery",
                                                           "Detox Program"],
     ["addiction", "detox", "alcohol", "opioid", "recovery", "relapse"],
     "Tratamiento de adicciones"),
    ("PN-8100.5000", "Mental Health Related Support Groups", ["Peer Support Group",
                                                              "Family Support Group"],
     ["peer", "support group", "meetings", "families", "NAMI"], "Grupo de apoyo"),
    ("PH-1250.1400", "Child Care Centers", ["Child Care Center", "Early Learning Center"],
     ["daycare", "infants", "toddlers", "preschool", "VPK", "after school"], "Guardería"),
    ("NL-3000.1500", "Child Care Expense Assistance", ["Child Care Subsidy"],
     ["subsidy", "school readiness", "sliding fee", "working parents"],
     "Ayuda para el cuidado infantil"),
    ("HD-1800.3000", "Head Start", ["Head Start", "Early Head Start"],
     ["Head Start", "pre-kindergarten", "ages 3 to 5", "free"], "Head Start"),
    ("FN-1900.2500", "General Crime Victim Assistance", ["Victim Advocacy",
                                                         "Victim Services"],
     ["victims", "advocates", "court", "compensation", "restitution"], "Ayuda a víctimas"),
    ("RP-1400.8000-020", "Abuse Counseling", ["Abuse Counseling", "Trauma Therapy"],
     ["abuse", "counseling", "survivors", "children", "family violence"],
     "Consejería sobre abuso"),
    ("FT-3000.6900", "Protective/Restraining Orders", ["Injunction Assistance"],
     ["injunction", "protective order", "court", "stalking"], "Órdenes de protección"),
    ("BD-1800", "Emergency Food", ["Food Pantry", "Soup Kitchen", "Meal Program"],
     ["food", "groceries", "meals", "pantry", "SNAP", "hot lunch"], "Despensa de alimentos"),
    ("LH-5100.5000", "Medical Care Expense Assistance", ["Free Clinic", "Prescription Help"],
     ["clinic", "uninsured", "prescriptions", "doctor", "sliding fee"], "Clínica gratuita"),
    ("ND-6500", "Training and Employment Programs", ["Job Training", "Career Center"],
     ["jobs", "resume", "training", "interview", "GED"], "Empleo"),
    ("FT-3200", "General Legal Aid", ["Legal Aid", "Legal Clinic"],
     ["lawyer", "legal advice", "court", "benefits", "immigration"], "Ayuda legal"),
    ("BT-4500.6500-280", "General Paratransit/Community Ride Programs", ["Medical Rides", "Bus Passes"],
     ["transportation", "rides", "bus", "appointments"], "Transporte"),
]
WORDS = ("the program serves residents of the county who need help with daily needs and "
         "connects families to other community resources staff speak with each person about "
         "their situation and make referrals when another agency can help better").split()
NAMES = ["Harbor", "Lakeside", "Sunrise", "Cypress", "Heron", "Seminole", "Orange Blossom",
         "Palmetto", "Magnolia", "Riverbend", "Oakwood", "Bayview", "Sanford", "Altamonte",
         "Oviedo", "Winter Springs", "Longwood", "Lake Mary", "Casselberry", "Geneva"]
ORG_KINDS = ["Community Services", "Family Center", "Health Network", "Outreach Ministries",
             "Legal Aid Society", "Housing Partnership", "Coalition", "Foundation"]
CITIES = [("Sanford", "32771", 28.80, -81.27), ("Altamonte Springs", "32701", 28.66, -81.37),
          ("Oviedo", "32765", 28.67, -81.21), ("Longwood", "32750", 28.70, -81.34),
          ("Lake Mary", "32746", 28.76, -81.32), ("Orlando", "32801", 28.54, -81.38),
          ("Kissimmee", "34741", 28.30, -81.41), ("Daytona Beach", "32114", 29.21, -81.02)]
STREETS = ["Main St", "1st St", "French Ave", "Park Ave", "Lake Mary Blvd", "SR 434",
           "Orlando Dr", "Mellonville Ave", "Celery Ave", "Airport Blvd"]
AREA_CODES = ["407", "321", "689", "386", "352"]
LANGUAGES = [("English", "en", 1.0), ("Spanish", "es", 0.6), ("Haitian Creole", "ht", 0.2),
             ("Vietnamese", "vi", 0.05), ("Portuguese", "pt", 0.05),
             ("American Sign Language", "ase", 0.03)]
HOURS = [("09:00", "17:00"), ("08:00", "16:30"), ("08:30", "17:00"), ("10:00", "18:00"),
         ("07:00", "19:00"), ("13:00", "21:00")]
TABLES: dict[str, list[str]] = {
    "organizations.csv": ["id", "name", "alternate_name", "description", "email", "website",
                          "year_incorporated"],
    "services.csv": ["id", "organization_id", "name", "alternate_name", "description", "url",
                     "email", "status", "application_process", "fees_description",
                     "eligibility_description", "minimum_age", "maximum_age", "assured_date"],
    "locations.csv": ["id", "location_type", "organization_id", "name", "description",
                      "transportation", "latitude", "longitude"],
    "service_at_location.csv": ["id", "service_id", "location_id", "description"],
    "addresses.csv": ["id", "location_id", "address_1", "address_2", "city", "state_province",
                      "postal_code", "country", "address_type"],
    "phones.csv": ["id", "location_id", "service_id", "organization_id", "number", "extension",
                   "type", "description"],
    "schedules.csv": ["id", "service_id", "location_id", "freq", "byday", "opens_at",
                      "closes_at", "description"],
    "languages.csv": ["id", "service_id", "location_id", "phone_id", "name", "code", "note"],
    "accessibility.csv": ["id", "location_id", "description", "details", "url"],
    "cost_options.csv": ["id", "service_id", "option", "currency", "amount",
                         "amount_description"],
    "taxonomies.csv": ["id", "name", "description", "uri", "version"],
    "taxonomy_terms.csv": ["id", "code", "name", "description", "parent_id", "taxonomy",
                           "language", "taxonomy_id", "term_uri"],
    "attributes.csv": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity",
                       "value"],
}
TAXONOMY_ID = "0f5c9b0e-6a53-4d55-9d66-6e0d3f2b7a11"


class _Ids:
    """UUIDs drawn from the package's random generator (reproducible)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _sentence(rng: random.Random, topic: list[str], words: int) -> str:
    picked = [rng.choice(WORDS) if rng.random() < 0.7 else rng.choice(topic)
              for _ in range(words)]
    return " ".join(picked).capitalize() + "."


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(AREA_CODES)}-{rng.randint(200, 989)}-{rng.randint(1000, 9999):04d}"


def _organizations(rng: random.Random, ids: _Ids, count: int) -> list[dict[str, Any]]:
    orgs = []
    for n in range(count):
        name = f"{rng.choice(NAMES)} {rng.choice(ORG_KINDS)} {n + 1}"
        slug = name.lower().replace(" ", "")
        orgs.append({
            "id": ids(), "name": name, "alternate_name": "",
            "description": f"{name} is a nonprofit serving the community since "
                           f"{rng.randint(1950, 2020)}.",
            "email": f"info@{slug}.example.org", "website": f"https://{slug}.example.org",
            "year_incorporated": rng.randint(1950, 2020),
        })
    return orgs


def _service_rows(rng: random.Random, ids: _Ids, n: int, org: dict[str, Any],
                  org_location: dict[str, Any] | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """The rows of one service (table name, row) in the order the files are written."""
    code, term_name, kinds, topic, spanish = FIELDS[n % len(FIELDS)] if rng.random() < 0.5 \
        else rng.choice(FIELDS)
    kind = rng.choice(kinds)
    service_id = ids()
    name = f"{kind} - {org['name'].split(' ')[0]} {n + 1}"
    yield "services.csv", {
        "id": service_id, "organization_id": org["id"], "name": name,
        "alternate_name": "" if rng.random() < 0.8 else f"{kind} Program",
        "description": " ".join(_sentence(rng, topic, rng.randint(8, 18))
                                for _ in range(rng.randint(2, 5))),
        "url": f"{org['website']}/{kind.lower().replace(' ', '-')}",
        "email": org["email"], "status": "active" if rng.random() < 0.97 else "inactive",
        "application_process": rng.choice(["Call to make an appointment.", "Walk in.",
                                           "Apply online or by phone.", ""]),
        "fees_description": rng.choice(["Free.", "Sliding scale based on income.", "",
                                        "No cost to residents."]),
        "eligibility_description": rng.choice(["", "Residents of the county.",
                                               "Adults 18 and older.", "Families with children."]),
        "minimum_age": rng.choice(["", "", "18", "0"]), "maximum_age": "",
        "assured_date": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
    }
    if org_location is not None and rng.random() < 0.1:
        location_id = org_location["id"]
    else:
        city, postal, lat, lon = rng.choice(CITIES)
        location_id = ids()
        yield "locations.csv", {
            "id": location_id, "location_type": "physical", "organization_id": org["id"],
            "name": f"{org['name']} - {city}", "description": "",
            "transportation": "" if rng.random() < 0.7 else "On the LYNX bus line.",
            "latitude": f"{lat + rng.uniform(-0.08, 0.08):.5f}",
            "longitude": f"{lon + rng.uniform(-0.08, 0.08):.5f}",
        }
        yield "addresses.csv", {
            "id": ids(), "location_id": location_id,
            "address_1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
            "address_2": "" if rng.random() < 0.8 else f"Suite {rng.randint(100, 400)}",
            "city": city, "state_province": "FL", "postal_code": postal, "country": "US",
            "address_type": "physical",
        }
        if rng.random() < 0.5:
            yield "accessibility.csv", {
                "id": ids(), "location_id": location_id,
                "description": rng.choice(["Wheelchair accessible entrance.",
                                           "Elevator to all floors.", "Accessible restroom."]),
                "details": "", "url": "",
            }
    yield "service_at_location.csv", {"id": ids(), "service_id": service_id,
                                      "location_id": location_id, "description": ""}
    for p in range(1 if rng.random() < 0.6 else 2):
        phone_id = ids()
        yield "phones.csv", {
            "id": phone_id, "location_id": "", "service_id": service_id, "organization_id": "",
            "number": _phone(rng), "extension": "" if rng.random() < 0.9 else rng.randint(1, 999),
            "type": "voice" if p == 0 else rng.choice(["voice", "fax", "text"]),
            "description": "Main line" if p == 0 else "",
        }
    opens, closes = rng.choice(HOURS)
    days = ["MO", "TU", "WE", "TH", "FR"] + (["SA"] if rng.random() < 0.25 else [])
    if rng.random() < 0.05:
        yield "schedules.csv", {"id": ids(), "service_id": service_id, "location_id": "",
                                "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU",
                                "opens_at": "00:00", "closes_at": "23:59",
                                "description": "Open 24 hours"}
    else:
        for day in days:
            yield "schedules.csv", {"id": ids(), "service_id": service_id, "location_id": "",
                                    "freq": "WEEKLY", "byday": day, "opens_at": opens,
                                    "closes_at": closes, "description": ""}
    for language, iso, share in LANGUAGES:
        if rng.random() < share:
            yield "languages.csv", {"id": ids(), "service_id": service_id, "location_id": "",
                                    "phone_id": "", "name": language, "code": iso, "note": ""}
    if rng.random() < 0.3:
        yield "cost_options.csv", {"id": ids(), "service_id": service_id,
                                   "option": rng.choice(["Per visit", "Monthly", "Sliding scale"]),
                                   "currency": "USD", "amount": rng.choice([0, 5, 10, 25, 40]),
                                   "amount_description": ""}
    terms = {code}
    while rng.random() < 0.45:
        terms.add(rng.choice(FIELDS)[0])
    for term in sorted(terms):
        yield "attributes.csv", {"id": ids(), "link_id": service_id,
                                 "taxonomy_term_id": _term_id(term), "link_type": "taxonomy",
                                 "link_entity": "service", "value": ""}
    if rng.random() < 0.4:
        yield "attributes.csv", ext.attribute_object(service_id, "service", ext.NAME_ES,
                                                     f"{spanish} {n + 1}")


def _term_id(code: str) -> str:
    return str(uuid.uuid5(uuid.UUID(TAXONOMY_ID), code))


def _datapackage(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "name": "synthetic-directory",
        "title": "Synthetic county 211 directory (benchmark data)",
        "version": "3.0.0",
        "resources": [
            {"name": name.removesuffix(".csv"), "path": name, "format": "csv",
             "mediatype": "text/csv", "count": counts.get(name, 0),
             "schema": {"fields": [{"name": f, "type": "string"} for f in fields]}}
            for name, fields in TABLES.items()
        ],
    }


def write_synthetic_package(path: Path | str, n_services: int, seed: int = DEFAULT_SEED
                            ) -> dict[str, int]:
    """Write a synthetic HSDS 3.0 tabular package of ``n_services`` services into ``path``.

    Returns the number of rows written per file. The same ``seed`` gives the same files.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    ids = _Ids(rng)
    orgs = _organizations(rng, ids, max(1, n_services // 4))
    counts = dict.fromkeys(TABLES, 0)
    with ExitStack() as stack:
        writers = {}
        for name, fields in TABLES.items():
            handle = stack.enter_context((folder / name).open("w", encoding="utf-8", newline=""))
            writer = csv.DictWriter(handle, fields, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writers[name] = writer
        writers["taxonomies.csv"].writerow({
            "id": TAXONOMY_ID, "name": "AIRS/211 LA County",
            "description": "Synthetic selection of AIRS codes", "uri": "", "version": ""})
        counts["taxonomies.csv"] = 1
        for code, name, *_ in FIELDS:
            writers["taxonomy_terms.csv"].writerow({
                "id": _term_id(code), "code": code, "name": name, "description": "",
                "parent_id": "", "taxonomy": "AIRS/211 LA County", "language": "en",
                "taxonomy_id": TAXONOMY_ID, "term_uri": ""})
        counts["taxonomy_terms.csv"] = len(FIELDS)
        org_locations: dict[str, dict[str, Any]] = {}
        for org in orgs:
            writers["organizations.csv"].writerow(org)
        counts["organizations.csv"] = len(orgs)
        for n in range(n_services):
            org = orgs[rng.randrange(len(orgs))]
            for name, row in _service_rows(rng, ids, n, org, org_locations.get(org["id"])):
                writers[name].writerow(row)
                counts[name] += 1
                if name == "locations.csv":
                    org_locations.setdefault(org["id"], row)
    (folder / "datapackage.json").write_text(json.dumps(_datapackage(counts), indent=2) + "\n",
                                             encoding="utf-8")
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command line: write a package and print the row counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="folder to write the package into")
    parser.add_argument("--services", type=int, default=10_000, help="number of services")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    counts = write_synthetic_package(args.path, args.services, args.seed)
    for name, count in counts.items():
        print(f"{name:26} {count:>10,}")
    print(f"{'total':26} {sum(counts.values()):>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
