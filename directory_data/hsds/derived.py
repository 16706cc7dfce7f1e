"""Build steps for what is derived from several rows: eligibility text, taxonomy, categories.

HSDS 1.1 eligibility rows are appended to their service's ``eligibility_description``. A
service's full set of taxonomy terms is collected when the import lists them all (a taxonomy
table, or a JSON service with ``attributes``); the crosswalk then gives its categories
(``assigned_by="crosswalk"``), and ``kiosk:category`` attributes the listing's own
(``assigned_by="listing"``).
"""

from __future__ import annotations

import re
from collections import defaultdict

from . import extensions as ext
from .cleaning import clean_line, clean_text
from .links import LinkSteps
from .rows import SourceRow


_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


class DerivedSteps(LinkSteps):
    """Eligibility, taxonomy links and categories."""

    def _eligibility(self) -> None:
        """Append each 1.1 eligibility row's text to its service's eligibility description."""
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
        """The full set of terms of every service whose terms the import lists."""
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
        """Crosswalk categories from each listed term set; listing categories from attributes."""
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
                if not _SLUG.fullmatch(slug):
                    self.problem(row, ext.CATEGORY, f"{raw!r} is not a category slug; ignored")
                    continue
                if slug not in known and slug not in self.plan.new_categories:
                    name = slug.replace("-", " ").capitalize()
                    self.plan.new_categories[slug] = (name, name)
                    self.report.warn(f"category {slug!r} did not exist; it was created "
                                     f"(give it a Spanish name in the caseworker workspace)")
                slugs.add(slug)
            self.plan.listing_categories[self.ids[row]] = slugs
