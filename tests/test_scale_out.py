"""Scale-out: several app hosts (gunicorn, own index directory each) on one PostgreSQL database.

Two hosts with two workers each run as real ``kiosk serve`` processes. A caseworker edits a
listing through host A's workspace over HTTP; within 2 s every worker of every host finds it
through ``/api/v1/search`` (``X-Served-By`` tells which worker answered). Then a third host
starts with an empty index directory, builds its index by itself and answers with the edit.
PostgreSQL only (several hosts share a database server, not an SQLite file): skipped without it
outside CI, failed in CI.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from search_factory import make_service
from directory_data.journal import install_journal_hooks
from served import Host, HttpCaseworker
from staff import PASSWORD, make_account

pytestmark = pytest.mark.slow

FRESHNESS_SECONDS = 2.0


@pytest.fixture
def factory(session_factory: sessionmaker[Session], require_postgres: str) -> sessionmaker[Session]:
    install_journal_hooks(session_factory)
    return session_factory


@pytest.fixture
def hosts(factory: sessionmaker[Session], require_postgres: str, tmp_path: Path) -> Iterator[list[Host]]:
    """A list the test appends hosts to; every one is stopped afterwards, pass or fail."""
    started: list[Host] = []
    yield started
    for host in started:
        host.stop()


def _finds(host: Host, word: str, service_id: str) -> tuple[str, bool]:
    answer = host.get("/api/v1/search?" + urllib.parse.urlencode({"q": word}), timeout=10)
    assert answer.status == 200, answer.body[:300]
    return answer.worker, service_id in [r["id"] for r in answer.json()["results"]]


def _wait_every_worker_finds(host: Host, word: str, service_id: str, deadline: float) -> float:
    """Search ``host`` on new connections until each of its workers has found the service;
    the time that took (fails after ``deadline``)."""
    pids = host.worker_pids()
    assert len(pids) == host.workers, pids
    found: set[int] = set()
    started = time.monotonic()
    while found != pids:
        assert time.monotonic() < deadline, f"host :{host.port}: only workers {found} of {pids} find the edit"
        worker, hit = _finds(host, word, service_id)
        if hit:
            found.add(int(worker.rsplit(":", 1)[1]))
    return time.monotonic() - started


def test_an_edit_through_one_host_reaches_every_worker_of_every_host(
    factory: sessionmaker[Session], require_postgres: str, tmp_path: Path, hosts: list[Host]
) -> None:
    with factory.begin() as session:
        # Each has a phone and a category: an edit through the workspace applies the publication
        # rules, and a listing nobody can reach or place would be held from search.
        ids = [make_service(session, f"Clinic {i}", description="walk-in clinic", categories=["mental-health"],
                            phones=[f"305-555-01{i:02d}"]).id for i in range(20)]
    caseworker = make_account(factory, "caseworker", "case.worker")
    hosts.extend(Host(tmp_path / name, require_postgres, workers=2) for name in ("host-a", "host-b"))
    for host in hosts:
        host.wait_up(path="/api/v1/search?q=clinic", every_worker=True)

    # An edit through host A's workspace, as a caseworker's browser makes it.
    word = "Quetzalcoatl"
    target = ids[7]
    saved = HttpCaseworker(hosts[0].url, caseworker, PASSWORD).edit_listing(
        target, description=f"walk-in clinic with a {word} mural"
    )
    assert saved.status == 303 and saved.headers["location"].endswith(f"/admin/listings/{target}"), saved.status
    saved_at = time.monotonic()
    deadline = saved_at + FRESHNESS_SECONDS
    for host in hosts:
        _wait_every_worker_finds(host, word.lower(), target, deadline)
    print(f"\nedit found by all {sum(h.workers for h in hosts)} workers of {len(hosts)} hosts "
          f"{(time.monotonic() - saved_at) * 1000:.0f} ms after the save returned")

    # A third host with an empty index directory catches up by itself and answers.
    third = Host(tmp_path / "host-c", require_postgres, workers=2)
    hosts.append(third)
    assert not third.index_dir.exists() or not any(third.index_dir.iterdir())
    third.wait_up(path="/api/v1/search?q=clinic", every_worker=True)
    _wait_every_worker_finds(third, word.lower(), target, time.monotonic() + 30)
    health = third.get("/healthz").json()
    assert health["status"] == "ok" and health["index"]["documents"] == 20 and health["index"]["lag"] == 0, health
