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
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import available_timezones

from directory_data.models import PhoneAudience, stable_id
from directory_data.taxonomy_crosswalk import Crosswalk
from directory_data.validation import parse_bool

from . import extensions as ext
from .cleaning import clean_line, clean_text
from .existing import Existing
from .mapping import LIMITS, MAPPERS
from .mapping import schedule as map_schedule
from .report import FieldProblem, ImportReport
from .rows import KINDS, OWNERS, REFERENCES, SourceRow

#: Kinds stored as records of the model table of the same name.
RECORD_KINDS = ("taxonomy", "taxonomy_term", "organization", "service", "location",
                "service_at_location", "phone", "address", "accessibility", "schedule",
                "language", "cost_option")
#: Kinds whose repeated ids mean a repeated record (the later rows are skipped).
TOP_LEVEL = ("taxonomy", "taxonomy_term", "organization", "service", "location")
#: Link fields that may hold several comma-separated ids.
PACKABLE = {"service_at_location": ("service_id", "location_id"),
            "eligibility": ("service_id",), "service_taxonomy": ("service_id",),
            "language": ("service_id", "location_id")}
_ID_LIKE = re.compile(r"[\w.:@#/-]+")
_KIND_NAMES = {"service_at_location": "service-at-location link", "taxonomy_term": "taxonomy term",
               "cost_option": "cost option"}
_PLURAL = {"accessibility": "accessibility rows", "taxonomy": "taxonomies"}
_SOURCE_ID_MAX = 200
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ORGANIZATION_ADDRESS = ("the address belongs to an organization, not a location; the directory "
                         "keeps addresses of locations only")
_PHONE_LIST = re.compile(r"\s*(?:;|\bor\b|\s/\s|,\s*(?=\(?\d{3}))\s*", re.IGNORECASE)


def _name(kind: str) -> str:
    return _KIND_NAMES.get(kind, kind.replace("_", " "))


def _plural(kind: str, count: int) -> str:
    if count == 1:
        return _name(kind)
    return _PLURAL.get(kind, _name(kind) + "s")


@dataclass(eq=False, slots=True)
class Planned:
    """A record to write: its table, id, upsert key, managed column values and source row."""

    table: str
    id: str
    source: str
    source_id: str
    values: dict[str, Any]
    row: SourceRow


@dataclass
class Plan:
    """Everything the loader writes.

    ``coverage`` says which existing children the import replaces: for a child table, the
    ``(link column, parent id)`` pairs whose children all are in the import, so the other ones
    are removed. ``taxonomy_links`` / ``crosswalk_categories`` / ``listing_categories`` hold the
    full wanted sets for the services they name.
    """

    records: dict[str, dict[str, Planned]] = field(default_factory=dict)
    coverage: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    taxonomy_links: dict[str, set[str]] = field(default_factory=dict)
    crosswalk_categories: dict[str, set[str]] = field(default_factory=dict)
    listing_categories: dict[str, set[str]] = field(default_factory=dict)
    new_categories: dict[str, tuple[str, str]] = field(default_factory=dict)
    skipped: set[SourceRow] = field(default_factory=set)
    uncounted: set[SourceRow] = field(default_factory=set)
    targets: dict[SourceRow, list[tuple[str, Any]]] = field(
        default_factory=lambda: defaultdict(list))
    sources: set[str] = field(default_factory=set)


class Builder:
    """Turns the rows of one import into a :class:`Plan` (see the module docstring)."""

    def __init__(self, rows: list[SourceRow], source: str, existing: Existing,
                 crosswalk: Crosswalk, report: ImportReport, covered: set[str]) -> None:
        self.rows = rows
        self.source = source
        self.existing = existing
        self.crosswalk = crosswalk
        self.report = report
        self.covered = covered
        self.plan = Plan()
        self.by_kind: dict[str, list[SourceRow]] = defaultdict(list)
        self.by_raw: dict[tuple[str, str], SourceRow] = {}
        self.ids: dict[SourceRow, str] = {}
        self.values: dict[SourceRow, dict[str, Any]] = {}
        self.identity: dict[SourceRow, tuple[str, str]] = {}
        self.skipped: set[SourceRow] = set()
        self.ext_targets: list[tuple[SourceRow, SourceRow, str]] = []
        self.key_owner: dict[SourceRow, SourceRow] = {}
        self._sal_links: dict[str, dict[str, Any]] | None = None
        self.dangling: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.extension_kinds: set[str] = set()
        self.ext_terms = {ext.term_id(code): code for code in ext.EXTENSIONS}

    # -- bookkeeping --------------------------------------------------------------------------

    def skip(self, row: SourceRow, reason: str) -> None:
        """Skip ``row``; a row counted in the report is listed with the reason."""
        if row in self.skipped:
            return
        self.skipped.add(row)
        if row.derived_from is not None and row.counted in self.skipped:
            return  # its source row is skipped (and reported) already
        if row.derived_from is None:
            self.report.skip(row.table, row.kind, row.origin.file, row.origin.where,
                             row.raw_id, reason)
        else:
            parent = row.counted
            self.report.field_problems.append(FieldProblem(
                parent.origin.file, parent.origin.where, parent.raw_id, row.kind,
                f"{_article(_name(row.kind))} {_name(row.kind)} made from this row was not used: "
                f"{reason}"))

    def problem(self, row: SourceRow, name: str, message: str) -> None:
        counted = row.counted
        self.report.field_problems.append(FieldProblem(
            counted.origin.file, counted.origin.where, counted.raw_id, name, message))

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

    def _drop_extension_vocabulary(self) -> None:
        """The kiosk extension terms and their taxonomy are how attributes are spelled, not data.

        They are neither imported nor counted: the attributes using them are.
        """
        keep = []
        for row in self.rows:
            if row.kind == "taxonomy_term" and (ext.is_extension(row.fields.get("code"))
                                                or row.raw_id in self.ext_terms):
                self.plan.uncounted.add(row)
            elif row.kind == "taxonomy" and (row.raw_id == ext.EXTENSION_TAXONOMY_ID or
                                             row.fields.get("name") == ext.EXTENSION_TAXONOMY):
                self.plan.uncounted.add(row)
            else:
                keep.append(row)
        self.rows = keep

    def _unpack_ids(self) -> None:
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
                                   f"{_where(first)}); only the first row is used")
            else:
                occurrence[ident] += 1
                row.key = f"{row.raw_id}#{occurrence[ident]}"
                self.by_raw.setdefault(ident, row)
        dups = {k for k, c in counts.items() if c > 1 and k[0] not in TOP_LEVEL}
        for kind in sorted({k for k, _ in dups}):
            n = sum(1 for k in dups if k[0] == kind)
            self.report.warn(f"{n} ids are repeated in the {_name(kind)} rows; each row was kept "
                             f"as its own {_name(kind)} (id + position)")

    def _target_of(self, row: SourceRow) -> SourceRow | None:
        link = row.links.get("link_id")
        if link is not None:
            return link
        link_id = clean_line(row.fields.get("link_id"))
        if not link_id:
            return None
        entity = (clean_line(row.fields.get("link_entity")) or "").lower()
        kinds = [entity] if entity in REFERENCES else list(RECORD_KINDS)
        for kind in kinds:
            found = self.by_raw.get((kind, link_id))
            if found is not None:
                return found
        return None

    def _term_of(self, row: SourceRow) -> tuple[SourceRow | None, str | None]:
        """The term row of an attribute, and the extension code when it is a kiosk term."""
        term = row.links.get("taxonomy_term_id")
        term_id = clean_line(row.fields.get("taxonomy_term_id"))
        if term is None and term_id:
            term = self.by_raw.get(("taxonomy_term", term_id))
        if term_id in self.ext_terms:
            return None, self.ext_terms[term_id]
        if term is not None:
            code = clean_line(term.fields.get("code"))
            if ext.is_extension(code):
                return None, code
            if term.raw_id in self.ext_terms:
                return None, self.ext_terms[term.raw_id]
        return term, None

    def _apply_attributes(self) -> None:
        for row in self.by_kind.get("attribute", []):
            target = self._target_of(row)
            term, code = self._term_of(row)
            if target is None:
                link = clean_line(row.fields.get("link_id"))
                self.skip(row, f"it describes {link}, which is not in this import" if link
                          else "it does not say which record it describes (no link_id)")
                continue
            if code is not None:
                value = clean_text(row.fields.get("value"))
                target.ext.setdefault(code, []).append(value or "")
                self.extension_kinds.add(target.kind)
                self.ext_targets.append((row, target, code))
                continue
            if term is None:
                term_id = clean_line(row.fields.get("taxonomy_term_id"))
                self.skip(row, f"its taxonomy term {term_id} is not in this import" if term_id
                          else "it names no taxonomy term")
                continue
            if target.kind != "service":
                self.skip(row, f"taxonomy terms are kept for services only; this one describes "
                               f"a {_name(target.kind)}")
                continue
            link = SourceRow("service_taxonomy", {}, row.origin, row.table, row.raw_id,
                             links={"service_id": target, "taxonomy_id": term})
            link.derived_from = row
            self.by_kind["service_taxonomy"].append(link)
        for row in self.rows:
            if row.ext:
                self.extension_kinds.add(row.kind)

    def _owner_key(self, row: SourceRow, name: str) -> str | None:
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
        position: Counter[str] = Counter()
        nameless: Counter[str] = Counter()
        for kind in KINDS:
            for row in self.by_kind.get(kind, []):
                if row in self.skipped:
                    continue
                if row.key is None and row.raw_id:
                    row.key = _short_key(row.raw_id)
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
                        self.skip(row, f"the {_name(kind)} has no id and no name")
                    elif kind == "address" and clean_line(row.fields.get("organization_id")):
                        self.skip(row, _ORGANIZATION_ADDRESS)
                    else:
                        self.skip(row, f"the {_name(kind)} has no id and names no "
                                       f"{' or '.join(n.removesuffix('_id') for n in OWNERS.get(kind, ()))}"
                                       f" it belongs to")
                if row.key is not None:
                    row.key = _short_key(row.key)
        for kind, count in nameless.items():
            self.report.warn(f"{count} {_plural(kind, count)} have no id; they are matched by "
                             f"name on later imports")

    def _identify(self) -> None:
        claimed: dict[tuple[str, str, str], SourceRow] = {}
        pending: dict[str, list[SourceRow]] = defaultdict(list)
        for kind in RECORD_KINDS:
            for row in self.by_kind.get(kind, []):
                if row in self.skipped or row.key is None:
                    continue
                override_source = _first(row.ext.get(ext.SOURCE))
                override_id = _first(row.ext.get(ext.SOURCE_ID))
                owner = self.key_owner.get(row)
                if override_source and override_id:
                    source, source_id = override_source[:100], override_id[:_SOURCE_ID_MAX]
                elif owner is not None and owner in self.identity:
                    # a made-up id lives in the source of the record it was made from
                    source, source_id = self.identity[owner][0], row.key
                else:
                    source, source_id = self.source, row.key
                ident = (kind, source, source_id)
                if ident in claimed:
                    self.skip(row, f"it is the same record as {_where(claimed[ident])} "
                                   f"(source id {source_id})")
                    continue
                claimed[ident] = row
                self.plan.sources.add(source)
                found = self.existing.find(kind, source, source_id)
                if found is None and override_id and row.raw_id and _is_uuid(row.raw_id):
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
                    f"{adopted} {_plural(kind, adopted)} of this import "
                    f"{'was' if adopted == 1 else 'were'} already in the directory under another "
                    f"source (same HSDS id) and matched to {'it' if adopted == 1 else 'them'}")

    def _map(self, row: SourceRow) -> None:
        kind = row.kind
        if kind == "schedule":
            zone = _first(row.ext.get(ext.TIMEZONE))
            if zone is not None and zone not in _zones():
                self.problem(row, "timezone", f"{zone!r} is not an IANA time zone; ignored")
                zone = None
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

    def _apply_extensions(self, row: SourceRow, values: dict[str, Any]) -> None:
        kind = row.kind
        if kind not in self.extension_kinds:
            return
        if kind == "service":
            for code, column in ((ext.NAME_ES, "name_es"), (ext.DESCRIPTION_ES, "description_es"),
                                 (ext.OFFICER_NOTES, "officer_notes")):
                text = _first(row.ext.get(code))
                value = clean_line(text) if column == "name_es" else clean_text(text)
                limit = LIMITS["service"].get(column)
                if value and limit and len(value) > limit:
                    self.problem(row, code, f"longer than {limit} characters; shortened")
                    value = value[: limit - 1].rstrip() + "…"
                values[column] = value
            values["walk_in"] = self._flag(row, ext.WALK_IN, None)
        elif kind == "location":
            values["confidential"] = bool(self._flag(row, ext.CONFIDENTIAL, False))
        elif kind == "phone":
            audience = (_first(row.ext.get(ext.AUDIENCE)) or "public").strip().lower()
            try:
                values["audience"] = PhoneAudience(audience)
            except ValueError:
                self.problem(row, "audience", f"{audience!r} is not public or officer; "
                                              f"public used")
                values["audience"] = PhoneAudience.public

    def _flag(self, row: SourceRow, code: str, default: bool | None) -> bool | None:
        raw = _first(row.ext.get(code))
        if raw is None:
            return default
        value, errors = parse_bool(raw, code)
        for error in errors:
            self.problem(row, code, error.message)
        return default if value is None else value

    def _fix_location_organizations(self) -> None:
        """Miami's export puts each location's own id in ``organization_id``: ignore that."""
        locations = [r for r in self.by_kind.get("location", []) if "organization_id" in r.fields]
        given = [r for r in locations if clean_line(r.fields.get("organization_id"))]
        if len(given) < 10:
            return
        own = sum(1 for r in given if clean_line(r.fields["organization_id"]) == r.raw_id)
        if own >= 0.9 * len(given):
            for row in locations:
                row.fields.pop("organization_id", None)
            self.report.warn(
                f"locations' organization_id is the location's own id in {own} of {len(given)} "
                f"rows (a known HSDS Transformer bug); locations were linked to the organization "
                f"of the services offered there instead")

    def _resolve(self, row: SourceRow, name: str) -> tuple[str | None, str | None]:
        """(record id, dangling source id) for link ``name`` of ``row``."""
        target_kind = REFERENCES[row.kind][name]
        linked = row.links.get(name)
        if linked is not None:
            if linked in self.skipped or linked not in self.ids:
                return None, linked.raw_id or linked.key or "?"
            return self.ids[linked], None
        raw = row.fields.get(name)
        key = clean_line(raw) if raw is not None else None
        if not key:
            return None, None
        found = self.by_raw.get((target_kind, key))
        if found is not None:
            if found in self.skipped or found not in self.ids:
                return None, key
            return self.ids[found], None
        existing = self.existing.find(target_kind, self.source, key)
        if existing is None and _is_uuid(key):
            self.existing.prefetch(target_kind, [key.lower()])
            if self.existing.get(target_kind, key.lower()) is not None:
                existing = key.lower()
        if existing is not None:
            return existing, None
        return None, key

    def _link(self, row: SourceRow) -> None:
        values = self.values[row]
        refs = REFERENCES[row.kind]
        missing: dict[str, str] = {}
        for name in refs:
            if name not in row.fields and name not in row.links:
                continue
            record_id, dangling = self._resolve(row, name)
            if dangling is not None:
                missing[name] = dangling
            values[name] = record_id
        kind = row.kind
        if kind == "service_at_location":
            for name in ("service_id", "location_id"):
                if not values.get(name):
                    return self._skip_link(row, name, missing)
        elif kind in ("address", "accessibility"):
            if not values.get("location_id"):
                if clean_line(row.fields.get("organization_id")):
                    return self.skip(row, _ORGANIZATION_ADDRESS)
                return self._skip_link(row, "location_id", missing)
        elif kind == "cost_option":
            if not values.get("service_id"):
                return self._skip_link(row, "service_id", missing)
        elif kind in ("phone", "schedule", "language"):
            sal = values.pop("service_at_location_id", None) if kind == "phone" else values.get(
                "service_at_location_id")
            if sal is not None:
                self._fill_from_link(values, sal)
            owners = [n for n in OWNERS[kind] if n != "service_at_location_id"]
            if kind == "schedule":
                owners.append("service_at_location_id")
            if not any(values.get(n) for n in owners):
                if missing:
                    name, key = next(iter(missing.items()))
                    return self.skip(row, f"its {name.removesuffix('_id').replace('_', ' ')} "
                                          f"{key} is not in this import")
                return self.skip(row, f"the {_name(kind)} belongs to no "
                                      f"{' or '.join(n.removesuffix('_id') for n in owners)}")
            for name, key in missing.items():
                self.dangling[(kind, name)][key] += 1
            if kind == "phone":
                values.pop("service_at_location_id", None)
            return None
        for name, key in missing.items():
            self.dangling[(kind, name)][key] += 1
        return None

    def _skip_link(self, row: SourceRow, name: str, missing: dict[str, str]) -> None:
        what = name.removesuffix("_id").replace("_", " ")
        if name in missing:
            self.skip(row, f"its {what} {missing[name]} is not in this import")
        else:
            self.skip(row, f"the {_name(row.kind)} names no {what} (no {name})")

    def _fill_from_link(self, values: dict[str, Any], sal_id: str) -> None:
        if self._sal_links is None:
            self._sal_links = {self.ids[r]: self.values[r]
                               for r in self.by_kind.get("service_at_location", [])
                               if r in self.values and r not in self.skipped}
        link = self._sal_links.get(sal_id) or self.existing.get("service_at_location", sal_id)
        if link is None:
            return
        values["service_id"] = values.get("service_id") or link.get("service_id")
        values["location_id"] = values.get("location_id") or link.get("location_id")

    def _location_organization_fallback(self) -> None:
        orgs_at: dict[str, set[str]] = defaultdict(set)
        service_org = {self.ids[r]: self.values[r].get("organization_id")
                       for r in self.by_kind.get("service", []) if r in self.values}
        for row in self.by_kind.get("service_at_location", []):
            values = self.values.get(row)
            if values and values.get("location_id"):
                org = service_org.get(values.get("service_id"))
                if org:
                    orgs_at[values["location_id"]].add(org)
        for row in self.by_kind.get("location", []):
            values = self.values.get(row)
            if values is None or values.get("organization_id"):
                continue
            orgs = orgs_at.get(self.ids[row], set())
            if len(orgs) == 1:
                values["organization_id"] = next(iter(orgs))
                dangling = self.dangling.get(("location", "organization_id"))
                key = clean_line(row.fields.get("organization_id"))
                if dangling and key and dangling.get(key):
                    dangling[key] -= 1
                    if dangling[key] <= 0:
                        del dangling[key]

    def _eligibility(self) -> None:
        texts: dict[SourceRow, list[str]] = defaultdict(list)
        services = {self.ids[r]: r for r in self.by_kind.get("service", []) if r in self.values}
        for row in self.by_kind.get("eligibility", []):
            if row in self.skipped:
                continue
            text = clean_text(row.fields.get("eligibility"))
            if not text:
                self.skip(row, "the eligibility text is empty")
                continue
            record_id, dangling = self._resolve(row, "service_id")
            if record_id is None or record_id not in services:
                if dangling:
                    self.skip(row, f"its service {dangling} is not in this import")
                else:
                    self.skip(row, "it names no service (no service_id), so it cannot be "
                                   "attached to one")
                continue
            service = services[record_id]
            texts[service].append(text)
            self.target(row, "service", record_id)
        for service, parts in texts.items():
            values = self.values[service]
            own = values.get("eligibility_description")
            values["eligibility_description"] = "\n\n".join(
                dict.fromkeys([*([own] if own else []), *parts]))

    def _taxonomy_links(self) -> None:
        covered_services: set[str] = set()
        if "service_taxonomy" in self.covered:
            covered_services = {self.ids[r] for r in self.by_kind.get("service", [])
                                if r in self.values}
        for row in self.by_kind.get("service", []):
            if row in self.values and "attribute" in row.children:
                covered_services.add(self.ids[row])
        links: dict[str, set[str]] = {sid: set() for sid in covered_services}
        for row in self.by_kind.get("service_taxonomy", []):
            if row in self.skipped:
                continue
            service_id, s_missing = self._resolve(row, "service_id")
            term_id, t_missing = self._resolve(row, "taxonomy_id")
            if service_id is None or term_id is None:
                if s_missing or not service_id:
                    reason = (f"its service {s_missing} is not in this import" if s_missing
                              else "it names no service")
                else:
                    reason = (f"its taxonomy term {t_missing} is not in this import"
                              if t_missing else "it names no taxonomy term")
                self.skip(row, reason)
                continue
            links.setdefault(service_id, set()).add(term_id)
            self.target(row, "service_taxonomy", (service_id, term_id))
        self.plan.taxonomy_links = links

    def _categories(self) -> None:
        terms: dict[str, tuple[str | None, str | None]] = {}
        for row in self.by_kind.get("taxonomy_term", []):
            if row in self.values:
                values = self.values[row]
                terms[self.ids[row]] = (values.get("code"), values.get("name"))
        for service_id, term_ids in self.plan.taxonomy_links.items():
            pairs = [terms.get(t) or self.existing.term(t) for t in term_ids]
            self.plan.crosswalk_categories[service_id] = self.crosswalk.categories_for_terms(
                p for p in pairs if p is not None)
        if "service" not in self.extension_kinds:
            return
        known = self.existing.category_slugs()
        for row in self.by_kind.get("service", []):
            if row not in self.values:
                continue
            slugs: set[str] = set()
            for raw in row.ext.get(ext.CATEGORY, []):
                slug = (clean_line(raw) or "").lower()
                if not slug:
                    continue
                if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", slug):
                    self.problem(row, ext.CATEGORY, f"{raw!r} is not a category slug; ignored")
                    continue
                if slug not in known and slug not in self.plan.new_categories:
                    name = slug.replace("-", " ").capitalize()
                    self.plan.new_categories[slug] = (name, name)
                    self.report.warn(f"category {slug!r} did not exist; it was created "
                                     f"(give it a Spanish name in the caseworker workspace)")
                slugs.add(slug)
            self.plan.listing_categories[self.ids[row]] = slugs

    def _emit(self) -> None:
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
                self.skip(attribute, f"the {_name(target.kind)} it describes was not imported")
            else:
                self.target(attribute, target.kind, self.ids[target])
        self._coverage()

    def target(self, row: SourceRow, table: str, key: Any) -> None:
        """Note that ``row`` (or the row it was made from) wrote ``key`` of ``table``."""
        targets = self.plan.targets[row.counted]
        if row.derived_from is None:
            targets.insert(0, (table, key))
        else:
            targets.append((table, key))

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

    def _dangling_warnings(self) -> None:
        consequence = {
            ("service", "organization_id"): "the services were kept without an organization",
            ("location", "organization_id"): "the locations were kept without an organization",
            ("organization", "parent_organization_id"): "kept without a parent organization",
            ("taxonomy_term", "parent_id"): "the terms were kept without a parent",
            ("taxonomy_term", "taxonomy_id"): "the terms were kept without a taxonomy",
        }
        for (kind, name), counter in sorted(self.dangling.items()):
            counter = Counter({k: c for k, c in counter.items() if c > 0})
            if not counter:
                continue
            target = REFERENCES[kind][name]
            files = sorted({r.origin.file.split("#")[0] if r.origin.pointer and "#" not in
                            r.table else r.table for r in self.by_kind.get(target, [])}) or \
                sorted({r.origin.file for r in self.by_kind.get(kind, [])
                        if r.origin.pointer}) or ["this import"]
            total = sum(counter.values())
            examples = ", ".join(f"{key} ({count} {_plural(kind, count)})"
                                 for key, count in counter.most_common(5))
            more = f" and {len(counter) - 5} more" if len(counter) > 5 else ""
            then = consequence.get((kind, name), f"the link was left empty")
            if len(counter) == 1:
                key, count = next(iter(counter.items()))
                message = (f"{_name(target)} {key} referenced by {count} "
                           f"{_plural(kind, count)} is not in {', '.join(files)}; {then}")
            else:
                message = (f"{len(counter)} {_plural(target, len(counter))} referenced by {total} "
                           f"{_plural(kind, total)} are not in {', '.join(files)} (ids {examples}"
                           f"{more}); {then}")
            self.report.warn(message)


def _short_key(key: str) -> str:
    """``key`` if it fits a source id, else its start and a hash of the whole."""
    if len(key) <= _SOURCE_ID_MAX:
        return key
    return key[:160] + "~" + str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _first(values: list[str] | None) -> str | None:
    if not values:
        return None
    for value in values:
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _where(row: SourceRow) -> str:
    where = row.origin.where
    return f"line {where}" if isinstance(where, int) else f"{where}"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def build_plan(rows: Iterable[SourceRow], source: str, existing: Existing, crosswalk: Crosswalk,
               report: ImportReport, covered: set[str]) -> Plan:
    """Build the :class:`Plan` for ``rows`` (see the module docstring)."""
    return Builder(list(rows), source, existing, crosswalk, report, covered).build()
