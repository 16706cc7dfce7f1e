"""Crisis pinning over every judged set ``tests/relevance/crisis_*.csv``, through ``GET
/api/v1/search`` on the directory ``kiosk init`` loads: the issue's bars in every language and
every kind (see ``crisis_scoring``). Prints a table and writes ``test-artifacts/crisis_<name>.json``.
A new judgment file dropped beside the others is run too.

Leave-one-file-out: the example backstop (``directory_data/crisis_examples.csv``) holds the rows of
every judged file, so each file is scored with a copy of the examples that leaves out its own rows
and every example with the same words as one of its queries (``KIOSK_CRISIS_EXAMPLES`` names the
copy); otherwise a file would be answered by its own rows and its figures would be memorisation.
Every query's deciding example is checked to come from another file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from conftest import wipe
from crisis_scoring import KINDS, LANGUAGES, CrisisJudgment, failures, load_crisis_judgments, score, table
from curated_app import with_curated_directory

from search_index.query.crisis import EXAMPLES_SETTING, current_backstop, load_rules
from search_index.query.crisis_examples import (
    EXAMPLES_PATH,
    Example,
    ExampleBackstop,
    leave_out,
    parse_examples,
    same_words,
)

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


def left_out_examples(path: Path, judgments: list[CrisisJudgment], folder: Path) -> Path:
    """A copy of the examples file without ``path``'s rows nor any with the text of one of its queries."""
    text = EXAMPLES_PATH.read_text(encoding="utf-8")
    kept = {e.row for e in leave_out(parse_examples(text), path.stem, {j.query for j in judgments})}
    lines = text.splitlines(keepends=True)
    copy = folder / f"examples_without_{path.stem}.csv"
    copy.write_text("".join(line for number, line in enumerate(lines, start=1)
                            if number in kept or not line.strip() or line.startswith("#") or line.startswith("query,")),
                    encoding="utf-8")
    return copy


def own_examples(stem: str, judgments: list[CrisisJudgment], backstop: ExampleBackstop) -> list[tuple[str, Example]]:
    """The queries of a judged file with a voting neighbour in ``backstop`` that is one of the file's
    own rows or has the words of one of its queries (a leak: must be empty)."""
    texts = {same_words(j.query) for j in judgments}
    found = []
    for j in judgments:
        for example, _ in backstop.neighbours(j.query, min_words=0):
            if example.source == stem or same_words(example.query) in texts:
                found.append((j.query, example))
    return found


def test_there_is_a_judgment_file() -> None:
    assert FILES, "no tests/relevance/crisis_*.csv"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_crisis_judgments(client: FlaskClient, path: Path, monkeypatch: pytest.MonkeyPatch,
                          tmp_path: Path) -> None:
    judgments = load_crisis_judgments(path)
    assert judgments, path
    assert {j.kind for j in judgments} <= {*KINDS, "lookalike"}
    assert {j.language for j in judgments} <= set(LANGUAGES)
    monkeypatch.setenv(EXAMPLES_SETTING, str(left_out_examples(path, judgments, tmp_path)))
    backstop = current_backstop()
    assert backstop is not None and backstop.examples
    assert own_examples(path.stem, judgments, backstop) == [], "the file's own rows answer its queries"
    rules = load_rules()
    for j in judgments:  # what decided: never one of the file's own rows
        example = rules.detect(j.query, backstop=backstop).example
        assert example is None or (example.source != path.stem and same_words(example.query) != same_words(j.query))
    result = score(path.stem, judgments, lambda q: crisis_of(client, q))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{path.stem}.json").write_text(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    print("\n" + table(result))
    assert failures(result) == []


@pytest.fixture(scope="module")
def whole_backstop() -> ExampleBackstop:
    """A backstop of the whole examples file, built once for the module (about 0.3 s a build;
    :meth:`ExampleBackstop.neighbours` only reads it)."""
    return ExampleBackstop(parse_examples(EXAMPLES_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_leaving_the_file_out_is_what_keeps_its_rows_out(path: Path, tmp_path: Path,
                                                         whole_backstop: ExampleBackstop) -> None:
    """The leak check finds the file's own rows with the whole examples file (each query is its own
    closest example) when the file is one the examples were built from, and none with the copy the
    judged test uses. A file the examples do not hold (a new set dropped in to be scored blind)
    only has to leave the copy free of its rows."""
    judgments = load_crisis_judgments(path)
    sources = {e.source for e in whole_backstop.examples}
    if path.stem in sources:
        leaks = own_examples(path.stem, judgments, whole_backstop)
        assert len({q for q, _ in leaks}) == len({j.query for j in judgments}), "the file's rows are not all in the examples"
    copy = left_out_examples(path, judgments, tmp_path)
    kept = parse_examples(copy.read_text(encoding="utf-8"))
    assert own_examples(path.stem, judgments, ExampleBackstop(kept)) == []
    assert {e.source for e in kept} >= sources - {path.stem}
    assert path.stem not in {e.source for e in kept}
