"""Problem reports about listings (add + flush, never commit).

Anyone at the kiosk, an officer, or a resident on a referral page may say a listing is wrong;
the report lands in the caseworkers' queue with the listing linked. Nothing about the person is
asked for or kept: the text is cut short and anything in it that looks like an e-mail address or
a phone number is replaced before it is stored.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_data.audit import record_action
from directory_data.models import ProblemKind, ProblemReport, Service, utcnow

#: Longest text kept with a report.
MAX_DETAILS = 500
#: Where reports may come from.
SURFACES = ("kiosk", "patrol", "referral")
WITHHELD = "(withheld)"
_EMAIL = re.compile(r"\S+@\S+")
_NUMBER = re.compile(r"\+?\d[\d\s().-]{5,}\d")


def scrub(text: str) -> str:
    """``text`` without e-mail addresses or long numbers (phone, card), at most 500 characters."""
    cleaned = _EMAIL.sub(WITHHELD, text)
    cleaned = _NUMBER.sub(WITHHELD, cleaned)
    return " ".join(cleaned.split())[:MAX_DETAILS]


def report_problem(
    session: Session, listing_id: str, kind: ProblemKind, details: str, *, surface: str,
    today: dt.date,
) -> ProblemReport:
    """File a report about the listing ``listing_id`` (which must exist)."""
    if session.get(Service, listing_id) is None:
        raise LookupError(listing_id)
    report = ProblemReport(listing_id=listing_id, kind=kind, details=scrub(details or ""),
                           surface=surface if surface in SURFACES else "kiosk", reported_on=today)
    session.add(report)
    session.flush()
    return report


def open_reports(session: Session, *, limit: int = 200) -> list[tuple[ProblemReport, str]]:
    """The open reports, oldest first, with the name of their listing."""
    rows = session.execute(
        select(ProblemReport, Service.name).join(Service, Service.id == ProblemReport.listing_id)
        .where(ProblemReport.resolved_at.is_(None))
        .order_by(ProblemReport.reported_on, ProblemReport.id).limit(limit)
    )
    return [(report, name) for report, name in rows]


def reports_for(session: Session, listing_id: str) -> list[ProblemReport]:
    """Every report about one listing, open ones first, newest first."""
    return list(session.scalars(
        select(ProblemReport).where(ProblemReport.listing_id == listing_id)
        .order_by(ProblemReport.resolved_at.is_not(None), ProblemReport.reported_on.desc())
    ))


def open_report_count(session: Session) -> int:
    """How many reports wait in the queue."""
    return int(session.scalar(select(func.count()).select_from(ProblemReport)
                              .where(ProblemReport.resolved_at.is_(None))) or 0)


def resolve_report(session: Session, report: ProblemReport, *, actor: str) -> ProblemReport:
    """Close the report as dealt with by ``actor`` (recorded in the listing's audit trail)."""
    if report.resolved_at is None:
        report.resolved_at = utcnow()
        report.resolved_by = actor
        record_action(session, action="resolve", actor=actor, resource_type="problem_report",
                      resource_id=report.id, listing_id=report.listing_id, field_name="kind",
                      previous=report.kind.value)
    session.flush()
    return report
