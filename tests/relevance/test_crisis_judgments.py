"""Crisis pinning over every judged set ``tests/relevance/crisis_*.csv``, through ``GET
/api/v1/search`` on the directory ``kiosk init`` loads: the issue's bars in every language and
every kind (see ``crisis_scoring``). Prints a table and writes ``test-artifacts/crisis_<name>.json``.
A new judgment file dropped beside the others is run too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from conftest import wipe
from crisis_scoring import KINDS, LANGUAGES, failures, load_crisis_judgments, score, table
from curated_app import with_curated_directory

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"
FILES = sorted(HERE.glob("crisis_*.csv"))


@pytest.fixture(scope="module")
def client(database_url: str, engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The API of an app holding the curated directory, as ``kiosk init`` leaves it."""
    from kiosk import create_app
    from kiosk.db import get_database

    home = tmp_path_factory.mktemp("crisis-judgments")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "KIOSK_HOME": str(home), "INDEX_DIR": str(home / "index")})
    with_curated_directory(app)
    yield app.test_client()
    get_database(app).dispose()
    wipe(engine)


def crisis_of(client: FlaskClient, query: str) -> dict[str, Any] | None:
    """The ``crisis`` object the API answers for ``query``; every pinned listing comes first."""
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 200, (query, response.status_code)
    body = response.get_json()
    crisis = body["crisis"]
    if crisis:
        flags = [r["crisis"] for r in body["results"]]
        assert flags == sorted(flags, reverse=True), f"{query!r}: a pinned listing below another result"
        assert body["results"] and body["results"][0]["crisis"], f"{query!r}: no pinned listing first"
    return crisis


def test_there_is_a_judgment_file() -> None:
    assert FILES, "no tests/relevance/crisis_*.csv"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_crisis_judgments(client: FlaskClient, path: Path) -> None:
    judgments = load_crisis_judgments(path)
    assert judgments, path
    assert {j.kind for j in judgments} <= {*KINDS, "lookalike"}
    assert {j.language for j in judgments} <= set(LANGUAGES)
    result = score(path.stem, judgments, lambda q: crisis_of(client, q))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{path.stem}.json").write_text(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    print("\n" + table(result))
    assert failures(result) == []
