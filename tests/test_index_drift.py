"""Drift between database and index: ``kiosk index verify`` finds it, ``kiosk index update`` repairs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import ChangeJournalEntry, Service, ServiceStatus, utcnow
from kiosk.config import index_dir
from search_factory import make_service
from search_index.upkeep.drift import find_drift, repair_drift
from directory_data.journal import DISABLE_KEY, install_journal_hooks
from search_index.engine.layout import IndexLayout
from search_index.upkeep.rebuild import rebuild_index
from search_index.engine.store import open_current


@pytest.fixture
def factory(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    install_journal_hooks(session_factory)
    return session_factory


def unjournaled(factory: sessionmaker[Session]) -> Session:
    """A session whose changes bypass the journal, as a bulk SQL fix-up made by hand would."""
    session = factory()
    session.info[DISABLE_KEY] = True
    return session


def test_a_rebuilt_index_has_no_drift(factory: sessionmaker[Session], tmp_path: Path) -> None:
    with factory.begin() as session:
        for i in range(12):
            make_service(session, f"Clinic {i}", phones=["407-555-0100", f"407-555-01{i:02d}"],
                         languages=["es", "en"], categories=["housing", "abuse"], point=(28.8, -81.2),
                         postal_code="32771", hours=[("MO", "09:00", "12:00"), ("TU", "13:00", "17:00")])
    for processes in (1, 2):
        layout = IndexLayout(tmp_path / f"index-{processes}")
        rebuild_index(layout, factory, processes=processes)
        report = find_drift(layout, factory)
        assert report.clean, report.summary()
        assert report.indexed == report.database == 12


def test_missing_extra_stale_and_duplicated_are_found_and_repaired(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with factory.begin() as session:
        ids = [make_service(session, f"Service {i}").id for i in range(4)]
    layout = IndexLayout(tmp_path / "index")
    rebuild_index(layout, factory)
    with unjournaled(factory) as session:
        missing = make_service(session, "Added Behind The Index's Back").id
        session.get(Service, ids[0]).name = "Renamed Behind Its Back"
        session.get(Service, ids[1]).status = ServiceStatus.defunct
        session.commit()
    _generation, ix = open_current(layout)
    with ix.searcher() as s:
        copy = dict(s.document(id=ids[2]))
    with ix.writer() as w:
        w.add_document(**copy)  # a second live document for one id
    report = find_drift(layout, factory)
    assert (report.missing, report.stale, report.extra, report.duplicated) == ([missing], [ids[0]], [ids[1]], [ids[2]])
    assert not report.clean and "drift found" in report.summary()
    written, removed = repair_drift(layout, factory, report)
    assert (written, removed) == (3, 1)
    assert find_drift(layout, factory).clean


def test_cli_verify_update_rebuild_status(app: Flask, runner: FlaskCliRunner, factory: sessionmaker[Session]) -> None:
    """The index commands, on changes journaled by sessions that no app's journal reader follows."""
    with factory.begin() as session:
        make_service(session, "Food Pantry")
    verify = runner.invoke(args=["index", "verify"])
    assert verify.exit_code == 2 and "no usable index" in verify.output
    rebuilt = runner.invoke(args=["index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt gen-" in rebuilt.output
    assert runner.invoke(args=["index", "verify"]).exit_code == 0
    session = factory()
    session.info[DISABLE_KEY] = True
    make_service(session, "Unjournaled Shelter")
    session.commit()
    session.close()
    verify = runner.invoke(args=["index", "verify", "--json"])
    assert verify.exit_code == 1
    assert len(json.loads(verify.output)["missing"]) == 1
    update = runner.invoke(args=["index", "update"])
    assert update.exit_code == 0 and "repaired drift: 1 documents written" in update.output
    assert runner.invoke(args=["index", "verify"]).exit_code == 0
    with factory.begin() as session:  # journaled: update applies it without any drift repair
        session.execute(insert(ChangeJournalEntry).values(service_id="gone", changed_at=utcnow()))
    update = runner.invoke(args=["index", "update"])
    assert "applied 1 journal entries" in update.output and "no drift" in update.output
    status = runner.invoke(args=["index", "status"])
    assert status.exit_code == 0
    assert "documents: 2" in status.output and "not applied yet: 0" in status.output
    assert str(index_dir(app.config)) in status.output
