"""Upgrades: a database made by an earlier release is brought to this release by ``kiosk init``.

Each test gets a database of its own (an SQLite file, or a throwaway PostgreSQL database on the
server under test). A database is migrated to an earlier revision, given representative rows
with that revision's schema (reflected from the database itself, so the rows are what that
release wrote), and then ``kiosk init`` runs: the rows survive, and the app serves them. Also:
an empty database to head, and downgrade/upgrade round trips.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import Engine, MetaData, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from directory_data import migrate
from directory_data.accounts import hash_password
from directory_data.db import make_engine
from directory_data.locations import find_locations
from directory_data.models import AuditEntry, Base, Location
from kiosk.db import get_database
from staff import PASSWORD, sign_in
from table_rows import table_rows

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
ORG, SERVICE, LOCATION = "0a000000-0000-4000-8000-000000000001", "0a000000-0000-4000-8000-000000000002", \
    "0a000000-0000-4000-8000-000000000003"
ANNEX = "0a000000-0000-4000-8000-000000000004"  # a second place of SERVICE, retired in the audit trail
LEGACY = "legacy-release"


@functools.cache
def _password_hash() -> str:
    """The scrypt hash of the test password (computed once: scrypt is slow on purpose)."""
    return hash_password(PASSWORD)


def _sourced(n: int) -> dict[str, Any]:
    return {"id": f"0b000000-0000-4000-8000-{n:012d}", "source": LEGACY, "source_id": f"row-{n}"}


def rows_for(revision: str) -> dict[str, list[dict[str, Any]]]:
    """Representative rows, per table, of what the release at ``revision`` stored."""
    stamps = {"created_at": NOW, "updated_at": NOW, "version": 3}
    rows: dict[str, list[dict[str, Any]]] = {
        "organization": [{"id": ORG, "source": LEGACY, "source_id": "org-1", "name": "Heron Family Services",
                          "description": "A family services agency.", **stamps}],
        "service": [{"id": SERVICE, "source": LEGACY, "source_id": "svc-1", "organization_id": ORG,
                     "name": "Heron Legacy Counseling", "description": "Counseling for families, walk-in.",
                     "status": "active", "minimum_age": 12, "name_es": "Consejería Heron",
                     "officer_notes": "Ask for the duty counselor.", "walk_in": True,
                     "assured_date": dt.date(2026, 2, 1), **stamps}],
        "location": [{"id": LOCATION, "source": LEGACY, "source_id": "loc-1", "organization_id": ORG,
                      "location_type": "physical", "name": "Heron House", "latitude": 28.8, "longitude": -81.27,
                      "confidential": False, **stamps}],
        "address": [{**_sourced(1), "location_id": LOCATION, "address_1": "100 Heron Way", "city": "Sanford",
                     "state_province": "FL", "postal_code": "32771", "country": "US", "address_type": "physical"}],
        "service_at_location": [{**_sourced(2), "service_id": SERVICE, "location_id": LOCATION}],
        "phone": [{**_sourced(3), "service_id": SERVICE, "number": "4075550100", "type": "voice",
                   "audience": "public"}],
        "schedule": [{**_sourced(4), "service_id": SERVICE, "freq": "WEEKLY", "byday": "MO,TU",
                      "opens_at": dt.time(9, 0), "closes_at": dt.time(17, 0)}],
        "language": [{**_sourced(5), "service_id": SERVICE, "code": "es", "name": "Spanish"}],
        "cost_option": [{**_sourced(6), "service_id": SERVICE, "amount": 0, "currency": "USD"}],
        "taxonomy_term": [{**_sourced(7), "code": "RM-6500", "name": "Outpatient Mental Health Facilities",
                           "description": ""}],
        "service_taxonomy": [{"service_id": SERVICE, "taxonomy_term_id": "0b000000-0000-4000-8000-000000000007"}],
        "service_category": [{"service_id": SERVICE, "category_slug": "mental-health", "assigned_by": "listing"}],
    }
    if revision >= "0002":
        rows["change_journal"] = [{"seq": 1, "service_id": SERVICE, "changed_at": NOW}]
    if revision >= "0003":
        rows["user_account"] = [{"id": "0c000000-0000-4000-8000-000000000001", "name": "legacy.caseworker",
                                 "role": "caseworker", "password_hash": _password_hash(),
                                 "active": True, "created_at": NOW}]
        rows["search_count"] = [{"day": NOW.date(), "category": "mental-health", "searches": 7}]
        rows["zero_result_term"] = [{"day": NOW.date(), "term": "dental care", "searches": 5}]
    if revision >= "0004":
        rows["service"][0]["assured_by"] = "legacy.caseworker"
        rows["search_count"][0]["station"] = "Sanford Police Department"
        rows["audit_entry"] = [{"seq": 1, "id": "0d000000-0000-4000-8000-000000000001", "listing_id": SERVICE,
                                "resource_type": "service", "resource_id": SERVICE, "last_action_date": NOW,
                                "last_action_type": "update", "field_name": "name",
                                "previous_value": "Heron Counseling", "replacement_value": "Heron Legacy Counseling",
                                "updated_by": "legacy.caseworker"}]
        rows["problem_report"] = [{"id": "0e000000-0000-4000-8000-000000000001", "listing_id": SERVICE,
                                   "kind": "hours-wrong", "details": "Closed on Tuesdays now.",
                                   "surface": "kiosk", "reported_on": NOW.date()}]
    if revision >= "0005":
        rows["referral"] = [{"id": "0f000000-0000-4000-8000-000000000001", "token": "legacytoken0001",
                             "service_ids": [SERVICE], "note": "", "lang": "en", "mode": "link",
                             "qr_mode": "link", "discreet": False, "surface": "kiosk",
                             "station": "Sanford Police Department", "district": "", "qr_payload": "",
                             "qr_svg": "", "qr_png": b"", "created_at": NOW,
                             "expires_at": dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc)}]
        rows["referral_count"] = [{"week": NOW.date(), "category": "mental-health", "station": "",
                                   "district": "", "surface": "kiosk", "referrals": 2}]
        # Retiring a place (before 0006, retired while its newest retire/restore entry is a retire).
        rows["location"].append({**rows["location"][0], "id": ANNEX, "source_id": "loc-2",
                                 "name": "Heron Annex"})
        rows["service_at_location"].append({**_sourced(8), "service_id": SERVICE, "location_id": ANNEX})
        rows["audit_entry"].append({"seq": 2, "id": "0d000000-0000-4000-8000-000000000002",
                                    "listing_id": SERVICE, "resource_type": "location",
                                    "resource_id": ANNEX, "last_action_date": NOW,
                                    "last_action_type": "retire", "field_name": "status",
                                    "previous_value": "active", "replacement_value": "retired",
                                    "updated_by": "legacy.caseworker"})
    if revision >= "0006":  # the release that stores when a place was retired
        rows["location"][0]["retired_at"] = None  # (every row names the column: one executemany)
        rows["location"][1]["retired_at"] = NOW
    if revision >= "0008":
        rows["unmet_need_count"] = [{"day": NOW.date(), "need_category": "food", "station": "", "searches": 3}]
    return rows


def insert_rows(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert ``rows`` into the tables as the database has them now (reflected)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name in rows:
                connection.execute(table.insert(), rows[table.name])
        if connection.dialect.name == "postgresql":
            for name in ("change_journal", "audit_entry"):
                if name in rows:  # explicit seqs were given: move the sequences past them
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'seq'), 1)"))


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Any) -> Iterator[str]:
    """The URL of a new, empty database of the kind under test (dropped afterwards)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    name = f"kiosk_upgrade_{secrets.token_hex(4)}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_engine(fresh_url: str) -> Iterator[Engine]:
    """An engine on :func:`fresh_url`."""
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def _schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def _revisions() -> list[str]:
    """Every revision before head, oldest first."""
    from alembic.script import ScriptDirectory

    config = migrate.alembic_config(make_engine("sqlite://"))
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions())) if r.revision != script.get_current_head()]


def test_empty_database_to_head(fresh_engine: Engine) -> None:
    assert migrate.current_revision(fresh_engine) is None
    migrate.upgrade(fresh_engine)
    assert migrate.current_revision(fresh_engine) == migrate.head_revision()
    _schema_matches_models(fresh_engine)


@pytest.mark.parametrize("revision", _revisions())
def test_kiosk_init_upgrades_a_populated_database(
    fresh_engine: Engine, fresh_url: str, app_factory: Callable[..., Flask], revision: str
) -> None:
    migrate.upgrade(fresh_engine, revision)
    rows = rows_for(revision)
    insert_rows(fresh_engine, rows)
    before = {name: _select(fresh_engine, name, list(expected[0])) for name, expected in rows.items()}

    app = app_factory(DATABASE_URL=fresh_url)
    by_init = revision == _revisions()[0]
    if by_init:  # the oldest release goes through the whole command (every migration runs)
        result = app.test_cli_runner().invoke(args=["init"])
        assert result.exit_code == 0, result.output
    else:  # the others through the function it migrates with (the curated import takes seconds)
        migrate.upgrade(get_database(app).engine)
    engine = get_database(app).engine
    assert migrate.current_revision(engine) == migrate.head_revision()
    _schema_matches_models(engine)

    for name, expected in rows.items():  # every row survives with the values it had
        assert len(before[name]) == len(expected), name
        after = _select(engine, name, list(expected[0]))
        assert all(row in after for row in before[name]), name
    if by_init:
        assert len(_select(engine, "service", ["id"])) > 1  # the curated directory came in beside them

    client = app.test_client()
    listing = client.get(f"/api/v1/services/{SERVICE}")
    assert listing.status_code == 200 and listing.get_json()["name"] == "Heron Legacy Counseling"
    places = [link["location"]["name"] for link in listing.get_json()["service_at_locations"]]
    assert places == ["Heron House"]  # the annex, retired before the upgrade, is still retired
    with Session(engine) as session:
        assert session.get_one(Location, LOCATION).retired_at is None
        if revision >= "0005":
            assert session.get_one(Location, ANNEX).retired_at == NOW
    found = client.get("/api/v1/search", query_string={"q": "heron"}).get_json()
    assert SERVICE in [hit["id"] for hit in found["results"]]
    if revision >= "0003":
        assert sign_in(client, "legacy.caseworker").status_code == 303


def _select(engine: Engine, name: str, columns: list[str]) -> list[Any]:
    """The ``columns`` of every row of table ``name``, sorted."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    with engine.connect() as connection:
        rows = connection.execute(text(f'SELECT {quoted} FROM "{name}"')).all()
    return sorted(rows, key=repr)


def test_0006_backfills_retired_at_from_the_audit_trail(fresh_engine: Engine) -> None:
    """A place gets the time of its newest (highest ``seq``) retire/restore entry when that entry
    is a retire; other places, and other entries, leave ``retired_at`` empty. The downgrade
    keeps the trail, so upgrading again gives the same values."""
    migrate.upgrade(fresh_engine, "0005")
    rows = rows_for("0005")  # ANNEX: one retire entry, at NOW
    at = [NOW + dt.timedelta(hours=h) for h in range(6)]
    places = {name: f"0a000000-0000-4000-8000-0000000001{n:02d}" for n, name in enumerate(
        ("restored", "retired_again", "other_entries", "by_seq_not_date", "never"))}
    for name, place_id in places.items():
        rows["location"].append({**rows["location"][0], "id": place_id, "source_id": name, "name": name})
    entries = [  # (place, resource type, action, time, listing)
        (places["restored"], "location", "retire", at[1], SERVICE),
        (places["restored"], "location", "restore", at[2], SERVICE),
        (places["retired_again"], "location", "retire", at[1], None),
        (places["retired_again"], "location", "restore", at[2], None),
        (places["retired_again"], "location", "retire", at[3], SERVICE),  # one entry per listing
        (places["retired_again"], "location", "retire", at[3], None),
        (places["other_entries"], "location", "update", at[4], None),
        (places["other_entries"], "service", "retire", at[4], None),  # not a location's entry
        (places["by_seq_not_date"], "location", "retire", at[5], None),
        (places["by_seq_not_date"], "location", "restore", at[0], None),  # newer, with an older clock
        ("0a000000-0000-4000-8000-000000000999", "location", "retire", at[1], None),  # deleted place
    ]
    for seq, (place, kind, action, when, listing) in enumerate(entries, start=10):
        rows["audit_entry"].append({
            "seq": seq, "id": f"0d000000-0000-4000-8000-{seq:012d}", "listing_id": listing,
            "resource_type": kind, "resource_id": place, "last_action_date": when,
            "last_action_type": action, "field_name": "status", "previous_value": "",
            "replacement_value": "", "updated_by": "legacy.caseworker"})
    insert_rows(fresh_engine, rows)
    expected = {LOCATION: None, ANNEX: NOW, **dict.fromkeys(places.values()), places["retired_again"]: at[3]}

    def retired_at() -> dict[str, dt.datetime | None]:
        with Session(fresh_engine) as session:
            return dict(session.execute(select(Location.id, Location.retired_at)).tuples().all())

    migrate.upgrade(fresh_engine, "0006")
    assert retired_at() == expected
    with Session(fresh_engine) as session:
        assert {row.location.id for row in find_locations(session, retired=True)} == {
            ANNEX, places["retired_again"]}
        entries_before = session.scalar(select(func.count()).select_from(AuditEntry))

    from alembic import command

    command.downgrade(migrate.alembic_config(fresh_engine), "0005")
    assert "retired_at" not in {c["name"] for c in inspect(fresh_engine).get_columns("location")}
    assert len(_select(fresh_engine, "location", ["id"])) == len(expected)
    assert len(_select(fresh_engine, "audit_entry", ["seq"])) == entries_before
    migrate.upgrade(fresh_engine)
    assert retired_at() == expected
    _schema_matches_models(fresh_engine)


def test_0007_cuts_referral_times_to_the_hour_and_withholds_personal_terms(fresh_engine: Engine) -> None:
    """Referral times stored to the microsecond are cut to the hour (expiry rounded up); zero-result
    terms that are not need words join the day's ``(withheld)`` count; the rest stay as they were."""
    migrate.upgrade(fresh_engine, "0006")
    rows = rows_for("0006")
    odd = dt.datetime(2026, 3, 1, 14, 37, 12, 345678, tzinfo=dt.timezone.utc)
    rows["referral"].append({**rows["referral"][0], "id": "0f000000-0000-4000-8000-000000000002",
                             "token": "legacytoken0002", "created_at": odd,
                             "expires_at": odd + dt.timedelta(days=30)})
    day, other = NOW.date(), NOW.date() - dt.timedelta(days=1)
    rows["zero_result_term"] = [
        {"day": day, "term": "dental care", "searches": 5}, {"day": day, "term": "john smith", "searches": 2},
        {"day": day, "term": "123 main st", "searches": 1}, {"day": day, "term": "(withheld)", "searches": 4},
        {"day": other, "term": "maria@example.org", "searches": 3}]
    insert_rows(fresh_engine, rows)
    migrate.upgrade(fresh_engine, "0007")
    with fresh_engine.connect() as connection:
        times = dict(connection.execute(text("SELECT token, created_at FROM referral")).all())
        expiries = dict(connection.execute(text("SELECT token, expires_at FROM referral")).all())
        terms = {(d if isinstance(d, dt.date) else dt.date.fromisoformat(d), t): n for d, t, n in
                 connection.execute(text("SELECT day, term, searches FROM zero_result_term")).all()}

    def moment(value: Any) -> dt.datetime:
        value = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)

    assert moment(times["legacytoken0002"]) == odd.replace(minute=0, second=0, microsecond=0)
    assert moment(expiries["legacytoken0002"]) == (odd + dt.timedelta(days=30, hours=1)).replace(
        minute=0, second=0, microsecond=0)
    assert moment(times["legacytoken0001"]) == NOW  # already on the hour
    assert terms == {(day, "dental care"): 5, (day, "(withheld)"): 7, (other, "(withheld)"): 3}
    migrate.upgrade(fresh_engine)
    _schema_matches_models(fresh_engine)


def _curated_rows() -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Rows of the curated directory as releases before 0009 stored them (every record under
    ``seminole-sample``): the 988 line and one fictional listing, from the committed files; and
    the ids of what they hold."""
    import json

    from directory_data.curated import national_path, sample_path

    stamps = {"created_at": NOW, "updated_at": NOW, "version": 1}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "organization", "service", "location", "service_at_location", "phone", "address", "taxonomy_term")}
    ids: dict[str, str] = {}

    def sourced(obj: dict[str, Any]) -> dict[str, Any]:
        return {"id": obj["id"], "source": "seminole-sample", "source_id": obj["id"]}

    for part, path in (("national", national_path()), ("sample", sample_path())):
        service = json.loads(path.read_text(encoding="utf-8"))["contents"][0]
        org, link = service["organization"], service["service_at_locations"][0]
        location = link["location"]
        ids[f"{part}-service"], ids[f"{part}-organization"] = service["id"], org["id"]
        rows["organization"].append({**sourced(org), "name": org["name"], "description": org["description"],
                                     **stamps})
        rows["service"].append({**sourced(service), "organization_id": org["id"], "name": service["name"],
                                "description": service["description"], "status": "active", **stamps})
        rows["location"].append({**sourced(location), "organization_id": org["id"], "name": location["name"],
                                 "location_type": location["location_type"], "confidential": False,
                                 "retired_at": None, **stamps})
        rows["service_at_location"].append({**sourced(link), "service_id": service["id"],
                                            "location_id": location["id"]})
        phone = service["phones"][0]
        ids[f"{part}-phone"] = phone["id"]
        rows["phone"].append({**sourced(phone), "service_id": service["id"], "number": phone["number"],
                              "type": "voice", "audience": "public"})
        for address in location.get("addresses", []):
            rows["address"].append({**sourced(address), "location_id": location["id"],
                                    "address_1": address["address_1"], "city": address["city"],
                                    "state_province": "FL", "postal_code": address["postal_code"],
                                    "country": "US", "address_type": "physical"})
    term = next(a["taxonomy_term"] for a in json.loads(national_path().read_text(encoding="utf-8"))
                ["contents"][0]["attributes"] if a["link_type"] == "taxonomy")
    ids["term"], ids["term-code"] = term["id"], term["code"]
    rows["taxonomy_term"].append({**sourced(term), "code": term["code"], "name": term["name"],
                                  "description": term["description"]})
    return rows, ids


def _sources(engine: Engine) -> dict[str, tuple[str, str]]:
    """``(source, source_id)`` of every row of the curated tables, by id."""
    found: dict[str, tuple[str, str]] = {}
    with engine.connect() as connection:
        for name in ("organization", "service", "location", "service_at_location", "phone", "address",
                     "taxonomy_term"):
            found.update({i: (src, sid) for i, src, sid in connection.execute(
                text(f'SELECT id, source, source_id FROM "{name}"')).all()})
    return found


def test_0009_puts_the_sample_and_the_real_lines_apart(
    fresh_engine: Engine, fresh_url: str, app_factory: Callable[..., Flask]
) -> None:
    """The curated records of an earlier release get their part's source (``national`` or
    ``sample``; terms ``airs-211`` by code), ids unchanged; the downgrade puts them back; and
    ``kiosk init`` then finds its records (no second copy of a line) and, the sample being there,
    loads no other."""
    migrate.upgrade(fresh_engine, "0008")
    rows, ids = _curated_rows()
    insert_rows(fresh_engine, rows)
    before = _sources(fresh_engine)
    migrate.upgrade(fresh_engine, "0009")
    after = _sources(fresh_engine)
    assert set(after) == set(before)
    for part in ("national", "sample"):
        for kind in ("service", "organization", "phone"):
            assert after[ids[f"{part}-{kind}"]] == (part, ids[f"{part}-{kind}"])
    assert {src for i, (src, _) in after.items() if i != ids["term"]} == {"national", "sample"}
    assert after[ids["term"]] == ("airs-211", ids["term-code"])

    from alembic import command

    command.downgrade(migrate.alembic_config(fresh_engine), "0008")
    assert _sources(fresh_engine) == before
    assert "review_reasons" not in {c["name"] for c in inspect(fresh_engine).get_columns("service")}

    app = app_factory(DATABASE_URL=fresh_url)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "sample directory: 1 sample listings shown" in result.output
    with Session(get_database(app).engine) as session:
        from directory_data.models import Service

        services = session.execute(select(Service.id, Service.source, Service.review_reasons)).all()
    assert sum(1 for i, _, _ in services if i == ids["national-service"]) == 1
    assert sorted(src for _, src, _ in services) == ["national"] * 8 + ["sample"]
    assert all(reasons is None for _, _, reasons in services)


def test_downgrade_and_upgrade_again(fresh_engine: Engine) -> None:
    migrate.upgrade(fresh_engine)
    base_rows = rows_for("0001")
    insert_rows(fresh_engine, base_rows)
    first = _revisions()[0]
    before = table_rows(fresh_engine, skip=frozenset({"alembic_version"}))
    from alembic import command

    config = migrate.alembic_config(fresh_engine)
    command.downgrade(config, first)  # every later migration is undone, the first one's rows stay
    assert migrate.current_revision(fresh_engine) == first
    kept = table_rows(fresh_engine, skip=frozenset({"alembic_version"}))
    for name in base_rows:
        assert len(kept[name]) == len(base_rows[name]), name
    migrate.upgrade(fresh_engine)
    _schema_matches_models(fresh_engine)
    again = table_rows(fresh_engine, skip=frozenset({"alembic_version"}))
    assert {n: len(r) for n, r in again.items()} == {n: len(r) for n, r in before.items()}
    for name in base_rows:
        assert again[name] == before[name], name

    command.downgrade(config, "base")  # and all the way down: nothing of ours is left
    assert set(inspect(fresh_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(fresh_engine)
    assert migrate.current_revision(fresh_engine) == migrate.head_revision()
    _schema_matches_models(fresh_engine)
