"""Two real ``kiosk serve`` processes (two hosts, own index directories, one database).

A change committed by a third process is answered by both servers' ``/api/v1/search`` within
2 s, and a rebuild swapped in under one of them while it is being queried never costs a
request.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from conftest import wipe
from directory_data.db import make_session_factory
from directory_data.models import Service, ServiceStatus
from search_factory import make_service
from directory_data.journal import install_journal_hooks
from search_index.engine.layout import IndexLayout
from search_index.upkeep.rebuild import rebuild_index

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``kiosk serve`` in its own process, with its own home and index directory."""

    def __init__(self, database_url: str, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.index_dir = home / "index"
        env = {
            **os.environ,
            "KIOSK_HOME": str(home),
            "KIOSK_DATABASE_URL": database_url,
            "KIOSK_INDEX_DIR": str(self.index_dir),
            "KIOSK_SECRET_KEY": "test-secret",
        }
        self.log = open(home / "server.log", "w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("kiosk")), "serve", "--port", str(self.port)],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def search(self, **params: Any) -> tuple[int, dict[str, Any]]:
        url = f"http://127.0.0.1:{self.port}/api/v1/search?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def wait_up(self, timeout: float = 180.0) -> None:
        """Wait until the server answers a search (its workers answer once warmed up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise AssertionError(f"server exited: {self.log.read()[-3000:]}")
            try:
                if self.search(q="")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not come up")

    def stop(self) -> None:
        self.proc.terminate()
        self.wait_stopped()

    def wait_stopped(self) -> None:
        """Wait for the stopped server (killed after 10 s) and close its log."""
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test database with the change journal, for the module's tests (which
    share its 30 clinics and two hosts: starting two hosts took 12-19 s); wiped at the end."""
    session_factory = make_session_factory(engine)
    install_journal_hooks(session_factory)
    yield session_factory
    wipe(engine)


@pytest.fixture(scope="module")
def servers(factory: sessionmaker[Session], database_url: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Two hosts serving 30 clinics. No test changes the clinics (a test may add services of
    its own, which no search for "clinic" finds)."""
    with factory.begin() as session:
        for i in range(30):
            make_service(session, f"Clinic {i}", description="walk-in clinic", categories=["mental-health"])
    home = tmp_path_factory.mktemp("hosts")
    started = [Server(database_url, home / name) for name in ("host-a", "host-b")]
    try:
        for server in started:
            server.wait_up()
        yield started
    finally:
        for server in started:  # every host shuts down at the same time: gunicorn takes seconds
            server.proc.terminate()
        for server in started:
            server.wait_stopped()


def _ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["results"]]


def test_a_commit_is_answered_by_every_host_within_2_s(
    factory: sessionmaker[Session], servers: list[Server]
) -> None:
    latencies: list[float] = []
    for round_no in range(3):
        word = f"Xylophone{round_no}q"
        with factory.begin() as session:
            service = make_service(session, f"Music Therapy {word}", description="therapy with music")
        committed = time.monotonic()
        for server in servers:
            while True:
                status, body = server.search(q=word)
                assert status == 200
                if service.id in _ids(body):
                    latencies.append(time.monotonic() - committed)
                    break
                assert time.monotonic() - committed < 2.0, f"not searchable on :{server.port} after 2 s"
                time.sleep(0.05)
    print(f"\nHTTP, other hosts: max {max(latencies) * 1000:.0f} ms over {len(latencies)} checks")


def test_an_edit_and_a_closure_reach_every_host(factory: sessionmaker[Session], servers: list[Server]) -> None:
    # A listing of its own, which no search for "clinic" finds: the module's other tests count
    # the clinics, and a worker of a host may still hold a change for a moment.
    with factory.begin() as session:
        target = make_service(session, "Riverside Arts Studio", description="painting classes").id
    deadline = time.monotonic() + 30.0
    for server in servers:
        while target not in _ids(server.search(q="painting")[1]):
            assert time.monotonic() < deadline, f"not searchable on :{server.port} after 30 s"
            time.sleep(0.05)
    with factory.begin() as session:
        session.get(Service, target).description = "painting classes, now with a Quetzal mural"
    deadline = time.monotonic() + 2.0
    for server in servers:
        while target not in _ids(server.search(q="quetzal")[1]):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    with factory.begin() as session:
        session.get(Service, target).status = ServiceStatus.defunct
    deadline = time.monotonic() + 2.0
    for server in servers:
        while target in _ids(server.search(q="quetzal")[1]):
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_rebuild_swapped_in_under_a_serving_host(
    factory: sessionmaker[Session], servers: list[Server]
) -> None:
    server = servers[0]
    stop = threading.Event()
    answers: list[tuple[int, int]] = []

    def query() -> None:
        while not stop.is_set():
            status, body = server.search(q="clinic", per_page=50)
            answers.append((status, body.get("total", -1)))

    clients = [threading.Thread(target=query) for _ in range(2)]
    for client in clients:
        client.start()
    try:
        layout = IndexLayout(server.index_dir)
        before = layout.current_name()
        for _ in range(2):
            rebuild_index(layout, factory, processes=2)
        assert layout.current_name() != before
        time.sleep(0.3)
    finally:
        stop.set()
        for client in clients:
            client.join()
    assert answers
    assert {status for status, _total in answers} == {200}
    assert {total for _status, total in answers} == {30}
