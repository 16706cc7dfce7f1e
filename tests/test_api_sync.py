"""A copy of the directory kept in sync by ``modified_after`` equals a full export (issue 17).

A client pages ``GET /api/v1/services?full=true&modified_after=T`` (T: the start of its previous
sync, to the second, as an HTTP ``Date`` header gives it) and upserts what it gets. Between syncs,
and in some rounds while it pages, caseworkers make random changes: listings edited, created,
retired and restored (sample listings among them), held for review and published again, phones
added, removed and made officer-only, places moved, made confidential, retired and restored,
organizations renamed and retired, terms renamed. After every round the copy must equal the
export: every service of the directory as the API shows it now (a retired listing ``inactive``;
one held for review, or a retired sample listing, as its withdrawn stub).

Then the boundaries: a change committed late, after a sync that could not see it, with a journal
time before that sync started, is caught by the overlap (and missed without it); an offset change
of a schedule's time zone (daylight saving time) counts as a change of the services it shows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from directory_data.curated import SAMPLE_SOURCE
from directory_data.hsds.api_objects import ApiObjects
from directory_data.hsds.schedule_times import ScheduleClock
from directory_data.listings import restore_listing, retire_listing
from directory_data.locations import restore_location, retire_location
from directory_data.models import (
    Address,
    ChangeJournalEntry,
    Location,
    Organization,
    Phone,
    PhoneAudience,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTaxonomy,
    TaxonomyTerm,
    utcnow,
)
from directory_data.organizations import restore_organization, retire_organization
from directory_data.publication import NO_CONTACT
from kiosk.api import directory as api_directory
from kiosk.db import get_database
from kiosk_directory import make_directory, src

Obj = dict[str, Any]
ACTOR = "sync.test"
ROUNDS = 20
PER_PAGE = 4


def export(app: Flask) -> dict[str, Obj]:
    """Every service of the directory, as the API shows anonymous callers now."""
    with get_database(app).session_factory() as session:
        ids = sorted(session.scalars(select(Service.id)))
        clock = ScheduleClock(utcnow(), str(app.config["TIMEZONE"]))
        return {s["id"]: s for s in ApiObjects(session, public=True, clock=clock).services(ids, full=True)}


class Mirror:
    """A client's copy: services by id, and when its last sync started (to the second)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.services: dict[str, Obj] = {}
        self.since: dt.datetime | None = None
        self.requests = 0

    def sync(self, during: Callable[[], None] | None = None) -> int:
        """Page every service changed since the last sync (all, the first time); ``during`` runs
        after the first page. How many services came."""
        started = utcnow().replace(microsecond=0)  # what the first answer's Date header says
        query = {"full": "true", "per_page": PER_PAGE}
        if self.since is not None:
            query["modified_after"] = self.since.isoformat().replace("+00:00", "Z")
        came, page = 0, 1
        while True:
            response = self.client.get("/api/v1/services", query_string={**query, "page": page})
            self.requests += 1
            assert response.status_code == 200, response.get_data(as_text=True)
            body = response.get_json()
            for service in body["contents"]:
                self.services[service["id"]] = service
            came += body["size"]
            if page == 1 and during is not None:
                during()
            if body["last_page"]:
                break
            page += 1
        self.since = started
        return came


class Caseworker:
    """Random changes through the directory's use-cases and models, one transaction each."""

    def __init__(self, factory: sessionmaker[Session], rng: random.Random) -> None:
        self.factory = factory
        self.rng = rng
        self.made = 0

    def change(self) -> str:
        kind = self.rng.choice(list(self.KINDS))
        with self.factory.begin() as session:
            self.KINDS[kind](self, session)
        return kind

    def _service(self, session: Session) -> Service:
        return self.rng.choice(session.scalars(select(Service).order_by(Service.id)).all())

    def _location(self, session: Session) -> Location:
        return self.rng.choice(session.scalars(select(Location).order_by(Location.id)).all())

    def edit(self, session: Session) -> None:
        service = self._service(session)
        service.description = f"{service.description.split(' [')[0]} [edit {self.rng.random():.6f}]"

    def create(self, session: Session) -> None:
        self.made += 1
        org = self.rng.choice(session.scalars(select(Organization).order_by(Organization.id)).all())
        service = Service(**src(), name=f"New service {self.made}", description="Made during the sync test.",
                          organization=org, status=ServiceStatus.active)
        session.add(service)
        session.flush()
        session.add(ServiceAtLocation(**src(), service_id=service.id, location_id=self._location(session).id))
        session.add(Schedule(**src(), service_id=service.id, freq="WEEKLY", byday="MO,WE",
                             opens_at=dt.time(8, 30), closes_at=dt.time(12, 0), timezone="America/Chicago"))

    def retire(self, session: Session) -> None:
        samples = session.scalars(select(Service).where(Service.source == SAMPLE_SOURCE).order_by(Service.id)).all()
        service = self.rng.choice(samples) if self.rng.random() < 0.4 else self._service(session)
        if service.retired_at is None:
            retire_listing(session, service, actor=ACTOR)
        else:
            restore_listing(session, service, actor=ACTOR)

    def hold(self, session: Session) -> None:
        """Hold a listing for review (what the publication rules write when it loses every
        contact), or publish a held one again (a caseworker fixed it)."""
        held = session.scalars(select(Service).where(Service.review_reasons.is_not(None)).order_by(Service.id)).all()
        if held and self.rng.random() < 0.5:
            self.rng.choice(held).review_reasons = None
        else:
            self._service(session).review_reasons = NO_CONTACT

    def retire_a_sample_listing(self, session: Session) -> None:
        """Retire a live listing of the fictional sample (as a department's first import does)."""
        live = session.scalars(select(Service).where(Service.source == SAMPLE_SOURCE, Service.retired_at.is_(None))
                               .order_by(Service.id)).all()
        if live:
            retire_listing(session, self.rng.choice(live), actor=ACTOR)

    def phone(self, session: Session) -> None:
        service = self._service(session)
        phones = session.scalars(select(Phone).where(Phone.service_id == service.id).order_by(Phone.id)).all()
        choice = self.rng.random()
        if phones and choice < 0.3:
            session.delete(phones[0])
        elif phones and choice < 0.6:
            phone = self.rng.choice(phones)
            phone.audience = PhoneAudience.public if phone.audience == PhoneAudience.officer else PhoneAudience.officer
        else:
            session.add(Phone(**src(), service_id=service.id, number=f"(407) 555-{self.rng.randrange(10000):04d}"))

    def move(self, session: Session) -> None:
        location = self._location(session)
        location.latitude = 28.5 + self.rng.random() * 0.5
        for address in session.scalars(select(Address).where(Address.location_id == location.id)):
            address.address_1 = f"{self.rng.randrange(1, 999)} Moved Rd"

    def confidential(self, session: Session) -> None:
        location = self._location(session)
        location.confidential = not location.confidential

    def retire_place(self, session: Session) -> None:
        location = self._location(session)
        action = retire_location if location.retired_at is None else restore_location
        action(session, location, expected_version=location.version, actor=ACTOR)

    def organization(self, session: Session) -> None:
        org = self.rng.choice(session.scalars(select(Organization).order_by(Organization.id)).all())
        if self.rng.random() < 0.5:
            org.name = f"{org.name.split(' (')[0]} ({self.rng.randrange(1000)})"
        elif org.retired_at is None:
            retire_organization(session, org, actor=ACTOR)
        else:
            restore_organization(session, org, actor=ACTOR)

    def term(self, session: Session) -> None:
        term = session.scalars(select(TaxonomyTerm)).first()
        if term is None:
            term = TaxonomyTerm(**src(), code="BH-1800", name="Shelter", description="")
            session.add(term)
            session.flush()
            service = self._service(session)
            session.add(ServiceTaxonomy(service_id=service.id, taxonomy_term_id=term.id))
        else:
            term.name = f"Shelter {self.rng.randrange(1000)}"

    KINDS: dict[str, Callable[[Caseworker, Session], None]] = {
        "edit": edit, "create": create, "retire": retire, "hold": hold, "phone": phone, "move": move,
        "confidential": confidential, "retire_place": retire_place, "organization": organization,
        "term": term,
    }


@pytest.fixture
def sync_app(app_factory: Callable[..., Flask]) -> Flask:
    """The test directory and eight more listings (three of them sample listings), with an
    overlap of 0.2 s: this test's transactions commit at once, and a smaller overlap makes each
    sync fetch only what changed."""
    app = app_factory(API_SYNC_OVERLAP_SECONDS=0.2)
    with get_database(app).session_factory() as session:
        make_directory(session)
        for n in range(8):
            org = Organization(**src(), name=f"Extra org {n}", description="")
            origin = {"source": SAMPLE_SOURCE, "source_id": f"sample-{n}"} if n < 3 else src()
            service = Service(**origin, name=f"Extra service {n}", description="An extra listing.",
                              organization=org, status=ServiceStatus.active)
            location = Location(**src(), name=f"Extra place {n}", latitude=28.7, longitude=-81.3, organization=org)
            location.addresses.append(Address(**src(), address_1=f"{n} Extra St", city="Sanford",
                                              state_province="FL", postal_code="32771"))
            session.add_all([org, service, location])
            session.flush()
            session.add(ServiceAtLocation(**src(), service_id=service.id, location_id=location.id))
        session.commit()
        # A directory made an hour ago: its first changes are the test's.
        an_hour_ago = utcnow() - dt.timedelta(hours=1)
        session.execute(update(Service).values(created_at=an_hour_ago))
        session.execute(update(ChangeJournalEntry).values(changed_at=an_hour_ago))
        session.commit()
    return app


def test_a_mirror_kept_by_modified_after_equals_the_export_every_round(sync_app: Flask) -> None:
    rng = random.Random(17)
    caseworker = Caseworker(get_database(sync_app).session_factory, rng)
    mirror = Mirror(sync_app.test_client())
    first = mirror.sync()
    assert first == len(export(sync_app)) == 14
    assert mirror.services == export(sync_app)
    kinds: set[str] = set()
    incremental: list[int] = []
    states = {"held": 0, "sample_retired": 0, "published_again": 0}
    for round_number in range(ROUNDS):
        for _ in range(rng.randint(1, 5)):
            kinds.add(caseworker.change())
        if round_number == ROUNDS // 2:
            # The random changes may leave the sample alone (ids are random, so which listing a
            # change picks differs from run to run): one sample listing is retired for certain.
            with caseworker.factory.begin() as session:
                caseworker.retire_a_sample_listing(session)
        if round_number in (ROUNDS // 2 + 1, ROUNDS // 2 + 3):
            # ... and a listing is held, then every held one published again, for certain.
            with caseworker.factory.begin() as session:
                held = session.scalars(select(Service).where(Service.review_reasons.is_not(None))).all()
                if round_number == ROUNDS // 2 + 1:
                    caseworker._service(session).review_reasons = NO_CONTACT
                else:
                    for service in held:
                        service.review_reasons = None
        if round_number % 4 == 3:
            # Changes while the client pages: the copy is right after its next sync.
            mirror.sync(during=lambda: [kinds.add(caseworker.change()) for _ in range(3)])
        incremental.append(mirror.sync())
        expected = export(sync_app)
        assert mirror.services.keys() == expected.keys(), f"round {round_number}"
        for sid, service in expected.items():
            assert mirror.services[sid] == service, f"round {round_number}: {service['name']}"
        states = _count_states(sync_app, states)
    assert kinds == set(Caseworker.KINDS), "every kind of change was made"
    stubs = [s for s in mirror.services.values() if s.keys() == {"id", "name", "status", "last_modified"}]
    retired = [s for s in mirror.services.values() if s["status"] == "inactive" and s not in stubs]
    assert retired, "retired listings came, inactive, in full"
    assert stubs and all(s["status"] == "inactive" for s in stubs), "held and retired sample ones came as stubs"
    assert states["held"] and states["sample_retired"] and states["published_again"], states
    assert incremental[0] < 14, ("a sync fetches what changed, not everything", incremental)
    # The next sync starts in a later second than the last change and more than the overlap
    # (0.2 s) after it: a change in the last 0.2 s of a second is (rightly) fetched once more.
    time.sleep(0.25)
    _wait_for_next_second()
    mirror.sync()
    assert mirror.sync() == 0, "nothing changed since the last sync"


def _count_states(app: Flask, seen: dict[str, int]) -> dict[str, int]:
    """``seen`` plus how many listings are held for review, retired sample listings, and
    published after a hold, now."""
    with get_database(app).session_factory() as session:
        services = session.scalars(select(Service)).all()
        held = {s.id for s in services if s.review_reasons is not None}
        seen["published_again"] += len(seen.setdefault("_held", set()) - held)  # type: ignore[operator,arg-type]
        seen["_held"] = held  # type: ignore[assignment]
        seen["held"] += len(held)
        seen["sample_retired"] += sum(s.source == SAMPLE_SOURCE and s.retired_at is not None for s in services)
    return seen


@pytest.mark.parametrize("overlap, caught", [(120, True), (0, False)])
def test_a_late_commit_is_caught_by_the_overlap_and_missed_without_it(
    app_factory: Callable[..., Flask], overlap: int, caught: bool
) -> None:
    app = app_factory(API_SYNC_OVERLAP_SECONDS=overlap)
    factory = get_database(app).session_factory
    with factory() as session:
        made = make_directory(session)
    mirror = Mirror(app.test_client())
    mirror.sync()
    with factory() as late:
        late.get(Service, made.counseling).description = "Changed in a transaction that commits late."
        late.flush()  # journaled now, with this instant
        _wait_for_next_second()
        mirror.sync()  # cannot see it: not committed yet
        late.commit()
    mirror.sync()
    got = mirror.services[made.counseling]["description"]
    assert (got == "Changed in a transaction that commits late.") is caught
    assert (mirror.services == export(app)) is caught


def _wait_for_next_second() -> None:
    """So that the next sync starts in a later second than the flush (the boundary under test)."""
    time.sleep(1.05 - utcnow().microsecond / 1e6)


def test_a_change_in_the_same_second_as_the_previous_sync_is_caught(app: Flask) -> None:
    factory = get_database(app).session_factory
    with factory() as session:
        made = make_directory(session)
    mirror = Mirror(app.test_client())
    for n in range(5):
        mirror.sync()
        with factory.begin() as session:  # within the same second, as often as not
            session.get(Service, made.housing_near).description = f"Same-second change {n}"
        mirror.sync()
        assert mirror.services[made.housing_near]["description"] == f"Same-second change {n}"


def test_a_time_zones_offset_change_counts_as_a_change(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Schedule times carry their zone's offset at the time of the answer, so when daylight
    saving time starts, every service with hours in that zone is modified, and a copy kept in
    sync gets the new offsets."""
    factory = get_database(app).session_factory
    with factory() as session:
        made = make_directory(session)
    before = dt.datetime(2030, 3, 9, 12, 0, tzinfo=dt.timezone.utc)   # EST (-5)
    after = dt.datetime(2030, 3, 11, 12, 0, tzinfo=dt.timezone.utc)   # EDT (-4), from 10 March 07:00 UTC
    switch = dt.datetime(2030, 3, 10, 7, 0, tzinfo=dt.timezone.utc)
    client = app.test_client()
    monkeypatch.setattr(api_directory, "utcnow", lambda: before)
    old = client.get(f"/api/v1/services/{made.housing_near}").get_json()
    assert old["schedules"][0]["timezone"] == -5
    monkeypatch.setattr(api_directory, "utcnow", lambda: after)
    new = client.get(f"/api/v1/services/{made.housing_near}").get_json()
    assert new["schedules"][0]["opens_at"] == "09:00-04:00"
    assert new["last_modified"] == "2030-03-10T07:00:00Z"
    changed = client.get("/api/v1/services", query_string={
        "modified_after": before.isoformat(), "per_page": 50, "minimal": "true"}).get_json()
    with_hours = {made.counseling, made.shelter, made.housing_near, made.housing_far, made.defunct}
    assert {s["id"] for s in changed["contents"]} == with_hours, "the child care listing has no hours"
    assert all(s["last_modified"] == switch.isoformat().replace("+00:00", "Z") for s in changed["contents"])
