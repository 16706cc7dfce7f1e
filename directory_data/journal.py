"""Write use-case for the change journal (add + flush, never commit)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from directory_data.models.base import utcnow
from directory_data.models.journal import ChangeJournalEntry


def record_service_changes(session: Session, service_ids: Iterable[str]) -> int:
    """Journal that the services ``service_ids`` changed, in ``session``'s transaction.

    Returns how many entries were written. Bulk writers (the importer) call this directly; ORM
    edits are journaled by the search layer's session hooks.
    """
    now = utcnow()
    rows = [{"service_id": sid, "changed_at": now} for sid in dict.fromkeys(service_ids)]
    if rows:
        session.execute(insert(ChangeJournalEntry), rows)
    return len(rows)
