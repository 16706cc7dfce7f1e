"""Writing a :class:`~.build.Plan`: bulk inserts, updates of changed rows only, removals.

Per table, in foreign-key order: records not in the database are inserted with one
``executemany``; records whose managed columns differ from the stored values are updated
(``version`` + 1 and ``updated_at`` on services, organizations and locations); the rest are
left alone and reported unchanged. A self-reference (an organization's parent, a term's parent)
is set after the table's inserts, so rows may come in any order. Then the link tables
(service taxonomy, service categories), then children the import no longer lists are deleted,
and every service whose listing changed is written to the change journal.

Everything goes through the caller's session and transaction; nothing is committed here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.orm import Session

from directory_data.districts import reassign_locations
from directory_data.journal import record_service_changes
from directory_data.models import utcnow

from .build import Plan
from .existing import SOURCED_TABLES, Existing, table

VERSIONED = frozenset({"organization", "service", "location"})
SELF_REFERENCES = {"organization": "parent_organization_id", "taxonomy_term": "parent_id"}
_BOOKKEEPING = frozenset({"id", "source", "source_id", "created_at", "updated_at", "version"})
#: Child tables whose records the import removes when their parent no longer lists them.
CHILD_TABLES = ("service_at_location", "phone", "address", "accessibility", "schedule",
                "language", "cost_option")
_CHUNK = 500

Status = dict[tuple[str, Any], str]


def managed_columns(t: Table) -> list[str]:
    """The columns an import may write (everything but ids, upsert key and bookkeeping).

    ``version`` is bookkeeping (the optimistic lock) on versioned tables only; a taxonomy's
    ``version`` is data.
    """
    skip = _BOOKKEEPING if t.name in VERSIONED else _BOOKKEEPING - {"version"}
    return [c.name for c in t.columns if c.name not in skip]


def _default(t: Table, name: str) -> Any:
    column = t.c[name]
    if column.default is not None and column.default.is_scalar:
        return column.default.arg
    return None


def same(old: Any, new: Any) -> bool:
    """Whether a stored value and an imported one are the same (types as the database gives)."""
    if isinstance(old, enum.Enum):
        old = old.value
    if isinstance(new, enum.Enum):
        new = new.value
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, float) or isinstance(new, float):
        try:
            return abs(float(old) - float(new)) < 1e-9
        except (TypeError, ValueError):
            return False
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except ArithmeticError:
            return False
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        if old.tzinfo is None:
            old = old.replace(tzinfo=dt.timezone.utc)
        if new.tzinfo is None:
            new = new.replace(tzinfo=dt.timezone.utc)
    return bool(old == new)


class Loader:
    """Writes one plan (see the module docstring); :meth:`run` returns what happened."""

    def __init__(self, session: Session, plan: Plan, existing: Existing) -> None:
        self.session = session
        self.plan = plan
        self.existing = existing
        self.now = utcnow()
        self.status: Status = {}
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.removed: dict[str, int] = defaultdict(int)
        self.touched: dict[str, set[str]] = defaultdict(set)
        self.changed_services: set[str] = set()
        self.removed_rows: dict[tuple[str, str], dict[str, Any]] = {}

    def run(self) -> Status:
        """Write everything; returns the status of every planned record and link."""
        with self._large_cache():
            self._categories_table()
            for name in SOURCED_TABLES:
                self._write(name)
            self._taxonomy_links()
            self._service_categories()
            self._remove_children()
        self._collect_changed_services()
        if self.touched.get("location"):  # written in bulk: no ORM hook saw them
            reassign_locations(self.session, self.touched["location"])
        return self.status

    @contextmanager
    def _large_cache(self) -> Iterator[None]:
        """On SQLite, a 256 MiB page cache while writing (indexes of big tables stay in memory)."""
        connection = self.session.connection()
        if connection.dialect.name != "sqlite":
            yield
            return
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size={-256 * 1024}")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")

    # -- records -----------------------------------------------------------------------------

    def _write(self, name: str) -> None:
        planned = self.plan.records.get(name, {})
        if not planned:
            return
        t = table(name)
        columns = managed_columns(t)
        defaults = {c: _default(t, c) for c in columns}
        self_ref = SELF_REFERENCES.get(name)
        inserts: list[dict[str, Any]] = []
        parents: list[dict[str, Any]] = []
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        versioned = name in VERSIONED
        existing = self.existing.rows[name]
        for record in planned.values():
            old = existing.get(record.id)
            values = record.values
            if old is None:
                row = dict(defaults)
                row.update(values)
                row.update(id=record.id, source=record.source, source_id=record.source_id)
                if versioned:
                    row.update(created_at=self.now, updated_at=self.now, version=1)
                if self_ref and row.get(self_ref):
                    parents.append({"b_id": record.id, "b_parent": row[self_ref]})
                    row[self_ref] = None
                inserts.append(row)
                self._mark(name, record.id, "created")
                continue
            if all(same(old.get(c), v) for c, v in values.items()):
                self._mark(name, record.id, "unchanged")
                continue
            signature = tuple(sorted(values))
            updates[signature].append({"b_id": record.id,
                                       **{f"b_{c}": v for c, v in values.items()}})
            self._mark(name, record.id, "updated")
        if inserts:
            self._insert(t, inserts)
        if parents and self_ref:
            self.session.execute(
                update(t).where(t.c.id == bindparam("b_id")).values(
                    {self_ref: bindparam("b_parent", type_=t.c[self_ref].type)}),
                parents,
            )
        for signature, rows in updates.items():
            assignments: dict[Any, Any] = {
                c: bindparam(f"b_{c}", type_=t.c[c].type) for c in signature}
            if versioned:
                assignments["version"] = t.c.version + 1
                assignments["updated_at"] = bindparam("b_updated_at", type_=t.c.updated_at.type)
                for row in rows:
                    row["b_updated_at"] = self.now
            self.session.execute(
                update(t).where(t.c.id == bindparam("b_id")).values(assignments), rows)

    def _insert(self, t: Table, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts with the same keys) in bulk, in the session's transaction.

        The values are converted once per column by each column type's bind processor and go
        straight to the driver: SQLAlchemy's per-row parameter handling costs as much as the
        database's own work on 100,000-row tables. SQLite gets one ``executemany``; PostgreSQL
        (psycopg) gets ``COPY ... FROM STDIN``. Other drivers get a plain ``insert()``.
        """
        connection = self.session.connection()
        dialect = connection.dialect
        copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        if not copy and (dialect.name != "sqlite" or dialect.paramstyle != "qmark"):
            self.session.execute(insert(t), rows)
            return
        names = list(rows[0])
        processors = [t.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in names]
        columns = []
        for name, process in zip(names, processors):
            values = [row[name] for row in rows]
            if process is not None:
                values = [None if value is None else process(value) for value in values]
            columns.append(values)
        quote = dialect.identifier_preparer.quote
        target = f"{quote(t.name)} ({', '.join(quote(n) for n in names)})"
        if copy:
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as stream:
                for record in zip(*columns):
                    stream.write_row(record)
            return
        connection.exec_driver_sql(
            f"INSERT INTO {target} VALUES ({', '.join('?' * len(names))})",
            list(zip(*columns)))

    def _mark(self, name: str, key: Any, status: str) -> None:
        self.status[(name, key)] = status
        self.counts[name][status] += 1
        if status != "unchanged":
            self.touched[name].add(key)

    # -- links -------------------------------------------------------------------------------

    def _taxonomy_links(self) -> None:
        t = table("service_taxonomy")
        adds: list[dict[str, str]] = []
        drops: list[tuple[str, str]] = []
        for service_id, wanted in self.plan.taxonomy_links.items():
            old = self.existing.taxonomy_links.get(service_id, set())
            for term_id in wanted:
                status = "unchanged" if term_id in old else "created"
                if status == "created":
                    adds.append({"service_id": service_id, "taxonomy_term_id": term_id})
                self._mark("service_taxonomy", (service_id, term_id), status)
            for term_id in old - wanted:
                drops.append((service_id, term_id))
            if wanted != old:
                self.changed_services.add(service_id)
                self.status[("service_links", service_id)] = "updated"
        if adds:
            self._insert(t, adds)
        for service_id, term_id in drops:
            self.session.execute(delete(t).where(t.c.service_id == service_id,
                                                 t.c.taxonomy_term_id == term_id))
        self.removed["service_taxonomy"] += len(drops)

    def _categories_table(self) -> None:
        if self.plan.new_categories:
            self.session.execute(insert(table("category")), [
                {"slug": slug, "name_en": en, "name_es": es}
                for slug, (en, es) in self.plan.new_categories.items()])

    def _service_categories(self) -> None:
        t = table("service_category")
        services = set(self.plan.crosswalk_categories) | set(self.plan.listing_categories)
        adds: list[dict[str, str]] = []
        changes: list[dict[str, str]] = []
        drops: list[tuple[str, str]] = []
        for service_id in services:
            managed = set()
            wanted: dict[str, str] = {}
            if service_id in self.plan.crosswalk_categories:
                managed.add("crosswalk")
                wanted.update(dict.fromkeys(self.plan.crosswalk_categories[service_id],
                                            "crosswalk"))
            if service_id in self.plan.listing_categories:
                managed.add("listing")
                wanted.update(dict.fromkeys(self.plan.listing_categories[service_id], "listing"))
            old = self.existing.categories.get(service_id, {})
            changed = False
            for slug, assigned_by in wanted.items():
                before = old.get(slug)
                if before is None:
                    adds.append({"service_id": service_id, "category_slug": slug,
                                 "assigned_by": assigned_by})
                    changed = True
                elif before != assigned_by and before in managed:
                    changes.append({"b_service": service_id, "b_slug": slug,
                                    "b_by": assigned_by})
                    changed = True
            for slug, before in old.items():
                if before in managed and slug not in wanted:
                    drops.append((service_id, slug))
                    changed = True
            if changed:
                self.changed_services.add(service_id)
                self.status[("service_links", service_id)] = "updated"
        if adds:
            self._insert(t, adds)
        if changes:
            self.session.execute(
                update(t).where(t.c.service_id == bindparam("b_service"),
                                t.c.category_slug == bindparam("b_slug"))
                .values(assigned_by=bindparam("b_by")), changes)
        for service_id, slug in drops:
            self.session.execute(delete(t).where(t.c.service_id == service_id,
                                                 t.c.category_slug == slug))
        self.removed["service_category"] += len(drops)

    # -- removals ----------------------------------------------------------------------------

    def _remove_children(self) -> None:
        for name in reversed(CHILD_TABLES):
            coverage = self.plan.coverage.get(name)
            if not coverage:
                continue
            planned = self.plan.records.get(name, {})
            links = [c for c in ("service_id", "location_id", "organization_id", "phone_id",
                                 "service_at_location_id") if c in table(name).c]
            gone = []
            for record_id, values in self.existing.rows[name].items():
                if record_id in planned or values["source"] not in self.plan.sources:
                    continue
                if any((c, values.get(c)) in coverage for c in links if values.get(c)):
                    gone.append(record_id)
            t = table(name)
            for start in range(0, len(gone), _CHUNK):
                self.session.execute(delete(t).where(t.c.id.in_(gone[start:start + _CHUNK])))
            self.removed[name] += len(gone)
            self.touched[name].update(gone)
            for record_id in gone:
                self.removed_rows[(name, record_id)] = self.existing.rows[name][record_id]

    # -- journal -----------------------------------------------------------------------------

    def _values(self, name: str, record_id: str) -> dict[str, Any]:
        planned = self.plan.records.get(name, {}).get(record_id)
        if planned is not None:
            return planned.values
        removed = self.removed_rows.get((name, record_id))
        return removed or self.existing.get(name, record_id) or {}

    def _collect_changed_services(self) -> None:
        changed = self.changed_services
        changed.update(self.touched.get("service", ()))
        locations: set[str] = set(self.touched.get("location", ()))
        organizations: set[str] = set(self.touched.get("organization", ()))
        for name in CHILD_TABLES:
            for record_id in self.touched.get(name, ()):
                values = self._values(name, record_id)
                old = self.existing.get(name, record_id) or {}
                for source in (values, old):
                    if source.get("service_id"):
                        changed.add(source["service_id"])
                    elif source.get("location_id"):
                        locations.add(source["location_id"])
                    elif source.get("organization_id"):
                        organizations.add(source["organization_id"])
        terms = set(self.touched.get("taxonomy_term", ()))
        if locations:
            for services in self._services_at(locations).values():
                changed.update(services)
        if organizations:
            changed.update(self._services_of(organizations))
        if terms:
            for service_id, term_ids in self.plan.taxonomy_links.items():
                if term_ids & terms:
                    changed.add(service_id)
            for service_id, term_ids in self.existing.taxonomy_links.items():
                if term_ids & terms:
                    changed.add(service_id)

    def _services_at(self, locations: Iterable[str]) -> dict[str, set[str]]:
        wanted = set(locations)
        found = self.existing.services_at(wanted)
        for planned in self.plan.records.get("service_at_location", {}).values():
            if planned.values.get("location_id") in wanted:
                found.setdefault(planned.values["location_id"], set()).add(
                    planned.values["service_id"])
        return found

    def _services_of(self, organizations: set[str]) -> set[str]:
        found = {p.id for p in self.plan.records.get("service", {}).values()
                 if p.values.get("organization_id") in organizations}
        found.update(i for i, v in self.existing.rows["service"].items()
                     if v.get("organization_id") in organizations)
        return found

    def journal(self) -> int:
        """Write every changed service to the change journal; returns how many."""
        return record_service_changes(self.session, sorted(self.changed_services))
