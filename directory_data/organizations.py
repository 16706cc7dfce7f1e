"""Write use-cases for organizations in the caseworker workspace (add + flush, never commit).

An organization is edited with the same optimistic locking as a listing; retiring it retires
its live services with it (each one recorded in the audit trail), and restoring it restores the
services that were retired with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from directory_data.audit import set_actor, set_listing
from directory_data.listings import LOCAL_SOURCE, restore_listing, retire_listing
from directory_data.models import Organization, Service, new_id, utcnow
from directory_data.validation import FieldError, normalize_email, normalize_url


class OrganizationConflict(Exception):
    """Someone saved the organization after it was loaded; nothing was saved."""

    def __init__(self, current: Organization) -> None:
        super().__init__(f"the organization was saved by someone else (now version {current.version})")
        self.current = current


@dataclass
class OrganizationEdit:
    """The fields of an organization a caseworker edits."""

    name: str
    description: str = ""
    website: str | None = None
    email: str | None = None


def parse_organization(values: dict[str, str]) -> tuple[OrganizationEdit, list[FieldError]]:
    """The organization in form ``values`` and every problem with it, by input name."""
    errors: list[FieldError] = []
    name = (values.get("name") or "").strip()
    if not name:
        errors.append(FieldError("name", "an organization needs a name"))
    elif len(name) > 300:
        errors.append(FieldError("name", "at most 300 characters"))
    website, errs = normalize_url(values.get("website"), "website")
    errors += errs
    email, errs = normalize_email(values.get("email"), "email")
    errors += errs
    return OrganizationEdit(name[:300], (values.get("description") or "").strip(), website, email), errors


def _apply(organization: Organization, edit: OrganizationEdit) -> None:
    for key in ("name", "description", "website", "email"):
        value = getattr(edit, key)
        if getattr(organization, key) != value:
            setattr(organization, key, value)


def create_organization(session: Session, edit: OrganizationEdit, *, actor: str) -> Organization:
    """A new organization made by ``actor``."""
    set_actor(session, actor)
    set_listing(session, None)
    ident = new_id()
    organization = Organization(id=ident, source=LOCAL_SOURCE, source_id=ident, name=edit.name)
    _apply(organization, edit)
    session.add(organization)
    session.flush()
    return organization


def save_organization(
    session: Session, organization: Organization, edit: OrganizationEdit, *,
    expected_version: int, actor: str,
) -> Organization:
    """Apply ``edit`` unless the organization moved past ``expected_version``."""
    if organization.version != expected_version:
        raise OrganizationConflict(organization)
    set_actor(session, actor)
    set_listing(session, None)
    try:
        with session.begin_nested():  # a savepoint: a lost race undoes this save only
            _apply(organization, edit)
            organization.updated_at = utcnow()
    except StaleDataError:
        raise OrganizationConflict(session.get(Organization, organization.id,  # type: ignore[arg-type]
                                               populate_existing=True)) from None
    return organization


def retire_organization(session: Session, organization: Organization, *, actor: str) -> int:
    """Retire the organization and its live services; returns how many services were retired."""
    if organization.retired_at is not None:
        return 0
    set_actor(session, actor)
    set_listing(session, None)
    organization.retired_at = utcnow()
    count = 0
    for service in session.scalars(select(Service).where(Service.organization_id == organization.id,
                                                         Service.retired_at.is_(None))):
        retire_listing(session, service, actor=actor)
        count += 1
    session.flush()
    return count


def restore_organization(session: Session, organization: Organization, *, actor: str) -> int:
    """Restore the organization and the services retired with it (at the same time or later)."""
    retired_at = organization.retired_at
    if retired_at is None:
        return 0
    set_actor(session, actor)
    set_listing(session, None)
    organization.retired_at = None
    count = 0
    for service in session.scalars(select(Service).where(Service.organization_id == organization.id,
                                                         Service.retired_at >= retired_at)):
        restore_listing(session, service, actor=actor)
        count += 1
    session.flush()
    return count


def organization_choices(session: Session) -> list[tuple[str, str]]:
    """``(id, name)`` of every organization that is not retired, by name."""
    return [(i, n) for i, n in session.execute(
        select(Organization.id, Organization.name).where(Organization.retired_at.is_(None))
        .order_by(Organization.name))]
