"""Drift between the database and an index: find it, and repair it.

(DESIGN.md example 6: moin's ``update`` compares the id sets of backend and index.) Besides ids
missing from the index and ids the index should not have, a document is *stale* when its stored
fields differ from what :func:`~search_index.documents.service_document` gives for the service
now, and *duplicated* when one id has more than one live document. Documents are compared by a
fingerprint of their stored fields, so a verify of 100,000 services holds two small dicts, not
the documents.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from search_index.hours import DEFAULT_TIMEZONE
from search_index.engine.layout import IndexLayout
from search_index.engine.store import ID_FIELD, FileIndex, open_current
from search_index.upkeep.sync import BATCH_ENTRIES, apply_services, documents_for, read_cursor


def stored_names(ix: FileIndex) -> list[str]:
    """The names of the fields ``ix`` stores, sorted."""
    return sorted(name for name, fieldtype in ix.schema.items() if fieldtype.stored)


def fingerprint(doc: Mapping[str, Any], names: Iterable[str]) -> str:
    """A hash of the stored fields ``names`` of ``doc`` (missing fields count as None)."""
    payload = json.dumps({n: doc.get(n) for n in names}, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


@dataclass
class DriftReport:
    """How an index differs from the database."""

    generation: str
    database: int = 0
    indexed: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    position: int = 0

    @property
    def clean(self) -> bool:
        """Whether the index matches the database exactly."""
        return not (self.missing or self.extra or self.stale or self.duplicated)

    @property
    def to_repair(self) -> list[str]:
        """Every service id whose document must be rewritten or removed."""
        return sorted({*self.missing, *self.extra, *self.stale, *self.duplicated})

    def summary(self, sample: int = 5) -> str:
        lines = [
            f"index {self.generation}: {self.indexed} documents, database: {self.database} "
            f"services to index, journal position {self.position}",
        ]
        for label, ids in (
            ("missing from the index", self.missing),
            ("in the index but not to be indexed", self.extra),
            ("stale (document differs)", self.stale),
            ("duplicated", self.duplicated),
        ):
            if ids:
                shown = ", ".join(ids[:sample]) + (" ..." if len(ids) > sample else "")
                lines.append(f"  {len(ids)} {label}: {shown}")
        lines.append("no drift" if self.clean else "drift found")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "clean": self.clean}


def index_fingerprints(ix: FileIndex) -> tuple[dict[str, str], list[str]]:
    """``{service id: fingerprint}`` of the live documents of ``ix``, and the duplicated ids."""
    names = stored_names(ix)
    prints: dict[str, str] = {}
    duplicated: set[str] = set()
    with ix.reader() as reader:
        for _docnum, stored in reader.iter_docs():
            service_id = str(stored.get(ID_FIELD))
            if service_id in prints:
                duplicated.add(service_id)
            prints[service_id] = fingerprint(stored, names)
    return prints, sorted(duplicated)


def find_drift(
    layout: IndexLayout, session_factory: sessionmaker[Session], *, timezone: str = DEFAULT_TIMEZONE
) -> DriftReport:
    """Compare the live index of ``layout`` with the database (raises ``IndexUnavailable``)."""
    generation, ix = open_current(layout)
    report = DriftReport(generation=generation.name, position=read_cursor(generation).position)
    indexed, report.duplicated = index_fingerprints(ix)
    report.indexed = len(indexed)
    names = stored_names(ix)
    seen: set[str] = set()
    with session_factory() as session:
        for doc in documents_for(session, None, timezone):
            service_id = str(doc[ID_FIELD])
            seen.add(service_id)
            have = indexed.get(service_id)
            if have is None:
                report.missing.append(service_id)
            elif have != fingerprint(doc, names):
                report.stale.append(service_id)
    report.database = len(seen)
    report.extra = sorted(set(indexed) - seen)
    report.missing.sort()
    report.stale.sort()
    return report


def repair_drift(
    layout: IndexLayout,
    session_factory: sessionmaker[Session],
    report: DriftReport,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    lock_timeout: float = 60.0,
) -> tuple[int, int]:
    """Rewrite or remove the documents ``report`` names, under the generation's sync lock; return
    (written, removed)."""
    generation, ix = open_current(layout)
    ids = report.to_repair
    written = removed = 0
    with generation.sync_lock().hold(lock_timeout):
        for start in range(0, len(ids), BATCH_ENTRIES):
            w, r = apply_services(ix, session_factory, ids[start : start + BATCH_ENTRIES], timezone=timezone)
            written += w
            removed += r
    return written, removed
