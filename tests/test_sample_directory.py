"""The fictional sample directory and a department's real data are kept apart.

``kiosk init`` loads the sample only into an empty directory, and every surface marks its
listings "Sample listing"; the first import of real data offers to retire it in the same
transaction (``kiosk import --retire-sample``, the workspace preview's checkbox), and ``kiosk
init`` never brings it back. The real national and Florida lines stay throughout.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.curated import NATIONAL_SOURCE, SAMPLE_SOURCE
from directory_data.hsds import extensions as ext
from directory_data.models import Location, Organization, Service, ServiceAtLocation, ServiceStatus
from directory_data.sample import sample_state
from directory_data.service_rows import listed
from hsds_packages import small_v1_package
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk_directory import make_directory
from search_index.upkeep.drift import index_fingerprints
from search_index.engine.layout import IndexLayout
from search_index.engine.store import open_current
from staff import csrf_token, signed_in

MARK = "Sample listing"
MARK_ES = "Servicio de ejemplo"
#: Searches a resident or an officer might make, and words only the sample's listings hold.
QUERIES = ("counseling", "shelter", "child care", "daycare", "domestic violence", "rent help",
           "food", "crisis", "sanford", "oviedo", "casselberry", "altamonte", "consejería", "refugio",
           "suicide", "my husband hits me", "housing", "mental health", "abuse", "homeless")


def _init(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["init", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _ids(session_factory: sessionmaker[Session], source: str, *, live: bool | None = None) -> set[str]:
    statement = select(Service.id).where(Service.source == source)
    if live is not None:
        statement = statement.where(Service.retired_at.is_(None) if live else Service.retired_at.is_not(None))
    with session_factory() as session:
        return set(session.scalars(statement))


def _name(session_factory: sessionmaker[Session], service_id: str) -> str:
    with session_factory() as session:
        return session.get_one(Service, service_id).name


def _indexed(app: Flask) -> set[str]:
    _, ix = open_current(IndexLayout(index_dir(app.config)))
    return set(index_fingerprints(ix)[0])


def _referral(client: FlaskClient, service_id: str) -> str:
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True))
    made = client.post("/api/v1/referrals", json={"service_ids": [service_id], "mode": "text"},
                       headers={"X-CSRFToken": token.group(1)})
    assert made.status_code == 201, made.get_json()
    return str(made.get_json()["token"])


def test_a_fresh_init_loads_the_sample_marked_on_every_surface(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    output = _init(app)
    sample, national = _ids(session_factory, SAMPLE_SOURCE), _ids(session_factory, NATIONAL_SOURCE)
    assert len(sample) >= 150 and len(national) == 8
    assert f"sample directory: {len(sample)} sample listings shown" in output
    with session_factory() as session:
        assert session.scalars(select(Service.review_reasons).where(
            Service.source == NATIONAL_SOURCE)).all() == [None] * 8, "the real lines are never held"
    one = sorted(sample)[0]
    line = next(iter(national))
    kiosk = app.test_client()

    found = kiosk.get("/api/v1/search", query_string={"q": "counseling", "per_page": 50}).get_json()["results"]
    assert found and all(hit["sample"] == (hit["id"] in sample) for hit in found)
    assert any(hit["sample"] for hit in found)
    crisis = kiosk.get("/api/v1/search", query_string={"q": "suicide hotline"}).get_json()["results"]
    assert any(hit["id"] in national and hit["sample"] is False for hit in crisis)
    hsds = kiosk.get(f"/api/v1/services/{one}").get_json()
    assert [a["value"] for a in hsds["attributes"] if a["taxonomy_term"]["code"] == ext.SAMPLE] == ["true"]
    real = kiosk.get(f"/api/v1/services/{line}").get_json()
    assert not [a for a in real["attributes"] if a["taxonomy_term"]["code"] == ext.SAMPLE]

    results = kiosk.get("/search", query_string={"q": "counseling"}).get_data(as_text=True)
    assert MARK in results and "not a real service" in results
    assert MARK in kiosk.get(f"/services/{one}").get_data(as_text=True)
    assert MARK not in kiosk.get(f"/services/{line}").get_data(as_text=True)
    spanish = kiosk.get(f"/services/{one}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert MARK_ES in spanish and "no es un servicio real" in spanish
    token = _referral(kiosk, one)
    assert MARK in kiosk.get(f"/r/{token}").get_data(as_text=True)
    assert MARK in kiosk.get(f"/r/{token}/print").get_data(as_text=True)
    assert MARK not in kiosk.get(f"/r/{_referral(kiosk, line)}").get_data(as_text=True)

    officer = signed_in(app, session_factory)("officer")
    assert MARK in officer.get("/patrol/", query_string={"q": "counseling", "open": "0"}).get_data(as_text=True)
    assert MARK in officer.get(f"/patrol/services/{one}").get_data(as_text=True)
    caseworker = signed_in(app, session_factory)("caseworker")
    listed = caseworker.get("/admin/", query_string={"q": _name(session_factory, one)}).get_data(as_text=True)
    assert 'class="pill sample"' in listed
    assert 'class="pill sample"' in caseworker.get(f"/admin/listings/{one}").get_data(as_text=True)


def test_init_never_brings_a_retired_sample_back(app: Flask, session_factory: sessionmaker[Session],
                                                 tmp_path: Path) -> None:
    _init(app)
    sample = _ids(session_factory, SAMPLE_SOURCE)
    runner = app.test_cli_runner()
    package = small_v1_package(tmp_path / "pkg")
    mixed = runner.invoke(args=["import", str(package), "--source", "harbor"])
    assert mixed.exit_code == 0, mixed.output
    assert f"{len(sample)} fictional sample listings are still shown beside this data; import with " \
           "--retire-sample" in mixed.output
    retired = runner.invoke(args=["sample", "retire"])
    assert retired.exit_code == 0 and f"{len(sample)} sample listings retired" in retired.output
    again = _init(app)
    assert f"sample directory: {len(sample)} retired" in again
    assert _ids(session_factory, SAMPLE_SOURCE, live=True) == set()
    assert not sample & _indexed(app)
    assert len(_ids(session_factory, NATIONAL_SOURCE, live=True)) == 8
    with app.app_context(), get_database(app).session_factory() as session:
        assert sample_state(session).own == 3

    back = runner.invoke(args=["sample", "load"])
    assert back.exit_code == 0 and f"{len(sample)} retired sample listings restored" in back.output
    assert _ids(session_factory, SAMPLE_SOURCE, live=True) == sample and sample <= _indexed(app)
    assert runner.invoke(args=["sample", "status"]).output.startswith(f"sample directory: {len(sample)} sample")


def test_init_loads_no_sample_into_a_directory_of_its_own(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        make_directory(session)
    output = _init(app)
    assert "sample directory: not loaded" in output
    assert _ids(session_factory, SAMPLE_SOURCE) == set() and len(_ids(session_factory, NATIONAL_SOURCE)) == 8
    assert "sample directory: not loaded" in _init(app, "--no-sample")


@pytest.mark.slow
def test_after_the_miami_import_with_retirement_no_sample_listing_is_public(
    app: Flask, session_factory: sessionmaker[Session], hsds_dir: Path
) -> None:
    """The issue's check: ``kiosk init``, then the Miami 211 export imported with the retirement
    accepted; no sample listing in any public search (kiosk, patrol, ``/api/v1/search``), page
    (kiosk and patrol detail) or HSDS answer (services, service_at_locations, organizations, in
    full, and each record by its id); the real lines stay."""
    _init(app)
    sample = _ids(session_factory, SAMPLE_SOURCE)
    national = _ids(session_factory, NATIONAL_SOURCE)
    result = app.test_cli_runner().invoke(
        args=["import", str(hsds_dir / "open211-miami" / "data"), "--retire-sample"])
    assert result.exit_code == 0, result.output
    assert f"sample directory: {len(sample)} sample listings retired; the real help lines stay" in result.output
    assert _ids(session_factory, SAMPLE_SOURCE, live=True) == set()
    assert not sample & _indexed(app) and national <= _indexed(app)

    client = app.test_client()
    names = sorted({_name(session_factory, i) for i in sample})
    for query in (*QUERIES, *names[::8]):
        found = client.get("/api/v1/search", query_string={"q": query, "per_page": 50}).get_json()
        assert not {hit["id"] for hit in found["results"]} & sample, query
        assert not any(hit["sample"] for hit in found["results"]), query
        page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
        assert MARK not in page and not any(f"/services/{i}" in page for i in sample), query
    for slug in ("mental-health", "childcare", "abuse", "housing"):
        page = client.get(f"/category/{slug}").get_data(as_text=True)
        assert MARK not in page and not any(f"/services/{i}" in page for i in sample), slug
    with session_factory() as session:
        shown = session.scalar(select(func.count()).select_from(Service).where(listed()))
    answer = client.get("/api/v1/services", query_string={"per_page": 50}).get_json()
    # the HSDS list also holds retired real listings (inactive, so a copy kept in sync learns of
    # them), and the retired sample's listings only as withdrawn stubs (id, name, status inactive,
    # last_modified: a copy that held them learns that they went)
    with session_factory() as session:
        unlisted = session.scalar(select(func.count()).select_from(Service).where(~listed()))
    assert answer["total_items"] == shown + unlisted and shown > 3000
    for service_id in sample:  # ... no sample listing's content is in them
        assert client.get(f"/services/{service_id}").status_code == 404
        stub = client.get(f"/api/v1/services/{service_id}").get_json()
        assert stub.keys() == {"id", "name", "status", "last_modified"} and stub["status"] == "inactive"
    for service_id in national:
        assert client.get(f"/services/{service_id}").status_code == 200
        assert client.get(f"/api/v1/services/{service_id}").status_code == 200

    # Every HSDS answer, in full: no record of the retired sample anywhere in it.
    gone = sample | _retired_sample_records(session_factory)
    services = _every(client, "/api/v1/services", full="true")
    assert len(services) == answer["total_items"] and national <= {s["id"] for s in services}
    withdrawn = [s for s in services if s["id"] in sample]  # stubs only: id, name, inactive
    assert all(s.keys() == {"id", "name", "status", "last_modified"} and s["status"] == "inactive"
               for s in withdrawn)
    assert not _ids_in([s for s in services if s["id"] not in sample]) & gone
    links = _every(client, "/api/v1/service_at_locations", full="true")
    assert links and not _ids_in(links) & gone
    assert national & {link["service"]["id"] for link in links if link.get("service")}
    organizations = _every(client, "/api/v1/organizations", full_service="true")
    assert organizations and not _ids_in(organizations) & gone
    for record_id in sorted(gone)[::10]:
        for path in ("services", "organizations", "service_at_locations"):
            if path == "services" and record_id in sample:
                continue  # its withdrawn stub, checked above
            assert client.get(f"/api/v1/{path}/{record_id}").status_code == 404, (path, record_id)

    officer = signed_in(app, session_factory)("officer")
    for query in QUERIES:
        page = officer.get("/patrol/", query_string={"q": query, "open": "0"}).get_data(as_text=True)
        assert MARK not in page and not any(f"/services/{i}" in page for i in sample), query
    for service_id in sorted(sample)[::8]:
        assert officer.get(f"/patrol/services/{service_id}").status_code == 404
    line = sorted(national)[0]
    assert officer.get(f"/patrol/services/{line}").status_code == 200


def _every(client: FlaskClient, path: str, **query: str) -> list[dict[str, object]]:
    """Every object of an HSDS list, one a line (``format=ndjson``: no paging)."""
    answer = client.get(path, query_string={"format": "ndjson", **query})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return [json.loads(line) for line in answer.get_data(as_text=True).splitlines() if line.strip()]


def _ids_in(value: object) -> set[str]:
    """Every ``id`` anywhere in a JSON value."""
    if isinstance(value, dict):
        found = {value["id"]} if isinstance(value.get("id"), str) else set()
        return found.union(*(_ids_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_ids_in(v) for v in value))
    return set()


def _retired_sample_records(session_factory: sessionmaker[Session]) -> set[str]:
    """The ids of the sample's retired organizations and places, and of its services' links to
    their places."""
    with session_factory() as session:
        organizations = session.scalars(select(Organization.id).where(
            Organization.source == SAMPLE_SOURCE, Organization.retired_at.is_not(None))).all()
        places = session.scalars(select(Location.id).where(
            Location.source == SAMPLE_SOURCE, Location.retired_at.is_not(None))).all()
        links = session.scalars(select(ServiceAtLocation.id).join(Service).where(
            Service.source == SAMPLE_SOURCE)).all()
    assert organizations and places and links
    return {*organizations, *places, *links}


def _upload(client: FlaskClient, token: str, package: Path) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in package.rglob("*.csv"):
            archive.write(file, f"pkg/{file.name}")
    preview = client.post("/admin/import", data={"csrf_token": token, "source": "harbor",
                                                 "package": (io.BytesIO(buffer.getvalue()), "pkg.zip")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    return preview.get_data(as_text=True)


def test_the_workspace_import_offers_to_retire_the_sample(
    app: Flask, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _init(app)
    sample = _ids(session_factory, SAMPLE_SOURCE)
    package = small_v1_package(tmp_path / "pkg")
    client = signed_in(app, session_factory)("caseworker")
    token = csrf_token(client.get("/admin/import").get_data(as_text=True))

    page = _upload(client, token, package)
    assert f"{len(sample)} fictional sample listings are still shown to residents and officers." in page
    assert '<input type="checkbox" name="retire_sample" value="1" checked>' in page
    assert "1 listing of this package would be held for review" in page
    assert "1 listing: no public phone, address or web site" in page and "1 listing: no category" in page
    upload = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    kept = client.post("/admin/import/confirm", data={"csrf_token": token, "token": upload, "decision": "import"})
    assert kept.status_code == 303 and "status=held" in kept.headers["Location"]
    assert _ids(session_factory, SAMPLE_SOURCE, live=True) == sample, "unticked: the sample stays"

    page = _upload(client, token, package)
    upload = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    done = client.post("/admin/import/confirm", data={"csrf_token": token, "token": upload,
                                                      "decision": "import", "retire_sample": "1"})
    assert done.status_code == 303
    message = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"{len(sample)} sample listings were retired; the real national and Florida help lines stay." in message
    assert _ids(session_factory, SAMPLE_SOURCE, live=True) == set()
    assert len(_ids(session_factory, NATIONAL_SOURCE, live=True)) == 8
    assert "retire_sample" not in _upload(client, token, package), "no sample left to offer"
    kiosk = app.test_client()
    assert MARK not in kiosk.get("/search", query_string={"q": "counseling"}).get_data(as_text=True)
