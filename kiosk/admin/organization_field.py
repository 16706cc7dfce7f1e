"""The organization field of the listing form, as the templates draw it.

Up to ``ORGANIZATION_SELECT_LIMIT`` organizations (not retired) it is a select of them all; above
it, a text input for the organization's name (resolved on save by
:mod:`directory_data.organization_field`), with the closest organizations to choose from after a
name that was not found. Either way the listing's own organization is shown even when it is
retired, so saving never drops it unasked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import Session

from directory_data.listing_edit import FormValues, Values
from directory_data.models import Organization
from directory_data.organization_field import (
    ID_FIELD,
    NAME_FIELD,
    OrganizationOption,
    OrganizationPick,
    lists_every_organization,
)
from directory_data.organizations import organization_choices


@dataclass(frozen=True)
class OrganizationField:
    """What the template needs: ``select`` with its ``options``, or ``name`` with the
    ``candidates`` to choose from (``total`` found); and the listing's own organization."""

    mode: str
    options: list[tuple[str, str]] = field(default_factory=list)
    candidates: tuple[OrganizationOption, ...] = ()
    total: int = 0
    current: Organization | None = None


def organization_field(
    session: Session, values: FormValues, *, current_id: str | None, pick: OrganizationPick | None = None
) -> tuple[OrganizationField, FormValues]:
    """The field for a form showing ``values`` of a listing whose organization is ``current_id``,
    after a save that resolved ``pick`` (if any); and ``values`` with the organization's name
    filled in where the form has a text input and the values have no name yet (a form shown
    for the first time)."""
    current = session.get(Organization, current_id) if current_id else None
    if lists_every_organization(session, int(current_app.config["ORGANIZATION_SELECT_LIMIT"])):
        options = organization_choices(session)
        if current is not None and current.retired_at is not None:
            options.append((current.id, gettext("%(name)s (retired)", name=current.name)))
        return OrganizationField("select", options=options, current=current), values
    if values.get(NAME_FIELD) is None:
        shown = str(values.get(ID_FIELD) or "")
        organization = session.get(Organization, shown) if shown else None
        values = Values.of(values)
        values.put(NAME_FIELD, organization.name if organization is not None else "")
    if pick is None:
        return OrganizationField("name", current=current), values
    return OrganizationField("name", candidates=pick.candidates, total=pick.total, current=current), values
