"""Organizations in the workspace: list, create, edit (optimistic locking), retire, restore."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.models import Organization
from directory_data.organizations import (
    OrganizationConflict,
    create_organization,
    parse_organization,
    restore_organization,
    retire_organization,
    save_organization,
)
from directory_data.validation import FieldError
from directory_data.workspace_queries import find_organizations

from kiosk.db import get_session
from kiosk.admin.common import ActionForm, actor, bp, errors_by_field, form_version, record_or_404
from kiosk.pages import redirect_with


def _values(organization: Organization | None) -> dict[str, str]:
    return {key: getattr(organization, key, None) or "" for key in ("name", "description", "website", "email")}


@bp.get("/organizations")
def organizations() -> ResponseReturnValue:
    """Every organization with how many services it has."""
    text = (request.args.get("q") or "")[:200].strip().lower()
    rows = find_organizations(get_session(), text)
    return render_template("admin/organizations.html", rows=rows, query=text, form=ActionForm())


def _form(organization: Organization | None, version: int | None, status: int = 200, *,
          values: Any = None, errors: Iterable[FieldError] = (), **extra: Any) -> ResponseReturnValue:
    """The organization's form, showing ``values`` (default: as submitted)."""
    return render_template("admin/organization_form.html", values=request.form if values is None else values,
                           errors=errors_by_field(errors), organization=organization, form=ActionForm(),
                           version=version, **extra), status


@bp.route("/organizations/new", methods=["GET", "POST"])
def new_organization() -> ResponseReturnValue:
    """A new organization."""
    if request.method == "GET":
        return _form(None, None, values=_values(None))
    edit, errors = parse_organization(request.form.to_dict())
    if errors:
        return _form(None, None, 422, errors=errors)
    organization = create_organization(get_session(), edit, actor=actor())
    return redirect_with(gettext("The organization was created."),
                         url_for("admin.edit_organization", organization_id=organization.id))


@bp.route("/organizations/<organization_id>", methods=["GET", "POST"])
def edit_organization(organization_id: str) -> ResponseReturnValue:
    """Edit an organization; a version saved by someone else meanwhile is shown, not lost."""
    organization = record_or_404(Organization, organization_id)
    if request.method == "GET":
        return _form(organization, organization.version, values=_values(organization))
    expected = form_version()
    edit, errors = parse_organization(request.form.to_dict())
    if errors:
        return _form(organization, expected, 422, errors=errors)
    try:
        save_organization(get_session(), organization, edit, expected_version=expected, actor=actor())
    except OrganizationConflict as conflict:
        current = record_or_404(Organization, organization_id)
        return _form(current, current.version, 409, theirs=_values(current), conflict=conflict)
    return redirect_with(gettext("Your changes were saved."),
                         url_for("admin.edit_organization", organization_id=organization_id))


@bp.post("/organizations/<organization_id>/retire")
def retire_organization_view(organization_id: str) -> ResponseReturnValue:
    """Retire the organization and its services."""
    count = retire_organization(get_session(), record_or_404(Organization, organization_id), actor=actor())
    return redirect_with(gettext("The organization was retired with %(count)d listings.", count=count),
                         url_for("admin.edit_organization", organization_id=organization_id))


@bp.post("/organizations/<organization_id>/restore")
def restore_organization_view(organization_id: str) -> ResponseReturnValue:
    """Restore the organization and the services retired with it."""
    count = restore_organization(get_session(), record_or_404(Organization, organization_id), actor=actor())
    return redirect_with(gettext("The organization was restored with %(count)d listings.", count=count),
                         url_for("admin.edit_organization", organization_id=organization_id))
