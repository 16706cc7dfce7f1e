"""Build steps for links: foreign keys resolved to record ids, and what dangling ones mean.

A link is resolved to a row of this import (by the object it is nested in, or by the source's
id), else to a record of the same source already in the database, else to a record with that
HSDS id. A dangling link is handled by what it is: a service or location is kept without its
organization, a phone, schedule or language keeps its other owners, an address without its
location is skipped. Dangling links are summed up in one warning per kind of link.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .build_state import (
    ORGANIZATION_ADDRESS,
    BuildState,
    is_uuid,
    kind_name,
    plural,
)
from .cleaning import clean_line
from .rows import OWNERS, REFERENCES, SourceRow

_ABSENT = object()


class LinkSteps(BuildState):
    """Resolving foreign keys."""

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
        if existing is None and is_uuid(key):
            self.existing.prefetch(target_kind, [key.lower()])
            if self.existing.get(target_kind, key.lower()) is not None:
                existing = key.lower()
        if existing is not None:
            return existing, None
        return None, key

    def _link(self, row: SourceRow) -> None:
        """Resolve every link of ``row``; skip it when it is left without its owner."""
        values = self.values[row]
        refs = REFERENCES[row.kind]
        missing: dict[str, str] = {}
        for name in refs:
            if name not in row.links:
                raw = row.fields.get(name, _ABSENT)
                if raw is _ABSENT:
                    continue
                if raw is None or raw == "":  # what _resolve gives an empty link, sooner
                    values[name] = None
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
                    return self.skip(row, ORGANIZATION_ADDRESS)
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
                return self.skip(row, f"the {kind_name(kind)} belongs to no "
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
        """Skip ``row`` for want of link ``name`` (dangling, or not given)."""
        what = name.removesuffix("_id").replace("_", " ")
        if name in missing:
            self.skip(row, f"its {what} {missing[name]} is not in this import")
        else:
            self.skip(row, f"the {kind_name(row.kind)} names no {what} (no {name})")

    def _fill_from_link(self, values: dict[str, Any], sal_id: str) -> None:
        """Take the service and location of a service-at-location link the row names."""
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
        """A location without organization gets the one organization of its services."""
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

    def _dangling_warnings(self) -> None:
        """One warning per kind of dangling link, with the most referenced missing ids."""
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
            files = sorted({_file_of(r) for r in self.by_kind.get(target, [])}) or [
                "this import"]
            total = sum(counter.values())
            examples = ", ".join(f"{key} ({count} {plural(kind, count)})"
                                 for key, count in counter.most_common(5))
            more = f" and {len(counter) - 5} more" if len(counter) > 5 else ""
            then = consequence.get((kind, name), "the link was left empty")
            if len(counter) == 1:
                key, count = next(iter(counter.items()))
                message = (f"{kind_name(target)} {key} referenced by {count} "
                           f"{plural(kind, count)} is not in {', '.join(files)}; {then}")
            else:
                message = (f"{len(counter)} {plural(target, len(counter))} referenced by {total} "
                           f"{plural(kind, total)} are not in {', '.join(files)} (ids {examples}"
                           f"{more}); {then}")
            self.report.warn(message)


def _file_of(row: SourceRow) -> str:
    """The file a row was read from, as the report names it (a JSON file, not its kinds)."""
    if row.origin.pointer is None or "#" in row.table:
        return row.table
    return row.origin.file
