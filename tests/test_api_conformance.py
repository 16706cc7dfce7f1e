"""Open Referral's validator checks, against a real ``kiosk serve`` (issue 17).

Two served directories, one ``kiosk serve`` each for the whole module: the Miami 211 import
(4,089 services, its own database) and the curated directory (``kiosk init`` into a database of
its own). :mod:`hsds_validator` runs the validator's Level 1 and Level 2 checks over HTTP, every
answer checked against the HSDS 3.0 schemas with format checking on: no Level 1 failure and no
Level 2 warning. A second look at what the validator only samples: every page of the curated
directory's lists.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ImportedDatabase, own_database
from hsds_validator import Schemas, validate
from served import KIOSK, Host, kiosk_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def schemas(hsds_dir: Path) -> Schemas:
    return Schemas(hsds_dir / "openreferral-specification-3.0")


def _url(engine: object) -> str:
    return engine.url.render_as_string(hide_password=False)  # type: ignore[attr-defined]


def _serve(home: Path, database_url: str) -> Iterator[Host]:
    host = Host(home, database_url, workers=1, threads=4)
    try:
        host.wait_up(timeout=300)
        host.wait_up(timeout=300, path="/api/v1/service_at_locations?postcode=00000")  # index built
        yield host
    finally:
        host.stop()


@pytest.fixture(scope="module")
def miami_host(miami_database: ImportedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    yield from _serve(tmp_path_factory.mktemp("miami-host"), _url(miami_database.engine))


@pytest.fixture(scope="module")
def curated_host(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    with own_database(database_url, "curated_api", tmp_path_factory) as engine:
        home = tmp_path_factory.mktemp("curated-host")
        url = _url(engine)
        subprocess.run([KIOSK, "init"], env=kiosk_env(home, url), check=True, capture_output=True, timeout=300)
        yield from _serve(home, url)


@pytest.mark.parametrize("which", ["miami_host", "curated_host"])
def test_no_level_1_failure_and_no_level_2_warning(which: str, request: pytest.FixtureRequest,
                                                   schemas: Schemas) -> None:
    host: Host = request.getfixturevalue(which)
    report = validate(host.url + "/api/v1", schemas)
    assert not report.level1, "Level 1:\n" + "\n".join(report.level1[:30])
    assert not report.level2, "Level 2:\n" + "\n".join(report.level2[:30])
    for endpoint in ("GET /", "GET /services pages", "GET /services/{id}", "GET /taxonomies/{id}",
                     "GET /taxonomy_terms/{id}", "GET /organizations/{id}", "GET /service_at_locations/{id}"):
        assert report.checked.get(endpoint, 0) >= 1, (endpoint, report.checked)
    assert report.checked["/services items"] >= 100


def test_every_page_of_the_curated_lists_is_valid(curated_host: Host, schemas: Schemas) -> None:
    """Every list of the curated directory, every page, in the list form and fully nested."""
    full = schemas.validator("compiled/service_with_definitions.json")
    for path, item, query in (("/services", "compiled/service_list.json", ""),
                              ("/services", "compiled/service_list.json", "&full=true"),
                              ("/service_at_locations", "compiled/service_at_location_list.json", ""),
                              ("/organizations", "compiled/organization_list.json", "&full_service=true"),
                              ("/taxonomy_terms", "taxonomy_term.json", "")):
        page_validator = schemas.page(item)
        number, seen = 1, 0
        while True:
            answer = curated_host.get(f"/api/v1{path}?page={number}&per_page=100{query}")
            assert answer.status == 200, answer.body[:300]
            body = answer.json()
            errors = [e.message for e in page_validator.iter_errors(body)]
            if query == "&full=true":
                errors += [e.message for s in body["contents"] for e in full.iter_errors(s)]
            assert not errors, (path, query, number, errors[:5])
            seen += body["size"]
            if body["last_page"]:
                break
            number += 1
        assert seen == body["total_items"] > 0, (path, query)
