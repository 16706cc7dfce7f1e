"""Build steps for attributes: taxonomy links, and the kiosk's ``kiosk:*`` extension fields.

An attribute with a ``kiosk:*`` term (see :mod:`.extensions`) sets a field of the record it
describes (a service's Spanish name, a location's confidentiality, a phone's audience ...) or,
with ``kiosk:source``/``kiosk:source-id``, the key the record is upserted under. Any other
attribute of a service attaches its taxonomy term to the service.
"""

from __future__ import annotations

from typing import Any

from directory_data.models import PhoneAudience
from directory_data.validation import parse_bool

from . import extensions as ext
from .build_state import RECORD_KINDS, BuildState, first_value, kind_name
from .cleaning import clean_line, clean_text
from .mapping import LIMITS
from .rows import REFERENCES, SourceRow


class AttributeSteps(BuildState):
    """Reading attributes into taxonomy links and extension fields."""

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

    def _target_of(self, row: SourceRow) -> SourceRow | None:
        """The row an attribute describes: its JSON parent, or the row its ``link_id`` names."""
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
        """Move extension values onto their rows; turn service terms into taxonomy links."""
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
                               f"a {kind_name(target.kind)}")
                continue
            link = SourceRow("service_taxonomy", {}, row.origin, row.table, row.raw_id,
                             links={"service_id": target, "taxonomy_id": term})
            link.derived_from = row
            self.by_kind["service_taxonomy"].append(link)
        for row in self.rows:
            if row.ext:
                self.extension_kinds.add(row.kind)

    def _apply_extensions(self, row: SourceRow, values: dict[str, Any]) -> None:
        """Set the kiosk fields of ``row``'s record from its ``kiosk:*`` values.

        Only when the import carries extension attributes for this kind at all: an HSDS
        export of another system does not clear a caseworker's Spanish text or notes.
        """
        kind = row.kind
        if kind not in self.extension_kinds:
            return
        if kind == "service":
            for code, column in ((ext.NAME_ES, "name_es"), (ext.DESCRIPTION_ES, "description_es"),
                                 (ext.OFFICER_NOTES, "officer_notes")):
                text = first_value(row.ext.get(code))
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
            audience = (first_value(row.ext.get(ext.AUDIENCE)) or "public").strip().lower()
            try:
                values["audience"] = PhoneAudience(audience)
            except ValueError:
                self.problem(row, "audience", f"{audience!r} is not public or officer; "
                                              f"public used")
                values["audience"] = PhoneAudience.public

    def _flag(self, row: SourceRow, code: str, default: bool | None) -> bool | None:
        """A ``true``/``false`` extension value of ``row`` (``default`` when absent or bad)."""
        raw = first_value(row.ext.get(code))
        if raw is None:
            return default
        value, errors = parse_bool(raw, code)
        for error in errors:
            self.problem(row, code, error.message)
        return default if value is None else value
