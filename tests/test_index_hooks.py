"""ORM edits are journaled in their own transaction; rollbacks leave nothing behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import (
    Address,
    ChangeJournalEntry,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    new_id,
)
from search_factory import make_service
from directory_data.journal import DISABLE_KEY, install_journal_hooks


@pytest.fixture
def commits() -> list[int]:
    return []


@pytest.fixture
def journaled(session_factory: sessionmaker[Session], commits: list[int]) -> Iterator[sessionmaker[Session]]:
    """The test session factory with the journal hooks installed."""
    install_journal_hooks(session_factory, on_commit=commits.append)
    yield session_factory


def journal(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(ChangeJournalEntry.service_id).order_by(ChangeJournalEntry.seq)))


def clear(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        session.query(ChangeJournalEntry).delete()


def test_install_is_idempotent(journaled: sessionmaker[Session], commits: list[int]) -> None:
    install_journal_hooks(journaled, on_commit=commits.append)
    with journaled.begin() as session:
        service = make_service(session, "Food Pantry")
    assert journal(journaled) == [service.id]
    assert commits == [1]


def test_new_service_is_journaled_in_the_same_transaction(journaled: sessionmaker[Session]) -> None:
    with journaled() as session:
        service = Service(source_id=new_id(), name="New Hope Shelter")
        session.add(service)
        session.flush()
        assert service.id is not None
        # Visible inside the transaction, not outside it.
        assert service.id in session.scalars(select(ChangeJournalEntry.service_id)).all()
        assert journal(journaled) == []
        session.commit()
    assert journal(journaled) == [service.id]


def test_rollback_leaves_no_entry_and_no_callback(journaled: sessionmaker[Session], commits: list[int]) -> None:
    with journaled() as session:
        make_service(session, "Phantom Shelter", phones=["407-555-0100"])
        session.rollback()
    assert journal(journaled) == []
    assert commits == []


def test_savepoint_rollback_keeps_the_outer_changes(journaled: sessionmaker[Session], commits: list[int]) -> None:
    with journaled() as session:
        kept = make_service(session, "Kept Clinic")
        nested = session.begin_nested()
        dropped = Service(source_id=new_id(), name="Dropped Clinic")
        session.add(dropped)
        session.flush()
        nested.rollback()
        assert commits == []  # releasing/rolling back a savepoint is not a commit
        session.commit()
    assert kept.id in journal(journaled)
    assert dropped.id not in journal(journaled)
    assert commits and commits[-1] >= 1


def test_child_rows_journal_their_service(journaled: sessionmaker[Session]) -> None:
    with journaled.begin() as session:
        service = make_service(session, "Legal Aid", phones=["407-555-0101"])
    clear(journaled)
    with journaled.begin() as session:
        phone = session.scalars(select(Phone).where(Phone.service_id == service.id)).one()
        phone.number = "407-555-0199"
    assert journal(journaled) == [service.id]
    clear(journaled)
    with journaled.begin() as session:
        session.delete(session.get(Phone, phone.id))
    assert journal(journaled) == [service.id]


def test_moving_a_phone_journals_both_services(journaled: sessionmaker[Session]) -> None:
    with journaled.begin() as session:
        a = make_service(session, "Clinic A", phones=["407-555-0102"])
        b = make_service(session, "Clinic B")
    clear(journaled)
    with journaled.begin() as session:
        phone = session.scalars(select(Phone).where(Phone.service_id == a.id)).one()
        phone.service_id = b.id
    assert sorted(journal(journaled)) == sorted([a.id, b.id])


def test_location_address_and_organization_edits_reach_linked_services(journaled: sessionmaker[Session]) -> None:
    with journaled.begin() as session:
        a = make_service(session, "Shelter A", postal_code="32771", organization="Harbor Org")
        other = make_service(session, "Unrelated")
    with journaled() as session:
        location_id = session.scalars(
            select(ServiceAtLocation.location_id).where(ServiceAtLocation.service_id == a.id)
        ).one()
        org_id = session.get(Service, a.id).organization_id
    clear(journaled)
    with journaled.begin() as session:
        session.get(Location, location_id).name = "Renamed site"
    assert journal(journaled) == [a.id]
    clear(journaled)
    with journaled.begin() as session:
        address = session.scalars(select(Address).where(Address.location_id == location_id)).one()
        address.postal_code = "32773"
    assert journal(journaled) == [a.id]
    clear(journaled)
    with journaled.begin() as session:
        session.get(Organization, org_id).name = "Harbor Organization"
    assert journal(journaled) == [a.id]
    clear(journaled)
    with journaled.begin() as session:  # deleting the location: its links are gone after the flush
        session.delete(session.get(Location, location_id))
    assert journal(journaled) == [a.id]
    assert other.id not in journal(journaled)


def test_taxonomy_term_rename_reaches_its_services(journaled: sessionmaker[Session]) -> None:
    with journaled.begin() as session:
        a = make_service(session, "Shelter", taxonomy=[("BH-1800.8500", "Homeless Shelter")])
    with journaled() as session:
        term_id = session.scalars(select(TaxonomyTerm.id)).one()
    clear(journaled)
    with journaled.begin() as session:
        session.get(TaxonomyTerm, term_id).name = "Emergency shelters"
    assert journal(journaled) == [a.id]


def test_unchanged_objects_are_not_journaled(journaled: sessionmaker[Session]) -> None:
    with journaled.begin() as session:
        a = make_service(session, "Quiet Service")
    clear(journaled)
    with journaled.begin() as session:
        service = session.get(Service, a.id)
        service.name = service.name  # same value: not a change
    assert journal(journaled) == []


def test_hooks_can_be_turned_off_per_session(journaled: sessionmaker[Session]) -> None:
    with journaled() as session:
        session.info[DISABLE_KEY] = True
        make_service(session, "Bulk Loaded")
        session.commit()
    assert journal(journaled) == []
