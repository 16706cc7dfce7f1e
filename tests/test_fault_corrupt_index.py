"""Fault: the index directory is damaged before the app starts; it is rebuilt from the database.

Each kind of damage is met twice: by a newly started app (its first search rebuilds and answers)
and by ``kiosk init``. Bytes damaged in the middle of a segment file still open, so only the
checksums recorded at commit (``search_index/engine/integrity.py``) reveal them; without that check
searches touching them fail with ``zlib.error``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from kiosk.config import index_dir
from kiosk.search import stop
from kiosk.db import get_database
from search_factory import make_service
from search_index.upkeep.drift import find_drift
from directory_data.journal import install_journal_hooks
from search_index.engine.layout import Generation, IndexLayout
from search_index.upkeep.rebuild import rebuild_index
from search_index.engine.store import index_health

pytestmark = pytest.mark.slow


def _segment(generation: Generation) -> Path:
    return next(generation.path.glob("*.seg"))


def _overwrite(path: Path, offset: int, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(os.urandom(size))


DAMAGE: dict[str, Callable[[Generation], None]] = {
    "garbage table of contents": lambda g: next(g.path.glob("_MAIN_*.toc")).write_bytes(os.urandom(300)),
    "garbage segment file": lambda g: _segment(g).write_bytes(os.urandom(_segment(g).stat().st_size)),
    "truncated segment file": lambda g: os.truncate(_segment(g), _segment(g).stat().st_size // 2),
    "bytes damaged mid-segment": lambda g: _overwrite(_segment(g), _segment(g).stat().st_size // 10, 64),
    "segment file missing": lambda g: _segment(g).unlink(),
    "garbage pointer": lambda g: (g.path.parent / "CURRENT").write_bytes(os.urandom(40)),
    "garbage meta.json": lambda g: g.meta_path.write_bytes(os.urandom(40)),
}


def _search_ids(app: Flask) -> list[str]:
    response = app.test_client().get("/api/v1/search", query_string={"q": "quetzal", "per_page": 50})
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(hit["id"] for hit in response.get_json()["results"])


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_is_rebuilt_at_start(app_factory: Callable[..., Flask], damage: str) -> None:
    first = app_factory()
    factory = get_database(first).session_factory
    install_journal_hooks(factory)
    with factory.begin() as session:
        ids = sorted(make_service(session, f"Quetzal Counseling {i}", description="counseling").id
                     for i in range(6))
    layout = IndexLayout(index_dir(first.config))
    rebuild_index(layout, factory)
    assert _search_ids(first) == ids
    stop(first)  # that process ends: its journal reader would repair the damage itself

    for start in ("new app", "kiosk init"):
        damaged = layout.current()
        assert damaged is not None
        DAMAGE[damage](damaged)
        if damage == "bytes damaged mid-segment":
            assert index_health(layout) is None  # it still opens: only the checksums tell
        app = app_factory()  # a process starting on the damaged directory
        if start == "kiosk init":
            result = app.test_cli_runner().invoke(args=["init"])
            assert result.exit_code == 0, result.output
            assert "rebuilt" in result.output
        assert _search_ids(app) == ids, start
        assert layout.current_name() != damaged.name, start
        report = find_drift(layout, factory)
        assert report.clean, report.summary()
        stop(app)
