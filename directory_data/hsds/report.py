"""The import report: per source table counts, every skipped row with its reason, warnings.

For every source table ``rows == created + updated + unchanged + skipped``. A row is *created*
when its record is new, *updated* when its record (or something it brought along, like the
languages of a 1.1 phone) changed, *unchanged* otherwise. Records the import removed (a phone
no longer listed for a service) are counted per model table under ``removed``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from directory_data.publication import REASON_TEXT

STATUSES = ("created", "updated", "unchanged", "skipped")
_EXAMPLES = 3


@dataclass
class TableCounts:
    """The counts of one source table (a CSV file, or a kind of object in a JSON file)."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The counts as a JSON object."""
        return {"kind": self.kind, "rows": self.rows, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped}


@dataclass
class SkippedRow:
    """A source row that was not imported, and why."""

    file: str
    line: int | str
    id: str | None
    reason: str
    table: str

    def to_dict(self) -> dict[str, Any]:
        """The row as a JSON object."""
        return {"file": self.file, "line": self.line, "id": self.id, "reason": self.reason}


@dataclass
class FieldProblem:
    """A field that was left empty (or repaired) in a row that was imported."""

    file: str
    line: int | str
    id: str | None
    field: str
    message: str


@dataclass
class ImportReport:
    """What an import did. ``summary()`` is one line; ``to_dict()`` the full JSON report."""

    source: str
    path: str
    format: str = ""
    tables: dict[str, TableCounts] = field(default_factory=dict)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    field_problems: list[FieldProblem] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    records: dict[str, dict[str, int]] = field(default_factory=dict)
    journaled: int = 0
    #: Services of the import held for review after it, by reason (see
    #: :mod:`directory_data.publication`), how many in all, and how many it published again.
    held: dict[str, int] = field(default_factory=dict)
    held_total: int = 0
    published: int = 0
    seconds: float = 0.0

    def table(self, name: str, kind: str) -> TableCounts:
        """The counts of source table ``name`` (created on first use)."""
        counts = self.tables.get(name)
        if counts is None:
            counts = self.tables[name] = TableCounts(kind)
        return counts

    def count(self, name: str, kind: str, status: str, rows: int = 1) -> None:
        """Count ``rows`` rows of table ``name`` as ``status``."""
        counts = self.table(name, kind)
        counts.rows += rows
        setattr(counts, status, getattr(counts, status) + rows)

    def skip(self, name: str, kind: str, file: str, line: int | str, row_id: str | None,
             reason: str) -> None:
        """Record a skipped row and count it."""
        self.count(name, kind, "skipped")
        self.skipped.append(SkippedRow(file, line, row_id, reason, name))

    def warn(self, message: str) -> None:
        """Add a warning (once)."""
        if message not in self.warnings:
            self.warnings.append(message)

    def totals(self, kind: str | None = None) -> dict[str, int]:
        """Summed counts over all tables, or over the tables of one ``kind``."""
        total = dict.fromkeys(("rows", *STATUSES), 0)
        for counts in self.tables.values():
            if kind is None or counts.kind == kind:
                for name in total:
                    total[name] += getattr(counts, name)
        return total

    def field_problem_warnings(self) -> list[str]:
        """The field problems summarised: one warning per table and field, with examples."""
        grouped: dict[tuple[str, str], list[FieldProblem]] = defaultdict(list)
        for problem in self.field_problems:
            grouped[(problem.file, problem.field)].append(problem)
        lines = []
        for (file, name), problems in grouped.items():
            examples = "; ".join(
                f"{'line ' if isinstance(p.line, int) else ''}{p.line}: {p.message}"
                for p in problems[:_EXAMPLES])
            more = f" and {len(problems) - _EXAMPLES} more" if len(problems) > _EXAMPLES else ""
            lines.append(f"{file}: {name} left empty or repaired in {len(problems)} "
                         f"row{'s' if len(problems) != 1 else ''} ({examples}{more})")
        return lines

    def summary(self) -> str:
        """One line: what was imported from where, and how it went."""
        total = self.totals()
        services = self.totals("service")
        removed = sum(self.removed.values())
        warnings = len(self.warnings) + len(self.field_problem_warnings())
        return (
            f"{self.source}: {services['rows']:,} services ({services['created']:,} created, "
            f"{services['updated']:,} updated, {services['unchanged']:,} unchanged, "
            f"{services['skipped']:,} skipped); all {total['rows']:,} rows in "
            f"{len(self.tables)} tables: {total['created']:,} created, {total['updated']:,} "
            f"updated, {total['unchanged']:,} unchanged, {total['skipped']:,} skipped, "
            f"{removed:,} removed; {warnings} warnings{self._held_text()} ({self.seconds:.1f} s)"
        )

    def _held_text(self) -> str:
        if not self.held_total:
            return ""
        why = "; ".join(f"{count:,} {REASON_TEXT[reason]}" for reason, count in self.held.items())
        return f"; {self.held_total:,} services held for review: {why}"

    def preview(self, shown: int = 50) -> dict[str, Any]:
        """The parts of the report an import's preview page shows, with the first ``shown``
        warnings and skipped rows."""
        full = self.to_dict()
        return {"source": self.source, "summary": self.summary(), "journaled": self.journaled,
                "tables": full["tables"], "warnings": full["warnings"][:shown],
                "skipped": full["skipped"][:shown], "skipped_total": len(full["skipped"]),
                "held": self.held_total, "held_by_reason": dict(self.held), "published": self.published}

    def to_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready data."""
        return {
            "source": self.source,
            "path": self.path,
            "format": self.format,
            "summary": self.summary(),
            "totals": self.totals(),
            "tables": {name: counts.to_dict() for name, counts in self.tables.items()},
            "removed": dict(self.removed),
            "records": {name: dict(counts) for name, counts in self.records.items()},
            "journaled_services": self.journaled,
            "held_for_review": {"services": self.held_total, "by_reason": dict(self.held),
                                "published": self.published},
            "warnings": [*self.warnings, *self.field_problem_warnings()],
            "ignored": list(self.ignored),
            "skipped": [row.to_dict() for row in self.skipped],
            "field_problems": [
                {"file": p.file, "line": p.line, "id": p.id, "field": p.field,
                 "message": p.message}
                for p in self.field_problems
            ],
            "seconds": round(self.seconds, 3),
        }
