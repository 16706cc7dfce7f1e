"""Fault: the index directory cannot be written (disk full, read-only) while a caseworker edits.

The edit stays committed in the database; searches keep answering from the last good index;
``/healthz`` reports the problem (200 ``degraded``) and the log has one error for it, not one per
poll; once the directory can be written again the next search applies the journal and the edit
is searchable, with nothing else to do. Tests may run as root, whom ``chmod`` does not stop, so
the disk-full and permission cases raise the ``OSError`` from Whoosh's file creation; the
``chmod`` case runs for real when the tests do not run as root.
"""

from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from whoosh.filedb.filestore import FileStorage

from curated_app import with_curated_directory
from directory_data.models import Service
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import wait_caught_up
from search_index.engine import layout as layout_module
from search_index.upkeep.drift import find_drift
from search_index.engine.layout import IndexLayout

Fault = Callable[[Flask, pytest.MonkeyPatch], Any]


def _failing_create(code: int, matches: Callable[[str], bool]) -> Callable[..., Any]:
    real = FileStorage.create_file

    def create_file(self: FileStorage, name: str, *args: Any, **kwargs: Any) -> Any:
        if matches(name):
            raise OSError(code, os.strerror(code), name)
        return real(self, name, *args, **kwargs)

    return create_file


@contextmanager
def _patched(code: int, matches: Callable[[str], bool]) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FileStorage, "create_file", _failing_create(code, matches))
        yield os.strerror(code)


@contextmanager
def _read_only(root: Path) -> Iterator[str]:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories; the patched cases cover it")
    paths = [root, *root.glob("gen-*")]
    for path in paths:
        path.chmod(0o555)
    try:
        yield os.strerror(errno.EACCES)
    finally:
        for path in paths:
            path.chmod(0o755)


class _FullDiskOs:
    """The ``os`` module as :mod:`search_index.engine.layout` sees it on a full disk: ``fsync`` fails."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def fsync(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@contextmanager
def _cursor_not_saved(_root: Path) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(layout_module, "os", _FullDiskOs())
        yield os.strerror(errno.ENOSPC)


FAULTS: dict[str, Callable[[Path], Any]] = {
    "disk full at the first file": lambda _root: _patched(errno.ENOSPC, lambda _name: True),
    "disk full writing the segment": lambda _root: _patched(errno.ENOSPC, lambda name: name.endswith(".seg")),
    "disk full writing the table of contents": lambda _root: _patched(errno.ENOSPC, lambda name: ".toc" in name),
    "permission denied": lambda _root: _patched(errno.EACCES, lambda _name: True),
    "read-only directory (chmod)": _read_only,
    "disk full saving the journal cursor": _cursor_not_saved,
}

#: Faults that strike after Whoosh committed: the edit is searchable at once, only the cursor lags.
AFTER_COMMIT = {"disk full saving the journal cursor"}


def _search(app: Flask, query: str) -> list[str]:
    response = app.test_client().get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [hit["id"] for hit in response.get_json()["results"]]


def _health(app: Flask) -> tuple[int, dict[str, Any]]:
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json()


@pytest.fixture
def curated_app(app_factory: Callable[..., Flask]) -> Flask:
    """An app with the curated directory."""
    return with_curated_directory(app_factory())


@pytest.mark.parametrize("fault", list(FAULTS))
def test_unwritable_index_keeps_serving_and_heals(
    curated_app: Flask, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = curated_app
    factory = get_database(app).session_factory
    root = index_dir(app.config)
    with factory() as session:
        service = session.scalars(select(Service).order_by(Service.name)).first()
        service_id, old_name = service.id, service.name
    assert service_id in _search(app, old_name)
    assert _health(app)[1]["status"] == "ok"

    with caplog.at_level(logging.DEBUG, logger="search_index"), FAULTS[fault](root) as message:
        with factory() as session:  # a caseworker's edit, committed as a request commits it
            session.get(Service, service_id).name = "Ocelot Counseling"
            session.commit()
        with factory() as session:
            assert session.get(Service, service_id).name == "Ocelot Counseling"
        for _ in range(3):  # the journal reader fails to apply the edit; searches go on
            wait_caught_up(app, timeout=5)
            if fault in AFTER_COMMIT:
                assert _search(app, "Ocelot") == [service_id]
            else:
                assert _search(app, "Ocelot") == []
                assert service_id in _search(app, old_name)  # the last good index
        code, body = _health(app)
    assert code == 200 and body["status"] == "degraded", body
    assert any(message in problem for problem in body["problems"]), body["problems"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("search_index")]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "last good index" in errors[0].getMessage()

    started = time.monotonic()
    assert wait_caught_up(app)  # writable again: the reader's next pass heals it
    assert _search(app, "Ocelot") == [service_id]
    assert time.monotonic() - started < 5.0  # no lock was left behind to wait for
    assert _health(app)[1]["status"] == "ok"
    assert any("updates work again" in r.getMessage() for r in caplog.records)
    assert find_drift(IndexLayout(root), factory).clean
    assert not list(root.rglob("*.tmp")), "a failed write left temporary files behind"
