"""Canonical rows -> the records to write: ids, values, resolved links, categories.

Steps (each row of the report is settled here as skipped, or handed on with its records):

1. **Extension attributes** (``kiosk:*``) are moved onto the rows they describe; other
   attributes become service-taxonomy links.
2. **Comma-packed ids** in link fields (``"89016,89006"``) become one row per id; junk parts
   are dropped with a warning.
3. **Source ids**: the row's id, else one made up from its parent's id and its position among
   that parent's rows of the kind (stable across re-imports of the same file), so blank and
   repeated ids still give each row its own record. Repeated ids of top-level records
   (organizations, services, locations, taxonomy terms) skip the later rows.
4. **Identity**: a record is upserted under ``(source, source_id)``: the import's source name,
   or the ``kiosk:source``/``kiosk:source-id`` attributes when present. Its id is the id it
   already has in the database, else :func:`~directory_data.models.stable_id`.
5. **Values**: :mod:`.mapping` validates and cleans; rows that cannot be used are skipped with
   the reason.
6. **Links**: foreign keys are resolved to record ids, to rows of this import or records of the
   same source already in the database. What happens to a dangling link depends on what it is:
   a service is kept without its organization (one warning for all of them); a phone, schedule
   or language keeps its other owners; an address without its location is skipped.
7. **Categories**: the crosswalk maps each service's taxonomy terms to mission categories
   (``assigned_by="crosswalk"``); ``kiosk:category`` attributes name them directly
   (``assigned_by="listing"``).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable

from directory_data.models import stable_id
from directory_data.taxonomy_crosswalk import Crosswalk
from directory_data.validation import parse_time_zone

from . import extensions as ext
from .attributes import AttributeSteps
from .build_state import (
    ORGANIZATION_ADDRESS,
    RECORD_KINDS,
    SOURCE_ID_MAX,
    TOP_LEVEL,
    Plan,
    Planned,
    first_value,
    is_uuid,
    kind_name,
    plural,
    position_of,
    short_key,
)
from .cleaning import clean_line
from .derived import DerivedSteps
from .existing import Existing
from .mapping import MAPPERS
from .mapping import schedule as map_schedule
from .report import ImportReport
from .rows import KINDS, OWNERS, REFERENCES, SourceRow

__all__ = ["Builder", "Plan", "Planned", "build_plan"]

#: Link fields that may hold several comma-separated ids.
PACKABLE = {"service_at_location": ("service_id", "location_id"),
            "eligibility": ("service_id",), "service_taxonomy": ("service_id",),
            "language": ("service_id", "location_id")}
_ID_LIKE = re.compile(r"[\w.:@#/-]+")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PHONE_LIST = re.compile(r"\s*(?:;|\bor\b|\s/\s|,\s*(?=\(?\d{3}))\s*", re.IGNORECASE)


class Builder(AttributeSteps, DerivedSteps):
    """Turns the rows of one import into a :class:`Plan` (see the module docstring)."""

    # -- the steps ---------------------------------------------------------------------------

    def build(self) -> Plan:
        """Run every step and return the plan."""
        self._drop_extension_vocabulary()
        self._unpack_ids()
        self._split_phone_lists()
        for row in self.rows:
            self.by_kind[row.kind].append(row)
        self._index_raw_ids()
        self._apply_attributes()
        self._assign_keys()
        self._identify()
        for kind in RECORD_KINDS:
            for row in self.by_kind.get(kind, []):
                if row not in self.skipped:
                    self._map(row)
        self._fix_location_organizations()
        for kind in RECORD_KINDS:
            for row in self.by_kind.get(kind, []):
                if row not in self.skipped:
                    self._link(row)
        self._location_organization_fallback()
        self._eligibility()
        self._taxonomy_links()
        self._categories()
        self._emit()
        self._dangling_warnings()
        self.plan.skipped = self.skipped
        return self.plan

    def _unpack_ids(self) -> None:
        """Split comma-packed link fields (``"89016,89006"``) into one row per id."""
        extra: list[SourceRow] = []
        for row in self.rows:
            for name in PACKABLE.get(row.kind, ()):
                value = row.fields.get(name)
                if not isinstance(value, str) or "," not in value:
                    continue
                parts = [p.strip() for p in value.split(",") if p.strip()]
                good = [p for p in parts if _ID_LIKE.fullmatch(p)]
                junk = [p for p in parts if p not in good]
                if junk:
                    self.problem(row, name, f"{value!r} lists {', '.join(map(repr, junk))}, "
                                            f"which is not an id; ignored")
                if not good:
                    continue
                row.fields[name] = good[0]
                for n, part in enumerate(good[1:], 2):
                    copy = SourceRow(row.kind, {**row.fields, name: part}, row.origin, row.table,
                                     row.raw_id, derived_from=row, links=dict(row.links))
                    if row.raw_id:
                        copy.key = f"{row.raw_id}#{n}"
                    extra.append(copy)
        self.rows.extend(extra)

    def _split_phone_lists(self) -> None:
        """``"(618) 453-3217; (618) 536-7711"``: one phone row per number."""
        extra: list[SourceRow] = []
        for row in self.rows:
            number = row.fields.get("number") if row.kind == "phone" else None
            if not isinstance(number, str) or not _PHONE_LIST.search(number):
                continue
            parts = [p for p in _PHONE_LIST.split(number) if p and p.strip()]
            if len(parts) < 2 or any(len(re.sub(r"\D", "", p)) < 7 for p in parts):
                continue
            row.fields["number"] = parts[0]
            for n, part in enumerate(parts[1:], 2):
                copy = SourceRow("phone", {**row.fields, "number": part}, row.origin, row.table,
                                 row.raw_id, derived_from=row, links=dict(row.links))
                copy.key = f"{row.raw_id or row.origin.where}#phone{n}"
                extra.append(copy)
        self.rows.extend(extra)

    def _index_raw_ids(self) -> None:
        """Index rows by their source id; repeated ids: skip (records) or number (children)."""
        counts = Counter((row.kind, row.raw_id) for row in self.rows
                         if row.raw_id and row.derived_from is None)
        seen: dict[tuple[str, str], SourceRow] = {}
        occurrence: Counter[tuple[str, str]] = Counter()
        for row in self.rows:
            if not row.raw_id or row.derived_from is not None:
                continue
            ident = (row.kind, row.raw_id)
            if counts[ident] == 1:
                self.by_raw[ident] = row
                continue
            if row.kind in TOP_LEVEL:
                first = seen.get(ident)
                if first is None:
                    seen[ident] = row
                    self.by_raw[ident] = row
                else:
                    self.skip(row, f"the id {row.raw_id} is repeated (first on "
                                   f"{position_of(first)}); only the first row is used")
            else:
                occurrence[ident] += 1
                row.key = f"{row.raw_id}#{occurrence[ident]}"
                self.by_raw.setdefault(ident, row)
        dups = {k for k, c in counts.items() if c > 1 and k[0] not in TOP_LEVEL}
        for kind in sorted({k for k, _ in dups}):
            n = sum(1 for k in dups if k[0] == kind)
            what = kind_name(kind)
            self.report.warn(f"{n} ids are repeated in the {what} rows; each row was kept as its "
                             f"own {what} (id + position)")

    def _owner_key(self, row: SourceRow, name: str) -> str | None:
        """The source id of the owner link ``name`` of ``row`` (and remember the owner row)."""
        linked = row.links.get(name)
        if linked is not None:
            self.key_owner.setdefault(row, linked)
            return linked.key
        value = clean_line(row.fields.get(name))
        if value:
            owner = self.by_raw.get((REFERENCES[row.kind].get(name, ""), value))
            if owner is not None:
                self.key_owner.setdefault(row, owner)
        return value or None

    def _assign_keys(self) -> None:
        """Give every row its source id: its own, else one made from its owner and position."""
        position: Counter[str] = Counter()
        nameless: Counter[str] = Counter()
        for kind in KINDS:
            for row in self.by_kind.get(kind, []):
                if row in self.skipped:
                    continue
                if row.key is None and row.raw_id:
                    row.key = short_key(row.raw_id)
                    continue
                if row.key is None and kind == "service_at_location":
                    service = self._owner_key(row, "service_id")
                    location = self._owner_key(row, "location_id")
                    if service and location:
                        row.key = f"{service}@{location}"
                if row.key is None and kind in OWNERS:
                    for name in OWNERS[kind]:
                        owner = self._owner_key(row, name)
                        if owner:
                            scope = f"{name.removesuffix('_id')}:{owner}/{kind}"
                            position[scope] += 1
                            row.key = f"{scope}#{position[scope]}"
                            break
                if row.key is None and kind in TOP_LEVEL:
                    name = clean_line(row.fields.get("name"))
                    if name:
                        row.key = f"name:{name}"
                        nameless[kind] += 1
                if row.key is None and kind not in ("service_taxonomy", "attribute",
                                                    "eligibility"):
                    if row.derived_from is not None and row.derived_from.key:
                        row.key = f"{row.derived_from.key}/{kind}"
                    elif kind in TOP_LEVEL:
                        self.skip(row, f"the {kind_name(kind)} has no id and no name")
                    elif kind == "address" and clean_line(row.fields.get("organization_id")):
                        self.skip(row, ORGANIZATION_ADDRESS)
                    else:
                        owners = " or ".join(n.removesuffix("_id") for n in OWNERS.get(kind, ()))
                        self.skip(row, f"the {kind_name(kind)} has no id and names no {owners} "
                                       f"it belongs to")
                if row.key is not None:
                    row.key = short_key(row.key)
        for kind, count in nameless.items():
            self.report.warn(f"{count} {plural(kind, count)} have no id; they are matched by "
                             f"name on later imports")

    def _identify(self) -> None:
        """Decide each record's ``(source, source_id)`` and id (see the module docstring)."""
        claimed: dict[tuple[str, str, str], SourceRow] = {}
        pending: dict[str, list[SourceRow]] = defaultdict(list)
        for kind in RECORD_KINDS:
            for row in self.by_kind.get(kind, []):
                if row in self.skipped or row.key is None:
                    continue
                if row.ext:
                    override_source = first_value(row.ext.get(ext.SOURCE))
                    override_id = first_value(row.ext.get(ext.SOURCE_ID))
                else:
                    override_source = override_id = None
                owner = self.key_owner.get(row)
                if override_source and override_id:
                    source, source_id = override_source[:100], override_id[:SOURCE_ID_MAX]
                elif owner is not None and owner in self.identity:
                    # a made-up id lives in the source of the record it was made from
                    source, source_id = self.identity[owner][0], row.key
                else:
                    source, source_id = self.source, row.key
                ident = (kind, source, source_id)
                if ident in claimed:
                    self.skip(row, f"it is the same record as {position_of(claimed[ident])} "
                                   f"(source id {source_id})")
                    continue
                claimed[ident] = row
                self.plan.sources.add(source)
                found = self.existing.find(kind, source, source_id)
                if found is None and override_id and row.raw_id and is_uuid(row.raw_id):
                    record_id = str(uuid.UUID(row.raw_id))  # keep the id the file gives
                elif found is not None:
                    record_id = found
                elif _CANONICAL_UUID.fullmatch(source_id):
                    record_id = source_id  # what stable_id gives a UUID, without parsing it
                else:
                    record_id = stable_id(source, kind, source_id)
                if found is None and (record_id == source_id.lower() or override_id):
                    pending[kind].append(row)  # an HSDS UUID: maybe known under another source
                self.ids[row] = record_id
                self.identity[row] = (source, source_id)
        for kind, rows in pending.items():
            self.existing.prefetch(kind, [self.ids[r] for r in rows])
            adopted = 0
            for row in rows:
                other = self.existing.get(kind, self.ids[row])
                if other is not None:
                    adopted += 1
                    self.identity[row] = (other["source"], other["source_id"])
            if adopted:
                self.report.warn(
                    f"{adopted} {plural(kind, adopted)} of this import "
                    f"{'was' if adopted == 1 else 'were'} already in the directory under another "
                    f"source (same HSDS id) and matched to {'it' if adopted == 1 else 'them'}")

    def _map(self, row: SourceRow) -> None:
        """Validate and clean ``row`` into column values (or skip it)."""
        kind = row.kind
        if kind == "schedule":
            zone, errors = parse_time_zone(first_value(row.ext.get(ext.TIMEZONE)), ext.TIMEZONE)
            for error in errors:
                self.problem(row, error.field, f"{error.message}; ignored")
            mapped = map_schedule(row.fields, timezone=zone)
        else:
            mapped = MAPPERS[kind](row.fields)
        if mapped.skip is not None:
            self.skip(row, mapped.skip)
            return
        for problem in mapped.problems:
            self.problem(row, problem.field, problem.message)
        values = mapped.values
        self._apply_extensions(row, values)
        self.values[row] = values

    def _emit(self) -> None:
        """Put the records that survived every step into the plan."""
        records = self.plan.records
        for kind in RECORD_KINDS:
            table: dict[str, Planned] = {}
            for row in self.by_kind.get(kind, []):
                values = self.values.get(row)
                if values is None or row in self.skipped:
                    continue
                record_id = self.ids[row]
                source, source_id = self.identity[row]
                table[record_id] = Planned(kind, record_id, source, source_id, values, row)
                self.target(row, kind, record_id)
            records[kind] = table
        for attribute, target, _code in self.ext_targets:
            if target in self.skipped or target not in self.values:
                self.skip(attribute, f"the {kind_name(target.kind)} it describes was not imported")
            else:
                self.target(attribute, target.kind, self.ids[target])
        self._coverage()

    def _coverage(self) -> None:
        """Which existing children the import replaces (see :class:`Plan`)."""
        parents: dict[str, set[str]] = {
            kind: set(self.plan.records.get(kind, {})) for kind in RECORD_KINDS}
        listing = [p for kind in RECORD_KINDS for p in self.plan.records.get(kind, {}).values()
                   if p.row.children]
        for child in ("phone", "schedule", "language", "address", "accessibility",
                      "cost_option", "service_at_location"):
            links = [n for n in REFERENCES[child] if not (child == "phone" and
                                                          n == "service_at_location_id")]
            if child in self.covered:
                for name in links:
                    for parent_id in parents[REFERENCES[child][name]]:
                        self.plan.coverage[child].add((name, parent_id))
            for planned in listing:
                if child in planned.row.children:
                    for name in links:
                        if REFERENCES[child][name] == planned.table:
                            self.plan.coverage[child].add((name, planned.id))


def build_plan(rows: Iterable[SourceRow], source: str, existing: Existing, crosswalk: Crosswalk,
               report: ImportReport, covered: set[str]) -> Plan:
    """Build the :class:`Plan` for ``rows`` (see the module docstring)."""
    return Builder(list(rows), source, existing, crosswalk, report, covered).build()
