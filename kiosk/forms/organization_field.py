"""The organization field of the listing form: how the templates draw it, and reading it back.

Up to ``ORGANIZATION_SELECT_LIMIT`` organizations (not retired) it is a select of them all
(``organization_id``); above it (thousands of options are unusable on a tablet) a text input for
the name (``organization_name``) beside the hidden id, with the closest organizations to choose
from (radio buttons ``organization_choice``) after a name that was not found. The listing's own
organization is shown even when retired, so saving never drops it unasked. The rules of choosing:
:mod:`directory_data.organization_pick`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from directory_data.models import Organization
from directory_data.organization_pick import (
    OrganizationOption,
    OrganizationPick,
    lists_every_organization,
    pick_by_id,
    pick_by_name,
)
from directory_data.organizations import organization_choices

from kiosk.forms.listing_form import Values

#: The text input of a large directory's form.
NAME_FIELD = "organization_name"
#: The select of a small directory's form, and the hidden id beside the text input.
ID_FIELD = "organization_id"
#: The radio buttons offered after a name that was not found, or found several times.
CHOICE_FIELD = "organization_choice"


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
    session: Session, values: MultiDict[str, str], *, current_id: str | None,
    pick: OrganizationPick | None = None,
) -> tuple[OrganizationField, MultiDict[str, str]]:
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
        values = Values(values)
        values[NAME_FIELD] = organization.name if organization is not None else ""
    return OrganizationField("name", candidates=pick.candidates if pick else (),
                             total=pick.total if pick else 0, current=current), values


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def resolve_organization(
    session: Session, values: MultiDict[str, str], *, current_id: str | None
) -> OrganizationPick:
    """The organization the submitted form ``values`` choose for a listing whose organization is
    ``current_id`` (``None`` for a new listing): a chosen radio button, else the typed name (a
    large directory's form), else the selected id (a small one's)."""
    choice = _text(values.get(CHOICE_FIELD))
    if choice:
        return pick_by_id(session, choice, current_id=current_id, field=NAME_FIELD,
                          typed=_text(values.get(NAME_FIELD)))
    if values.get(NAME_FIELD) is not None:
        return pick_by_name(session, _text(values.get(NAME_FIELD)), shown_id=_text(values.get(ID_FIELD)),
                            current_id=current_id, field=NAME_FIELD)
    chosen = _text(values.get(ID_FIELD))
    if not chosen:
        return OrganizationPick(None)
    return pick_by_id(session, chosen, current_id=current_id, field=ID_FIELD)


def with_organization(values: MultiDict[str, str], pick: OrganizationPick) -> Values:
    """The submitted ``values`` to show again: the chosen organization's id and name in place of
    what was typed (when it resolved), and no radio button chosen."""
    kept = Values(values)
    kept.pop(CHOICE_FIELD, None)
    if pick.error is None:
        kept.put(ID_FIELD, pick.organization_id)
    if values.get(NAME_FIELD) is not None or values.get(CHOICE_FIELD):
        kept.put(NAME_FIELD, pick.name)
    return kept
