"""Read queries over the directory used by more than one surface."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from directory_data.models import (
    Category,
    Location,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
)

LISTED_STATUSES = (ServiceStatus.active, ServiceStatus.temporarily_closed)


def category_counts(session: Session) -> list[tuple[Category, int]]:
    """Every category with the number of listed (active or temporarily closed) services in it."""
    count = (
        select(ServiceCategory.category_slug, func.count().label("n"))
        .join(Service, Service.id == ServiceCategory.service_id)
        .where(Service.status.in_(LISTED_STATUSES))
        .group_by(ServiceCategory.category_slug)
        .subquery()
    )
    rows = session.execute(
        select(Category, func.coalesce(count.c.n, 0))
        .outerjoin(count, count.c.category_slug == Category.slug)
        .order_by(Category.slug)
    ).all()
    return [(category, int(n)) for category, n in rows]


def services_in_category(session: Session, slug: str, *, limit: int = 200) -> list[Service]:
    """Listed services of the category ``slug``, by name, with what a card shows."""
    return list(
        session.scalars(
            select(Service)
            .join(ServiceCategory, ServiceCategory.service_id == Service.id)
            .where(ServiceCategory.category_slug == slug, Service.status.in_(LISTED_STATUSES))
            .options(
                selectinload(Service.organization),
                selectinload(Service.phones),
                selectinload(Service.languages),
            )
            .order_by(Service.name)
            .limit(limit)
        )
    )


def service_detail(session: Session, service_id: str) -> Service | None:
    """One service with everything its detail page shows, or ``None``."""
    return session.scalars(
        select(Service)
        .where(Service.id == service_id)
        .options(
            selectinload(Service.organization),
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.languages),
            selectinload(Service.cost_options),
            selectinload(Service.category_links),
            selectinload(Service.location_links)
            .selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
        )
    ).first()
