"""How far an index has read the change journal, without skipping late commits.

``change_journal.seq`` comes from a sequence (PostgreSQL) or the rowid (SQLite). On PostgreSQL
sequence values are taken when a row is inserted but become visible when its transaction commits,
so transaction A can take seq 10, B take 11, B commit, a reader see 11 and only later see 10.
A reader that just remembered "the highest seq I have seen" would skip 10 for ever. The cursor
therefore keeps, besides ``position`` (the highest seq seen), the *gaps*: ranges of
seqs below ``position`` not seen yet, asked for again on every read. A gap may be a seq that will
never appear (a rolled-back transaction), so gaps are dropped after a horizon (one hour): a
transaction open longer than that after journaling is reported as drift by ``kiosk index verify``
and repaired by ``kiosk index update``. Applying entries is idempotent, so reading one twice is
harmless.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from directory_data.models import ChangeJournalEntry

#: Seconds after which an unseen seq is given up on (see the module docstring).
GAP_HORIZON = 3600.0

#: At most this many gap ranges are kept; beyond, the oldest neighbours are merged.
MAX_GAPS = 200

#: When a cursor starts (a fresh index), seqs missing among this many recent ones are gaps.
START_WINDOW = 10_000


@dataclass(frozen=True)
class Gap:
    """The seqs ``lo``..``hi`` (inclusive), unseen since ``since`` (epoch seconds)."""

    lo: int
    hi: int
    since: float


@dataclass(frozen=True)
class JournalBatch:
    """Entries read from the journal: ``(seq, service_id)`` in seq order."""

    entries: tuple[tuple[int, str], ...]
    truncated: bool

    @property
    def service_ids(self) -> list[str]:
        """The distinct service ids of the batch, in first-seen order."""
        return list(dict.fromkeys(sid for _seq, sid in self.entries))

    def __bool__(self) -> bool:
        return bool(self.entries)


@dataclass(frozen=True)
class JournalCursor:
    """A position in the journal plus the gaps below it (immutable; :meth:`advance` returns a new one)."""

    position: int = 0
    gaps: tuple[Gap, ...] = field(default_factory=tuple)

    # Persistence -----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "gaps": [[g.lo, g.hi, g.since] for g in self.gaps]}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> JournalCursor:
        """The cursor saved as ``value`` (a fresh cursor at 0 when ``value`` is None)."""
        if not value:
            return cls()
        gaps = tuple(Gap(int(lo), int(hi), float(since)) for lo, hi, since in value.get("gaps", ()))
        return cls(int(value.get("position", 0)), gaps)

    # Reading ---------------------------------------------------------------------------------

    @classmethod
    def start(cls, session: Session, now: float | None = None) -> JournalCursor:
        """A cursor at the journal's end, the seqs missing among the last :data:`START_WINDOW` as gaps."""
        now = time.time() if now is None else now
        top = journal_head(session)
        if top == 0:
            return cls()
        low = max(top - START_WINDOW, 0)
        seen = session.scalars(
            select(ChangeJournalEntry.seq).where(ChangeJournalEntry.seq > low).order_by(ChangeJournalEntry.seq)
        ).all()
        gaps = _missing(low, seen, now)
        return cls(top, tuple(gaps))

    def read(self, session: Session, limit: int = 2000) -> JournalBatch:
        """Entries past the position or inside a gap, at most ``limit`` of them, in seq order."""
        if self.gaps:
            seq = ChangeJournalEntry.seq
            conditions = [seq > self.position]
            conditions += [and_(seq >= g.lo, seq <= g.hi) for g in self.gaps]
            statement = select(seq, ChangeJournalEntry.service_id).where(or_(*conditions)).order_by(seq)
            rows = session.execute(statement.limit(limit + 1)).all()
        else:  # the usual case: one statement built once, so only its parameters change
            rows = session.execute(_READ_PAST, {"position": self.position, "limit": limit + 1}).all()
        truncated = len(rows) > limit
        return JournalBatch(tuple((int(r[0]), str(r[1])) for r in rows[:limit]), truncated)

    def advance(self, batch: JournalBatch, now: float | None = None, horizon: float = GAP_HORIZON) -> JournalCursor:
        """The cursor after ``batch`` has been applied: gaps filled, new gaps opened, old ones dropped."""
        now = time.time() if now is None else now
        seqs = [s for s, _sid in batch.entries]
        filled = {s for s in seqs if s <= self.position}
        fresh = sorted(s for s in seqs if s > self.position)
        gaps: list[Gap] = []
        for gap in self.gaps:
            gaps.extend(_split(gap, filled))
        if fresh:
            gaps.extend(_missing(self.position, fresh, now))
        gaps = [g for g in gaps if now - g.since < horizon]
        return JournalCursor(max([self.position, *fresh]), tuple(_compact(gaps)))

    def expire(self, now: float | None = None, horizon: float = GAP_HORIZON) -> JournalCursor:
        """The cursor without the gaps older than ``horizon``."""
        now = time.time() if now is None else now
        return JournalCursor(self.position, tuple(g for g in self.gaps if now - g.since < horizon))


def journal_head(session: Session) -> int:
    """The highest seq in the change journal (0 when it is empty)."""
    return int(session.scalar(select(func.max(ChangeJournalEntry.seq))) or 0)


_READ_PAST = (
    select(ChangeJournalEntry.seq, ChangeJournalEntry.service_id)
    .where(ChangeJournalEntry.seq > bindparam("position"))
    .order_by(ChangeJournalEntry.seq)
    .limit(bindparam("limit"))
)


def _missing(after: int, seen: Sequence[int], now: float) -> list[Gap]:
    """Gaps for the seqs in ``after+1 .. max(seen)`` that are not in ``seen`` (sorted)."""
    gaps: list[Gap] = []
    expected = after + 1
    for seq in seen:
        if seq > expected:
            gaps.append(Gap(expected, seq - 1, now))
        expected = max(expected, seq + 1)
    return gaps


def _split(gap: Gap, filled: set[int]) -> Iterable[Gap]:
    """``gap`` without the seqs in ``filled``."""
    inside = sorted(s for s in filled if gap.lo <= s <= gap.hi)
    lo = gap.lo
    for seq in inside:
        if seq > lo:
            yield Gap(lo, seq - 1, gap.since)
        lo = seq + 1
    if lo <= gap.hi:
        yield Gap(lo, gap.hi, gap.since)


def _compact(gaps: list[Gap]) -> list[Gap]:
    """Gaps sorted, with neighbours merged until at most :data:`MAX_GAPS` remain."""
    ordered = sorted(gaps, key=lambda g: g.lo)
    while len(ordered) > MAX_GAPS:
        i = min(range(len(ordered) - 1), key=lambda k: ordered[k + 1].lo - ordered[k].hi)
        a, b = ordered[i], ordered[i + 1]
        ordered[i : i + 2] = [Gap(a.lo, b.hi, min(a.since, b.since))]
    return ordered
