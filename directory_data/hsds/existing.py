"""What the database already holds, read in bulk before the import decides what to write.

All records of a source are read with one query per table the first time the source is asked
about (so a re-import compares in memory instead of querying row by row); records of other
sources are read by id when an import meets the same HSDS id (:meth:`Existing.prefetch`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from directory_data.models import Base

#: Model tables with ``id``/``source``/``source_id``, in the order they are written.
SOURCED_TABLES: tuple[str, ...] = (
    "taxonomy", "taxonomy_term", "organization", "service", "location", "service_at_location",
    "phone", "address", "accessibility", "schedule", "language", "cost_option",
)
_CHUNK = 500


def table(name: str) -> Table:
    """The model table ``name``."""
    return Base.metadata.tables[name]


class Existing:
    """Existing records by table: ``id -> column values`` and ``(source, source_id) -> id``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.keys: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
        self.loaded_sources: set[str] = set()
        self.taxonomy_links: dict[str, set[str]] = defaultdict(set)
        self.categories: dict[str, dict[str, str]] = defaultdict(dict)
        self._links_loaded: set[str] = set()
        self._slugs: set[str] | None = None
        self._other_sources: dict[str, tuple[set[str], bool]] = {}

    def _add(self, name: str, found: Iterable[Any]) -> list[str]:
        ids = []
        rows, keys = self.rows[name], self.keys[name]
        for record in found:
            values = dict(record._mapping)
            rows[values["id"]] = values
            keys[(values["source"], values["source_id"])] = values["id"]
            ids.append(values["id"])
        return ids

    def load_source(self, source: str) -> None:
        """Read every record of ``source`` (once)."""
        if source in self.loaded_sources:
            return
        self.loaded_sources.add(source)
        for name in SOURCED_TABLES:
            t = table(name)
            self._add(name, self.session.execute(select(t).where(t.c.source == source)))
        self._load_links(list(self.rows["service"]))

    def find(self, name: str, source: str, source_id: str) -> str | None:
        """The id of the record of table ``name`` upserted as ``(source, source_id)``."""
        self.load_source(source)
        return self.keys[name].get((source, source_id))

    def get(self, name: str, record_id: str) -> dict[str, Any] | None:
        """The column values of record ``record_id`` if it has been read."""
        return self.rows[name].get(record_id)

    def _others(self, name: str) -> bool:
        """Whether table ``name`` holds records of sources not read in full (cached)."""
        known = self._other_sources.get(name)
        if known is None or known[0] != self.loaded_sources:
            t = table(name)
            query = select(t.c.id).limit(1)
            if self.loaded_sources:
                query = query.where(t.c.source.not_in(sorted(self.loaded_sources)))
            known = (set(self.loaded_sources), self.session.execute(query).first() is not None)
            self._other_sources[name] = known
        return known[1]

    def prefetch(self, name: str, ids: Iterable[str]) -> None:
        """Read the records of table ``name`` with these ids that have not been read yet."""
        if not self._others(name):
            return  # every record of the table has been read: nothing more to find
        wanted = [i for i in dict.fromkeys(ids) if i not in self.rows[name]]
        t = table(name)
        found: list[str] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            found += self._add(name, self.session.execute(select(t).where(t.c.id.in_(chunk))))
        if name == "service" and found:
            self._load_links(found)

    def _load_links(self, service_ids: list[str]) -> None:
        st, sc = table("service_taxonomy"), table("service_category")
        ids = [i for i in service_ids if i not in self._links_loaded]
        self._links_loaded.update(ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            for service_id, term_id in self.session.execute(
                select(st.c.service_id, st.c.taxonomy_term_id).where(st.c.service_id.in_(chunk))
            ):
                self.taxonomy_links[service_id].add(term_id)
            for service_id, slug, assigned_by in self.session.execute(
                select(sc.c.service_id, sc.c.category_slug, sc.c.assigned_by).where(
                    sc.c.service_id.in_(chunk))
            ):
                self.categories[service_id][slug] = assigned_by

    def term(self, term_id: str) -> tuple[str | None, str | None] | None:
        """``(code, name)`` of an existing taxonomy term, read on demand."""
        if term_id not in self.rows["taxonomy_term"]:
            self.prefetch("taxonomy_term", [term_id])
        row = self.rows["taxonomy_term"].get(term_id)
        return (row["code"], row["name"]) if row else None

    def category_slugs(self) -> set[str]:
        """The slugs of every category in the database."""
        if self._slugs is None:
            t = table("category")
            self._slugs = set(self.session.scalars(select(t.c.slug)))
        return self._slugs

    def services_at(self, location_ids: Iterable[str]) -> dict[str, set[str]]:
        """Existing service ids per location (from the service-at-location links read so far)."""
        wanted = set(location_ids)
        found: dict[str, set[str]] = defaultdict(set)
        for values in self.rows["service_at_location"].values():
            if values["location_id"] in wanted:
                found[values["location_id"]].add(values["service_id"])
        return found
