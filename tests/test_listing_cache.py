"""The per-process listing cache never shows a listing older than the last committed change."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Phone, Service, ServiceStatus
from kiosk.db import get_database
from kiosk_directory import make_directory


def test_edits_reach_cached_pages(app: Flask, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        directory = make_directory(session)
    client = app.test_client()
    path = f"/services/{directory.counseling}"
    assert "Seminole Crisis Counseling Center" in client.get(path).get_data(as_text=True)
    assert "Seminole Crisis Counseling Center" in client.get(path).get_data(as_text=True)  # cached

    with get_database(app).session_factory() as session:  # the app's sessions journal edits
        service = session.get(Service, directory.counseling)
        service.name = "Seminole Crisis Care"
        session.add(Phone(service_id=service.id, number="(407) 555-0177", source="t", source_id="p1"))
        session.commit()
    html = client.get(path).get_data(as_text=True)
    assert "Seminole Crisis Care" in html and "(407) 555-0177" in html

    with get_database(app).session_factory() as session:
        session.get(Service, directory.counseling).status = ServiceStatus.inactive
        session.commit()
    assert client.get(path).status_code == 404
