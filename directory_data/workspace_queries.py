"""Read queries of the caseworker workspace: the filtered list of listings, the organizations
with their service counts, how many listings are held for review, and the staleness report (a listing not verified for ``stale_after_days`` days is
stale)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from directory_data.models import (
    Category,
    Organization,
    Phone,
    ProblemReport,
    Service,
    ServiceCategory,
    ServiceStatus,
)

#: Listings per page of the workspace list.
PAGE_SIZE = 50


@dataclass(frozen=True)
class ListingFilter:
    """What the workspace list is narrowed to."""

    text: str = ""
    category: str | None = None
    status: str | None = None  # a ServiceStatus value, "retired", or "held" (held for review)
    stale: bool = False
    problems: bool = False
    page: int = 1


def _escape_like(text: str) -> str:
    """``text`` with the LIKE wildcards (and the escape character) escaped by a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def stale_condition(today: dt.date, stale_after_days: int):  # type: ignore[no-untyped-def]
    """SQL: the listing is stale (never verified, or verified before the cut-off)."""
    cutoff = today - dt.timedelta(days=stale_after_days)
    return or_(Service.assured_date.is_(None), Service.assured_date < cutoff)


def _filtered(query: ListingFilter, today: dt.date, stale_after_days: int) -> Select:  # type: ignore[type-arg]
    statement = select(Service).outerjoin(Organization, Organization.id == Service.organization_id)
    text = " ".join(query.text.split())[:200].lower()
    if text:
        like = "%" + _escape_like(text) + "%"
        digits = "".join(ch for ch in text if ch.isdigit())
        conditions = [func.lower(Service.name).like(like, escape="\\"),
                      func.lower(func.coalesce(Service.name_es, "")).like(like, escape="\\"),
                      func.lower(func.coalesce(Organization.name, "")).like(like, escape="\\"),
                      Service.id == text]
        if len(digits) >= 4:
            conditions.append(exists().where(Phone.service_id == Service.id,
                                             func.replace(func.replace(func.replace(func.replace(
                                                 Phone.number, "(", ""), ")", ""), "-", ""), " ", "")
                                             .like(f"%{digits}%")))
        statement = statement.where(or_(*conditions))
    if query.category:
        statement = statement.where(exists().where(ServiceCategory.service_id == Service.id,
                                                   ServiceCategory.category_slug == query.category))
    if query.status == "retired":
        statement = statement.where(Service.retired_at.is_not(None))
    elif query.status == "held":
        statement = statement.where(Service.review_reasons.is_not(None), Service.retired_at.is_(None))
    elif query.status:
        statement = statement.where(Service.status == ServiceStatus(query.status),
                                    Service.retired_at.is_(None))
    if query.stale:
        statement = statement.where(stale_condition(today, stale_after_days),
                                    Service.retired_at.is_(None))
    if query.problems:
        statement = statement.where(exists().where(ProblemReport.listing_id == Service.id,
                                                   ProblemReport.resolved_at.is_(None)))
    return statement


def find_listings(
    session: Session, query: ListingFilter, *, today: dt.date, stale_after_days: int,
) -> tuple[list[Service], int]:
    """One page of the listings ``query`` asks for (stalest first when ``stale``, else by
    name), and how many there are in all."""
    statement = _filtered(query, today, stale_after_days)
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    if query.stale:
        order = [Service.assured_date.is_not(None), Service.assured_date, Service.name]
    else:
        order = [func.lower(Service.name), Service.id]
    rows = session.scalars(
        statement.options(selectinload(Service.category_links), selectinload(Service.organization))
        .order_by(*order).offset((max(query.page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return list(rows), total


def find_organizations(session: Session, text: str = "", limit: int = 500) -> list[tuple[Organization, int]]:
    """Organizations whose name holds ``text`` (any case), by name, each with how many services
    it has; at most ``limit``."""
    statement = (select(Organization, func.count(Service.id))
                 .outerjoin(Service, Service.organization_id == Organization.id)
                 .group_by(Organization.id).order_by(func.lower(Organization.name)).limit(limit))
    if text:
        like = "%" + _escape_like(text.lower()) + "%"
        statement = statement.where(func.lower(Organization.name).like(like, escape="\\"))
    return [(organization, count) for organization, count in session.execute(statement)]


def held_count(session: Session) -> int:
    """How many listings that are not retired are held for review."""
    return int(session.scalar(select(func.count()).select_from(Service).where(
        Service.review_reasons.is_not(None), Service.retired_at.is_(None))) or 0)


def open_problem_counts(session: Session, ids: list[str]) -> dict[str, int]:
    """How many open problem reports each of the listings ``ids`` has."""
    if not ids:
        return {}
    rows = session.execute(
        select(ProblemReport.listing_id, func.count()).where(
            ProblemReport.listing_id.in_(ids), ProblemReport.resolved_at.is_(None))
        .group_by(ProblemReport.listing_id))
    return {listing: int(n) for listing, n in rows}


@dataclass(frozen=True)
class StaleCount:
    """Stale and live listings of one category."""

    slug: str
    name_en: str
    name_es: str
    stale: int
    total: int


def stale_counts(session: Session, *, today: dt.date, stale_after_days: int) -> list[StaleCount]:
    """Per category: how many live (not retired) listings are stale, of how many; categories
    with no live listing are left out. Listings without a category count under ``""``."""
    stale = func.sum(case((stale_condition(today, stale_after_days), 1), else_=0))
    live = and_(Service.retired_at.is_(None), Service.status != ServiceStatus.defunct)
    rows = session.execute(
        select(ServiceCategory.category_slug, stale, func.count(Service.id))
        .select_from(Service)
        .outerjoin(ServiceCategory, ServiceCategory.service_id == Service.id)
        .where(live).group_by(ServiceCategory.category_slug)
    ).all()
    names = {c.slug: c for c in session.scalars(select(Category))}
    out = []
    for slug, n_stale, n_total in rows:
        slug = slug or ""
        category = names.get(slug)
        out.append(StaleCount(slug, category.name_en if category else "", category.name_es if category else "",
                              int(n_stale or 0), int(n_total)))
    return sorted(out, key=lambda c: (c.slug == "", -c.stale, c.slug))
