"""Shared fixtures: the database under test (SQLite or PostgreSQL), sessions, the app and ../shared.

The backend is chosen by ``KIOSK_TEST_DATABASE_URL``: unset, every test runs on a throwaway SQLite
file; set (``.ci/run`` sets it to a throwaway PostgreSQL database), every test runs there. Tests
that need PostgreSQL itself, or the data in ``../shared``, skip with a reason outside CI and fail
in CI (``CI`` set) when it is missing.
"""

from __future__ import annotations

import csv
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from directory_data import accounts, migrate
from directory_data.db import make_engine, make_session_factory
from directory_data.models import MISSION_CATEGORIES, Base

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("KIOSK_SHARED_DIR", REPO_ROOT.parent / "shared"))
IN_CI = bool(os.environ.get("CI"))


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for every app the tests make.

    Each test makes its own app, and each app's Jinja environment compiled every template it
    rendered again (about a third of a simple page test's time). The cache holds the compiled
    code of each template by name and source checksum (Jinja recompiles when a source changes),
    so the apps of a run share one compilation. Every app has the same Jinja settings
    (``create_app``), so the code is the same whichever app compiled it.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


# Flask passes jinja_options to every app's Environment (Flask.create_jinja_environment).
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedBytecodeCache()}


def pytest_configure(config: pytest.Config) -> None:
    """Collect cyclic garbage less often in the test process.

    A run keeps a large heap alive (the word lists and lexicons of the search, imported
    directories, every library the tests import), and with Python's default thresholds
    (700, 10, 10) each full collection walked all of it again: about 15 % of the CPU time of the
    page tests went to the garbage collector. With these it is about a third of that. Objects are
    still freed by reference counting as soon as they are unused; only reference cycles wait a
    little longer. The served processes the tests start keep their own settings.

    Also: staff passwords are hashed at :data:`TEST_SCRYPT_N`.
    """
    gc.set_threshold(50_000, 20, 20)
    accounts.SCRYPT_N = TEST_SCRYPT_N


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``KIOSK_TEST_DATABASE_ONLY`` set (``scripts/test.sh``'s PostgreSQL run), keep only the
    tests that use the database under test (the ``database_url`` fixture, which every database
    fixture and app rests on): the others (word lists, judged sets, analyzers, the index engine,
    their own SQLite files) would repeat the SQLite run's work exactly."""
    if not os.environ.get("KIOSK_TEST_DATABASE_ONLY"):
        return
    keep = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if "database_url" not in getattr(item, "fixturenames", ())]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def missing(reason: str) -> None:
    """Skip the test with ``reason`` outside CI; fail it in CI, where nothing may be missing."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


#: The scrypt cost (N) of the staff passwords the tests make: hundreds of tests add accounts and
#: sign in, and each hash or check at the production cost (N=2**15, 32 MB) takes 0.1-0.8 s on the
#: CI machine. Set for the whole run (:func:`pytest_configure`: session and module fixtures make
#: accounts too); the tests marked ``production_hashing`` (tests/test_accounts.py) hash at the
#: production cost. verify_password reads the parameters stored in each hash either way.
TEST_SCRYPT_N = 2**8
PRODUCTION_SCRYPT_N = accounts.SCRYPT_N


@pytest.fixture(autouse=True)
def production_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash staff passwords at the production scrypt cost in the tests marked
    ``production_hashing``."""
    if request.node.get_closest_marker("production_hashing") is not None:
        monkeypatch.setattr(accounts, "SCRYPT_N", PRODUCTION_SCRYPT_N)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder beside the checkout (real HSDS data and schemas)."""
    if not (SHARED_DIR / "hsds").is_dir():
        missing(f"{SHARED_DIR}/hsds is not there")
    return SHARED_DIR


@pytest.fixture(scope="session")
def hsds_dir(shared_dir: Path) -> Path:
    """``../shared/hsds``."""
    return shared_dir / "hsds"


@pytest.fixture(scope="session")
def miami_taxonomy(hsds_dir: Path) -> dict[str, str]:
    """Name by code of the real AIRS/211 taxonomy terms in the Miami 211 export (1,991 codes),
    the reference for the codes the curated directory and the crosswalk use."""
    with (hsds_dir / "open211-miami" / "data" / "taxonomy.csv").open(encoding="utf-8", newline="") as f:
        return {row["id"].strip(): row["name"].strip() for row in csv.DictReader(f)}


def without_commit_flush(url: str) -> None:
    """Let the connections to the PostgreSQL database at ``url`` commit without waiting for the
    server to flush its write-ahead log to disk (``synchronous_commit = off`` for every new
    connection: the tests' own, the served apps' and the client programs').

    A commit still takes effect at once and is seen by every other connection; only a crash of
    the server could lose the last moments' commits, which a throwaway test database does not
    mind. Each flush took about 6 ms on the CI machine, and the tests commit tens of thousands
    of times.
    """
    import psycopg

    parsed = make_url(url)
    server = {"host": parsed.host or "127.0.0.1", "port": parsed.port or 5432,
              "user": parsed.username or "postgres", "dbname": "postgres", "autocommit": True}
    if parsed.password is not None:
        server["password"] = str(parsed.password)
    with psycopg.connect(**server) as connection:
        connection.execute(f'ALTER DATABASE "{parsed.database}" SET synchronous_commit = off')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of the database every test of this run uses."""
    url = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if url:
        if make_url(url).get_backend_name() == "postgresql":
            without_commit_flush(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    """Whether this run is on PostgreSQL."""
    return database_url.startswith("postgresql")


@pytest.fixture
def require_postgres(database_url: str) -> str:
    """The PostgreSQL URL under test; skips (fails in CI) when the run is on SQLite."""
    if not database_url.startswith("postgresql"):
        if IN_CI:
            # scripts/test.sh runs the suite a second time on PostgreSQL, and fails in CI when
            # PostgreSQL is not there, so this test runs (and must pass) in that pass.
            pytest.skip("PostgreSQL only: runs in the PostgreSQL pass of scripts/test.sh")
        missing("needs PostgreSQL: set KIOSK_TEST_DATABASE_URL (as .ci/run does)")
    return database_url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test database, migrated to head once per run."""
    eng = make_engine(database_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


def wipe(engine: Engine) -> None:
    """Delete every row the tests may have written, keeping the schema and mission categories.

    On PostgreSQL only the tables that hold rows are emptied (one query finds them) and only the
    sequences that were used are restarted: a TRUNCATE of every table took about 0.5 s even when
    they were all empty, and it ran after nearly every test; DELETE of the few tables a test
    filled takes milliseconds.
    """
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name != "category"]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            probe = " UNION ALL ".join(
                f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
            filled = set(connection.execute(text(probe)).scalars())
            tables = [t for t in tables if t.name in filled]
        for table in tables:  # children before parents
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            used = connection.execute(text(
                "SELECT sequencename FROM pg_sequences"
                " WHERE schemaname = current_schema() AND last_value IS NOT NULL")).scalars().all()
            for sequence in used:  # as TRUNCATE ... RESTART IDENTITY did
                connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        keep = ", ".join(f"'{slug}'" for slug in MISSION_CATEGORIES)
        connection.execute(text(f"DELETE FROM category WHERE slug NOT IN ({keep})"))


@dataclass(frozen=True)
class ImportedDatabase:
    """A database of its own holding one HSDS import, shared by the tests of a run (read only)."""

    engine: Engine
    session_factory: sessionmaker[Session]
    report: Any  # the ImportReport of the import into the empty database
    path: Path  # what was imported


@contextmanager
def own_database(database_url: str, name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An engine on a new, migrated database beside the test database (dropped afterwards):
    another SQLite file, or another database on the same PostgreSQL server."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp(name) / 'own.db'}")
        try:
            migrate.upgrade(engine)
            yield engine
        finally:
            engine.dispose()
        return
    import psycopg

    database = f"{url.database}_{name}"
    server = {"host": url.host or "127.0.0.1", "port": url.port or 5432,
              "user": url.username or "postgres", "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**server) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')
        connection.execute(f'ALTER DATABASE "{database}" SET synchronous_commit = off')
    engine = make_engine(url.set(database=database).render_as_string(hide_password=False))
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(**server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def miami_database(
    database_url: str, hsds_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ImportedDatabase]:
    """The Miami 211 export (``../shared/hsds/open211-miami/data``, 4,089 services) imported once
    per run into a database of its own, for the tests that read it (the import, export round
    trips and relevance suites). Tests must not change it."""
    from hsds_packages import import_and_commit

    path = hsds_dir / "open211-miami" / "data"
    with own_database(database_url, "miami", tmp_path_factory) as engine:
        factory = make_session_factory(engine)
        report = import_and_commit(factory, path)
        yield ImportedDatabase(engine, factory, report, path)


@pytest.fixture(scope="session")
def miami_index(miami_database: ImportedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the Miami import's search index, built once per run as the kiosk's full
    rebuild builds it (:func:`search_index.upkeep.rebuild.rebuild_index`, in this process): about
    5 s of CPU of the test process (measured beside other work) that the relevance suites and the
    engine's equivalence checks each spent again.
    Tests open it read only, or copy it (``shutil.copytree``) to change it."""
    return rebuilt_index(miami_database.session_factory, tmp_path_factory.mktemp("miami-index"))


def rebuilt_index(session_factory: sessionmaker[Session], folder: Path) -> Path:
    """Index every listing of ``session_factory``'s database in ``folder`` as the kiosk's full
    rebuild does (:func:`search_index.upkeep.rebuild.rebuild_index`, in this process); the
    folder of the generation it built."""
    from search_index.engine.layout import IndexLayout
    from search_index.upkeep.rebuild import rebuild_index

    layout = IndexLayout(folder)
    rebuild_index(layout, session_factory, processes=1)
    generation = layout.current()
    assert generation is not None
    return generation.path


@pytest.fixture(scope="session")
def curated_index(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the curated directory's search index (``directory_data/curated``, imported
    into the test database, indexed as the kiosk indexes it, then wiped from the database): built
    once per run for the relevance suites, which open it read only."""
    from search_factory import import_curated

    factory = make_session_factory(engine)
    try:
        import_curated(factory)
        return rebuilt_index(factory, tmp_path_factory.mktemp("curated-index"))
    finally:
        wipe(engine)


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on the test database; every row is wiped after the test."""
    yield make_session_factory(engine)
    wipe(engine)


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test database (closed, and the data wiped, after the test)."""
    with session_factory() as session:
        yield session


@pytest.fixture
def app_factory(
    database_url: str, engine: Engine, tmp_path: Path
) -> Iterator[Callable[..., Flask]]:
    """Make apps on the test database with an instance folder in ``tmp_path``."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config: dict[str, Any] = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "KIOSK_HOME": str(tmp_path / "instance"),
            "INDEX_DIR": str(tmp_path / "instance" / "index"),
        }
        config.update(overrides)
        from kiosk import create_app

        app = create_app(config)
        made.append(app)
        return app

    yield make
    from kiosk.db import get_database
    from kiosk.search import stop

    for app in made:
        stop(app)
        get_database(app).dispose()
    wipe(engine)


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    """An app on the test database."""
    return app_factory()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of :func:`app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner of :func:`app`."""
    return app.test_cli_runner()
