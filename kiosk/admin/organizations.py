"""Organizations in the workspace: list, create, edit (optimistic locking), retire, restore."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import func, select

from directory_data.models import Organization, Service
from directory_data.organizations import (
    OrganizationConflict,
    create_organization,
    parse_organization,
    restore_organization,
    retire_organization,
    save_organization,
)

from kiosk.auth import role_required
from kiosk.db import get_session
from kiosk.admin.blueprint import bp
from kiosk.admin.common import ActionForm, actor, errors_by_field


def _organization_or_404(organization_id: str) -> Organization:
    organization = get_session().get(Organization, organization_id)
    if organization is None:
        abort(404)
    return organization


def _values(organization: Organization | None) -> dict[str, str]:
    if organization is None:
        return {"name": "", "description": "", "website": "", "email": ""}
    return {"name": organization.name, "description": organization.description or "",
            "website": organization.website or "", "email": organization.email or ""}


@bp.get("/organizations")
@role_required("caseworker")
def organizations() -> ResponseReturnValue:
    """Every organization with how many services it has."""
    text = (request.args.get("q") or "")[:200].strip().lower()
    statement = (select(Organization, func.count(Service.id))
                 .outerjoin(Service, Service.organization_id == Organization.id)
                 .group_by(Organization.id).order_by(func.lower(Organization.name)).limit(500))
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(func.lower(Organization.name).like(f"%{escaped}%", escape="\\"))
    rows = get_session().execute(statement).all()
    return render_template("admin/organizations.html", rows=rows, query=text, form=ActionForm())


@bp.route("/organizations/new", methods=["GET", "POST"])
@role_required("caseworker")
def new_organization() -> ResponseReturnValue:
    """A new organization."""
    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/organization_form.html", values=_values(None), errors={},
                               organization=None, form=form, version=None)
    if not form.validate_on_submit():
        abort(400)
    edit, errors = parse_organization(request.form.to_dict())
    if errors:
        return render_template("admin/organization_form.html", values=request.form, form=form,
                               errors=errors_by_field(errors), organization=None, version=None), 422
    organization = create_organization(get_session(), edit, actor=actor())
    flash(gettext("The organization was created."))
    return redirect(url_for("admin.edit_organization", organization_id=organization.id), 303)


@bp.route("/organizations/<organization_id>", methods=["GET", "POST"])
@role_required("caseworker")
def edit_organization(organization_id: str) -> ResponseReturnValue:
    """Edit an organization; a version saved by someone else meanwhile is shown, not lost."""
    organization = _organization_or_404(organization_id)
    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/organization_form.html", values=_values(organization),
                               errors={}, organization=organization, form=form,
                               version=organization.version)
    if not form.validate_on_submit():
        abort(400)
    try:
        expected = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    edit, errors = parse_organization(request.form.to_dict())
    if errors:
        return render_template("admin/organization_form.html", values=request.form, form=form,
                               errors=errors_by_field(errors), organization=organization,
                               version=expected), 422
    try:
        save_organization(get_session(), organization, edit, expected_version=expected, actor=actor())
    except OrganizationConflict as conflict:
        current = _organization_or_404(organization_id)
        return render_template("admin/organization_form.html", values=request.form, form=form,
                               errors={}, organization=current, version=current.version,
                               theirs=_values(current), conflict=conflict), 409
    flash(gettext("Your changes were saved."))
    return redirect(url_for("admin.edit_organization", organization_id=organization_id), 303)


@bp.post("/organizations/<organization_id>/retire")
@role_required("caseworker")
def retire_organization_view(organization_id: str) -> ResponseReturnValue:
    """Retire the organization and its services."""
    if not ActionForm().validate_on_submit():
        abort(400)
    count = retire_organization(get_session(), _organization_or_404(organization_id), actor=actor())
    flash(gettext("The organization was retired with %(count)d listings.", count=count))
    return redirect(url_for("admin.edit_organization", organization_id=organization_id), 303)


@bp.post("/organizations/<organization_id>/restore")
@role_required("caseworker")
def restore_organization_view(organization_id: str) -> ResponseReturnValue:
    """Restore the organization and the services retired with it."""
    if not ActionForm().validate_on_submit():
        abort(400)
    count = restore_organization(get_session(), _organization_or_404(organization_id), actor=actor())
    flash(gettext("The organization was restored with %(count)d listings.", count=count))
    return redirect(url_for("admin.edit_organization", organization_id=organization_id), 303)
