"""Input the importer cannot use: a clear message, exit status 2, and the database unchanged.

Each case first imports a good package (so the database is not empty), then feeds the bad one
through ``import_path`` and through ``kiosk import``, and compares the row count of every
table before and after.
"""

from __future__ import annotations

import json
import os
import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from hsds_packages import import_and_commit, row_counts, small_v1_package, write_csv
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from directory_data.hsds.importer import HSDSImportError, import_path

JUNK_BYTES = 50 * 1024 * 1024


def truncated_csv(folder: Path) -> Path:
    package = small_v1_package(folder)
    text = (package / "services.csv").read_text(encoding="utf-8")
    cut = text[: text.index("A safe place")] + '"A safe place to stay.\n\nOpen to wom'
    (package / "services.csv").write_text(cut, encoding="utf-8")
    return package


def latin1_file(folder: Path) -> Path:
    package = small_v1_package(folder)
    lines = (package / "organizations.csv").read_text(encoding="utf-8").splitlines()
    lines.append("3,CAFÉ DE LA ESPERANZA,,Comidas calientes.,,")
    (package / "organizations.csv").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return package


def missing_column(folder: Path) -> Path:
    package = small_v1_package(folder)
    write_csv(package / "services.csv", ["id", "organization_id", "title"],
              [[10, 1, "Emergency Shelter"]])
    return package


def junk_file(folder: Path) -> Path:
    folder.mkdir(parents=True)
    path = folder / "directory.json"
    with path.open("wb") as handle:
        for _ in range(JUNK_BYTES // (1024 * 1024)):
            handle.write(os.urandom(1024 * 1024))
    return path


def junk_in_a_package(folder: Path) -> Path:
    package = small_v1_package(folder)
    with (package / "locations.csv").open("wb") as handle:
        handle.write(b"id,name\n")
        for _ in range(JUNK_BYTES // (1024 * 1024)):
            handle.write(os.urandom(1024 * 1024))
    return package


def text_junk_in_a_package(folder: Path) -> Path:
    """50 MB of valid UTF-8 text that is no CSV table, as ``services.csv``."""
    package = small_v1_package(folder)
    line = ("lorem,ipsum dolor sit amet " * 8 + "\n").encode()
    with (package / "services.csv").open("wb") as handle:
        for _ in range(JUNK_BYTES // len(line)):
            handle.write(line)
    return package


def not_hsds_json(folder: Path) -> Path:
    folder.mkdir(parents=True)
    path = folder / "weather.json"
    path.write_text(json.dumps({"city": "Sanford", "forecast": [{"day": "Mon", "high": 91}]}),
                    encoding="utf-8")
    return path


def broken_json(folder: Path) -> Path:
    folder.mkdir(parents=True)
    path = folder / "services.json"
    path.write_text('{"contents": [{"id": "1", "name": "Shelter", "status": "act', encoding="utf-8")
    return path


def empty_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    return folder


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "truncated csv": (truncated_csv, r"services\.csv is cut off: the record starting on line 2"),
    "latin-1 file": (latin1_file, r"organizations\.csv is not UTF-8 text: line 4 has the byte "
                                  r"0xC9"),
    "missing required column": (missing_column, r"services\.csv has no 'name' column"),
    "50 MB junk file": (junk_file, r"directory\.json is not a text file"),
    "junk in a package": (junk_in_a_package, r"locations\.csv is not (a text file|UTF-8)"),
    "50 MB of text junk": (text_junk_in_a_package, r"services\.csv has no 'id', 'name' column"),
    "json that is not hsds": (not_hsds_json, r"weather\.json is not HSDS data"),
    "broken json": (broken_json, r"services\.json is not valid JSON: line 1"),
    "empty folder": (empty_folder, r"nothing to import: .* has no CSV files"),
}


@pytest.fixture
def loaded(tmp_path: Path, engine: Engine,
           session_factory: sessionmaker[Session]) -> dict[str, int]:
    """A database holding a small package; its row counts."""
    import_and_commit(session_factory, small_v1_package(tmp_path / "good"))
    counts = row_counts(engine)
    assert counts["service"] == 3
    return counts


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_and_changes_nothing(
    case: str, loaded: dict[str, int], tmp_path: Path, engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    make, message = CASES[case]
    path = make(tmp_path / "bad")
    with session_factory() as session:
        with pytest.raises(HSDSImportError, match=message):
            import_path(session, path)
        session.commit()  # even a commit after the error leaves nothing behind
    assert row_counts(engine) == loaded


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_through_the_cli(
    case: str, loaded: dict[str, int], tmp_path: Path, engine: Engine, runner: FlaskCliRunner
) -> None:
    make, message = CASES[case]
    path = make(tmp_path / "bad")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 2, result.output
    assert re.search(message, result.output), result.output
    assert result.output.startswith("error: ")
    assert row_counts(engine) == loaded


@pytest.mark.parametrize("make", [junk_file, text_junk_in_a_package])
def test_junk_is_rejected_fast_without_reading_it_all(
    tmp_path: Path, db_session: Session, make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path / "junk")
    tracemalloc.start()
    try:
        with pytest.raises(HSDSImportError):
            import_path(db_session, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024  # the 64 KiB sniff, not the 50 MB file


def test_a_single_csv_file_is_refused_with_advice(tmp_path: Path, db_session: Session) -> None:
    package = small_v1_package(tmp_path / "pkg")
    with pytest.raises(HSDSImportError, match="give the folder"):
        import_path(db_session, package / "services.csv")


def test_a_folder_of_unrelated_csv_files_is_refused(tmp_path: Path, db_session: Session) -> None:
    write_csv(tmp_path / "budget.csv", ["year", "amount"], [[2024, 10]])
    with pytest.raises(HSDSImportError, match="not an HSDS package"):
        import_path(db_session, tmp_path)


def test_cli_import_writes_the_report(tmp_path: Path, runner: FlaskCliRunner) -> None:
    package = small_v1_package(tmp_path / "pkg")
    report_path = tmp_path / "r.json"
    result = runner.invoke(args=["import", str(package), "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "pkg: 3 services (3 created" in result.output
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["source"] == "pkg"
    assert report["tables"]["services.csv"] == {
        "kind": "service", "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "skipped": 0}
    assert report["skipped"] == []
    assert report["totals"]["rows"] == sum(t["rows"] for t in report["tables"].values())


def test_cli_dry_run_saves_nothing(tmp_path: Path, engine: Engine, runner: FlaskCliRunner) -> None:
    before = row_counts(engine)
    result = runner.invoke(args=["import", str(small_v1_package(tmp_path / "pkg")), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "nothing saved" in result.output
    assert row_counts(engine) == before
