"""Listings in the workspace: the searchable, filterable list; create and edit (with the
conflict view when someone saved first); mark verified; retire and restore; the audit trail."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select

from directory_data.audit import audit_csv, listing_history, recent_entries
from directory_data.listing_edit import (
    SECTIONS,
    Difference,
    FormValues,
    ListingEdit,
    differences,
    edit_of,
    form_values,
    parse_form,
    row_indexes,
)
from directory_data.listings import (
    EditConflict,
    ListingNotFound,
    create_listing,
    load_listing,
    restore_listing,
    retire_listing,
    save_listing,
    verify_listing,
)
from directory_data.models import Category, Service, ServiceStatus
from directory_data.organization_field import (
    OrganizationPick,
    organization_names,
    resolve_organization,
    with_organization,
)
from directory_data.problems import reports_for
from directory_data.workspace_queries import (
    PAGE_SIZE,
    ListingFilter,
    find_listings,
    open_problem_counts,
)

from ..auth import role_required
from ..db import get_session
from .blueprint import bp
from .common import ActionForm, actor, errors_by_field, stale_after_days, status_name, today
from .organization_field import organization_field

STATUS_FILTERS = ("active", "inactive", "temporarily closed", "defunct", "retired")


def _listing_or_404(service_id: str) -> Service:
    try:
        return load_listing(get_session(), service_id)
    except ListingNotFound:
        abort(404)


def _categories() -> list[Category]:
    return list(get_session().scalars(select(Category).order_by(Category.slug)))


def _filter_from_args() -> ListingFilter:
    args = request.args
    status = args.get("status") or None
    try:
        page = min(max(int(args.get("page", 1)), 1), 1000)
    except ValueError:
        page = 1
    return ListingFilter(text=(args.get("q") or "")[:200], category=args.get("category") or None,
                         status=status if status in STATUS_FILTERS else None,
                         stale=args.get("stale") == "1", problems=args.get("problems") == "1",
                         page=page)


@bp.get("/")
@role_required("caseworker")
def home() -> ResponseReturnValue:
    """The listings: search by name, organization or phone; filter by category, status,
    staleness and open problem reports."""
    query = _filter_from_args()
    rows, total = find_listings(get_session(), query, today=today(), stale_after_days=stale_after_days())
    problems = open_problem_counts(get_session(), [s.id for s in rows])
    pages = max(1, -(-total // PAGE_SIZE))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/listings.html", rows=rows, total=total, query=query, problems=problems,
        categories=_categories(), statuses=STATUS_FILTERS, today=today(),
        stale_days=stale_after_days(), pages=pages, action_form=ActionForm(),
        page_url=lambda n: url_for("admin.home", **args, page=n),
    )


def _form_page(
    *, values: FormValues, errors: dict[str, list[str]], service: Service | None, version: int | None,
    conflict: list[Difference] | None = None, status: int = 200, pick: OrganizationPick | None = None,
) -> ResponseReturnValue:
    session = get_session()
    organization, values = organization_field(
        session, values, current_id=service.organization_id if service is not None else None, pick=pick)
    counts = {section: max([*row_indexes(values, section), -1]) + 1 for section in SECTIONS}
    template = "admin/conflict.html" if conflict is not None else "admin/listing_form.html"
    return render_template(
        template, values=values, errors=errors, service=service, version=version,
        counts=counts, categories=_categories(), organization=organization,
        status_options=[(s.value, status_name(s.value)) for s in ServiceStatus],
        form=ActionForm(), differences=conflict,
        reports=reports_for(session, service.id) if service is not None else [],
        organization_names=organization_names(
            session, [name for d in conflict or [] if d.kind == "organization_id" for name in (d.theirs, d.mine)]),
    ), status


def _parse(values: FormValues, service: Service | None) -> tuple[ListingEdit, dict[str, list[str]], OrganizationPick]:
    """The submitted edit, its errors by input name, and what its organization field resolved to."""
    session = get_session()
    pick = resolve_organization(session, values, current_id=service.organization_id if service else None)
    edit, errors = parse_form(values, categories={c.slug for c in _categories()}, organization=pick)
    return edit, errors_by_field(errors), pick


@bp.route("/listings/new", methods=["GET", "POST"])
@role_required("caseworker")
def new_listing() -> ResponseReturnValue:
    """A new listing."""
    if request.method == "GET":
        empty = form_values(edit_of(Service(name="", status=ServiceStatus.active)))
        return _form_page(values=empty, errors={}, service=None, version=None)
    if not ActionForm().validate_on_submit():
        abort(400)
    edit, errors, pick = _parse(request.form, None)
    if errors:
        return _form_page(values=with_organization(request.form, pick), errors=errors, service=None,
                          version=None, status=422, pick=pick)
    service = create_listing(get_session(), edit, actor=actor())
    get_session().commit()
    flash(gettext("The listing was created."))
    return redirect(url_for("admin.edit_listing", service_id=service.id), 303)


@bp.route("/listings/<service_id>", methods=["GET", "POST"])
@role_required("caseworker")
def edit_listing(service_id: str) -> ResponseReturnValue:
    """Edit a listing. Saving a version someone else has changed since shows both side by
    side and saves nothing."""
    service = _listing_or_404(service_id)
    if request.method == "GET":
        return _form_page(values=form_values(edit_of(service)), errors={}, service=service,
                          version=service.version)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        expected = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    edit, errors, pick = _parse(request.form, service)
    values = with_organization(request.form, pick)
    if errors:
        return _form_page(values=values, errors=errors, service=service, version=expected,
                          status=422, pick=pick)
    session = get_session()
    try:
        save_listing(session, service, edit, expected_version=expected, actor=actor())
    except EditConflict as conflict:
        session.rollback()
        current = load_listing(session, service_id)
        return _form_page(values=values, errors={}, service=current, version=conflict.version,
                          conflict=differences(conflict.current, edit), status=409)
    session.commit()
    flash(gettext("Your changes were saved."))
    return redirect(url_for("admin.edit_listing", service_id=service_id), 303)


def _action(service_id: str) -> Service:
    if not ActionForm().validate_on_submit():
        abort(400)
    return _listing_or_404(service_id)


def _back(service_id: str) -> str:
    from ..pages import safe_next

    return safe_next(request.form.get("next"), url_for("admin.edit_listing", service_id=service_id))


@bp.post("/listings/<service_id>/verify")
@role_required("caseworker")
def verify(service_id: str) -> ResponseReturnValue:
    """Mark the listing checked today by the signed-in caseworker."""
    service = _action(service_id)
    verify_listing(get_session(), service, actor=actor(), today=today())
    get_session().commit()
    flash(gettext("Marked verified today."))
    return redirect(_back(service_id), 303)


@bp.post("/listings/<service_id>/retire")
@role_required("caseworker")
def retire(service_id: str) -> ResponseReturnValue:
    """Take the listing off every public surface (it can be restored)."""
    retire_listing(get_session(), _action(service_id), actor=actor())
    get_session().commit()
    flash(gettext("The listing was retired. Residents and officers no longer see it."))
    return redirect(_back(service_id), 303)


@bp.post("/listings/<service_id>/restore")
@role_required("caseworker")
def restore(service_id: str) -> ResponseReturnValue:
    """Put a retired listing back."""
    restore_listing(get_session(), _action(service_id), actor=actor())
    get_session().commit()
    flash(gettext("The listing was restored."))
    return redirect(_back(service_id), 303)


@bp.get("/listings/<service_id>/history")
@role_required("caseworker")
def history(service_id: str) -> ResponseReturnValue:
    """Every recorded change of the listing, newest first."""
    service = _listing_or_404(service_id)
    return render_template("admin/history.html", service=service,
                           entries=listing_history(get_session(), service_id))


def _csv(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/listings/<service_id>/history.csv")
@role_required("caseworker")
def history_csv(service_id: str) -> ResponseReturnValue:
    """The listing's audit trail as CSV."""
    _listing_or_404(service_id)
    return _csv(audit_csv(listing_history(get_session(), service_id, limit=100_000)),
                f"audit-{service_id}.csv")


@bp.get("/audit.csv")
@role_required("caseworker")
def audit_export() -> ResponseReturnValue:
    """The whole audit trail as CSV."""
    return _csv(audit_csv(recent_entries(get_session())), "audit.csv")
