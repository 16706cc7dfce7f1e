"""Import an HSDS package into the directory: the public entry point.

``import_path(session, path)`` reads a folder of CSV files (HSDS 1.1 or 3.0, with or without
``datapackage.json``), a ``datapackage.json``, or an HSDS 3.0 JSON file, and upserts everything
in the caller's session, in one transaction the caller commits or rolls back:

1. :mod:`.locate` works out what the path is and the source name;
2. :mod:`.tabular` / :mod:`.json_v3` read everything into canonical rows -- all fatal problems
   (unreadable, not UTF-8, cut off, missing required column, not HSDS) surface here, before
   anything is written, as :class:`HSDSImportError`;
3. :mod:`.build` decides ids, values and links, and which rows are skipped and why;
4. :mod:`.loader` writes with bulk statements; then the services' HSDS 3.1 capacities are read
   (:mod:`.capacities` for JSON objects, :mod:`.tabular_capacity` for ``service_capacity.csv``
   and ``units.csv``);
5. :func:`directory_data.publication.review` holds the services that may not be shown (no way
   to reach them, no category) and publishes those that now may, for every service the import
   names; then every changed service is journaled.

Re-importing the same data changes nothing and reports every row unchanged.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from pathlib import Path

from sqlalchemy.orm import Session

from directory_data.publication import REASONS, review
from directory_data.taxonomy_crosswalk import Crosswalk, load_crosswalk

from .build import Plan, build_plan
from .capacities import CapacityImport
from .errors import HSDSImportError
from .existing import Existing
from .json_v3 import read_json
from .loader import Loader
from .locate import locate
from .report import ImportReport
from .rows import ReadResult, SourceRow
from .tabular import read_tabular
from .tabular_capacity import import_capacities

__all__ = ["HSDSImportError", "ImportReport", "import_path"]


def _read(path: Path) -> tuple[ReadResult, str, str]:
    package = locate(path)
    if package.kind == "json":
        assert package.json_file is not None
        result, form = read_json(package.json_file)
        return result, f"HSDS {form}", package.source_name
    result, version = read_tabular(package)
    return result, f"HSDS {version} tabular", package.source_name


def _row_status(targets: list[tuple[str, object]], status: dict[tuple[str, object], str]) -> str:
    """A row is created with its first record, updated when anything it wrote changed."""
    first = status.get(targets[0], "unchanged")
    if first != "unchanged" or len(targets) == 1:
        return first
    for target in targets[1:]:
        if status.get(target, "unchanged") != "unchanged":
            return "updated"
    return "unchanged"


def import_path(
    session: Session,
    path: Path,
    *,
    source: str | None = None,
    crosswalk: Crosswalk | None = None,
) -> ImportReport:
    """Import the HSDS data at ``path`` into ``session`` (added and flushed, not committed).

    ``source`` names the source records are upserted under (default: from the package, see
    :mod:`.locate`). Records carrying ``kiosk:source``/``kiosk:source-id`` attributes are
    upserted under those instead. ``crosswalk`` maps taxonomy terms to categories (default:
    the editable ``taxonomy_crosswalk.csv``). Raises :class:`HSDSImportError` when the input
    cannot be imported; nothing has been written then.
    """
    started = time.perf_counter()
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects live until the end: skip GC passes
    try:
        return _import(session, Path(path), source, crosswalk, started)
    finally:
        if collecting:
            gc.enable()


def _import(session: Session, path: Path, source: str | None, crosswalk: Crosswalk | None,
            started: float) -> ImportReport:
    result, form, default_source = _read(path)
    name = source.strip()[:100] if source and source.strip() else default_source
    report = ImportReport(source=name, path=str(path), format=form)
    for table, kind in result.tables.items():
        report.table(table, kind)
    report.warnings.extend(result.warnings)
    report.ignored.extend(result.ignored)
    for skipped in result.skipped:
        report.skip(skipped["table"], skipped["table"], skipped["file"], skipped["line"],
                    skipped["id"], skipped["reason"])

    session.flush()
    existing = Existing(session)
    plan = build_plan(result.rows, name, existing, crosswalk or load_crosswalk(), report,
                      result.covered)
    loader = Loader(session, plan, existing)
    status = loader.run()
    for reader in (_capacities(session, result, plan, name, report),
                   import_capacities(session, result, plan, name, report)):
        if reader is not None:
            loader.changed_services |= reader.changed_services
            loader.removed["service_capacity"] += reader.removed
    reviewed = review(session, set(plan.records.get("service", {})) | loader.changed_services)
    loader.changed_services |= reviewed.changed
    report.held = {reason: reviewed.held[reason] for reason in REASONS if reviewed.held[reason]}
    report.held_total, report.published = reviewed.held_total, reviewed.published
    report.journaled = loader.journal()
    session.flush()
    session.expire_all()

    _count_rows(result.rows, plan, status, report)
    report.removed = {k: v for k, v in loader.removed.items() if v}
    report.records = {k: dict(v) for k, v in loader.counts.items()}
    report.seconds = time.perf_counter() - started
    return report


def _capacities(session: Session, result: ReadResult, plan: Plan, source: str,
                report: ImportReport) -> CapacityImport | None:
    """Read the HSDS 3.1 ``capacities`` of the imported service objects (:mod:`.capacities`);
    the reader (the services whose capacities changed, how many were removed), None if none."""
    if not result.capacities:
        return None
    reader = CapacityImport(session, source)
    for row, items, where in result.capacities:
        targets = [target for target in plan.targets.get(row, []) if target[0] == "service"]
        if targets:
            reader.service(str(targets[0][1]), items, where)
    report.warnings.extend(reader.warnings)
    return reader


def _count_rows(rows: list[SourceRow], plan: Plan, status: dict[tuple[str, object], str],
                report: ImportReport) -> None:
    """Count every source row once: skipped rows already are; the rest by their records."""
    tally: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        if row.derived_from is not None or row in plan.skipped or row in plan.uncounted:
            continue
        found = plan.targets.get(row)
        if not found:
            report.skip(row.table, row.kind, row.origin.file, row.origin.where, row.raw_id,
                        "nothing in this row could be imported")
            continue
        if row.kind == "service":
            found = [*found, ("service_links", found[0][1])]
        tally[(row.table, row.kind, _row_status(found, status))] += 1
    for (table, kind, state), count in tally.items():
        report.count(table, kind, state, count)
