"""Listings in the workspace: the searchable, filterable list; create and edit (with the
conflict view when someone saved first); mark verified; retire (after a confirmation, with an
undo) and restore; publish a listing held for review; the audit trail.

"Save and mark verified" is a submit button of the editor's own form: the form's changes are
checked and saved first, and the listing is marked verified only when they were (a field in
error, or a conflict with someone else's save, saves and verifies nothing). Saving applies the
publication rules (:mod:`directory_data.publication`): the message says when a listing is held
for review, or published again."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory_data.audit import audit_csv, listing_history, recent_entries
from directory_data.listing_edit import Difference, ListingEdit, differences, edit_of
from directory_data.listings import (
    EditConflict,
    ListingNotFound,
    create_listing,
    load_listing,
    publish_listing,
    restore_listing,
    retire_listing,
    save_listing,
    verify_listing,
)
from directory_data.models import Category, Service, ServiceStatus
from directory_data.organization_pick import OrganizationPick, organization_names
from directory_data.problems import reports_for
from directory_data.workspace_queries import (
    PAGE_SIZE,
    ListingFilter,
    find_listings,
    held_count,
    open_problem_counts,
)

from kiosk.db import get_session
from kiosk.pages import attachment, redirect_with, safe_next
from kiosk.admin.common import (
    ActionForm,
    actor,
    bp,
    errors_by_field,
    form_version,
    hold_reason_names,
    stale_after_days,
    status_name,
    today,
)
from kiosk.forms.listing_form import SECTIONS, form_values, parse_form, row_indexes
from kiosk.forms.organization_field import organization_field, resolve_organization, with_organization

STATUS_FILTERS = ("active", "inactive", "temporarily closed", "defunct", "retired", "held")
#: The flash category that gives a message an "Undo" button posting to the URL after it.
UNDO = "undo:"


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
    page = min(max(args.get("page", 1, type=int), 1), 1000)
    return ListingFilter(text=(args.get("q") or "")[:200], category=args.get("category") or None,
                         status=status if status in STATUS_FILTERS else None,
                         stale=args.get("stale") == "1", problems=args.get("problems") == "1",
                         page=page)


@bp.get("/")
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
        held=held_count(get_session()),
        page_url=lambda n: url_for("admin.home", **args, page=n),
    )


def _form_page(
    *, values: MultiDict[str, str], errors: dict[str, list[str]], service: Service | None,
    version: int | None, conflict: list[Difference] | None = None, status: int = 200,
    pick: OrganizationPick | None = None, verify: bool = False,
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
        form=ActionForm(), differences=conflict, verify=verify,
        reports=reports_for(session, service.id) if service is not None else [],
        organization_names=organization_names(session, [
            name for d in conflict or [] if d.kind == "organization_id" for name in (d.theirs, d.mine)]),
    ), status


def _parse(
    values: MultiDict[str, str], service: Service | None
) -> tuple[ListingEdit, dict[str, list[str]], OrganizationPick]:
    """The submitted edit, its errors by input name, and what its organization field resolved to."""
    session = get_session()
    pick = resolve_organization(session, values, current_id=service.organization_id if service else None)
    edit, errors = parse_form(values, categories={c.slug for c in _categories()}, organization=pick)
    return edit, errors_by_field(errors), pick


@bp.route("/listings/new", methods=["GET", "POST"])
def new_listing() -> ResponseReturnValue:
    """A new listing."""
    if request.method == "GET":
        empty = form_values(edit_of(Service(name="", status=ServiceStatus.active)))
        return _form_page(values=empty, errors={}, service=None, version=None)
    edit, errors, pick = _parse(request.form, None)
    if errors:
        return _form_page(values=with_organization(request.form, pick), errors=errors, service=None,
                          version=None, status=422, pick=pick)
    service = create_listing(get_session(), edit, actor=actor())
    flash(gettext("The listing was created."))
    if service.held_for:
        flash(_held_message(service.held_for))
    return redirect(url_for("admin.edit_listing", service_id=service.id), 303)


def _held_message(reasons: list[str]) -> str:
    return gettext("It is held for review, not shown to residents or officers, until it is fixed: "
                   "%(reasons)s.", reasons="; ".join(hold_reason_names(reasons)))


@bp.route("/listings/<service_id>", methods=["GET", "POST"])
def edit_listing(service_id: str) -> ResponseReturnValue:
    """Edit a listing; with ``verify`` ("Save and mark verified") also mark it verified, once
    the changes are saved. Saving a version someone else has changed since shows both side by
    side and saves (and verifies) nothing."""
    service = _listing_or_404(service_id)
    if request.method == "GET":
        return _form_page(values=form_values(edit_of(service)), errors={}, service=service,
                          version=service.version)
    expected = form_version()
    and_verify = request.form.get("verify") == "1" and service.retired_at is None
    edit, errors, pick = _parse(request.form, service)
    values = with_organization(request.form, pick)
    if errors:
        return _form_page(values=values, errors=errors, service=service, version=expected,
                          status=422, pick=pick, verify=and_verify)
    session = get_session()
    was_held = bool(service.held_for)
    try:
        save_listing(session, service, edit, expected_version=expected, actor=actor())
    except EditConflict as conflict:
        return _form_page(values=values, errors={}, service=load_listing(session, service_id),
                          version=conflict.version,
                          conflict=differences(conflict.current, edit), status=409, verify=and_verify)
    if and_verify:
        verify_listing(session, service, actor=actor(), today=today())
    flash(gettext("Your changes were saved and the listing was marked verified today.") if and_verify
          else gettext("Your changes were saved."))
    if service.held_for:
        flash(_held_message(service.held_for))
    elif was_held:
        flash(gettext("It is published: residents and officers can see it now."))
    return redirect(url_for("admin.edit_listing", service_id=service_id), 303)


def _back(service_id: str, next_url: str | None = None) -> str:
    """Where to go after an action: ``next_url`` (default: the form's ``next``) when it is a
    page of this site, else the listing's editor."""
    return safe_next(next_url or request.form.get("next"), url_for("admin.edit_listing", service_id=service_id))


@bp.post("/listings/<service_id>/verify")
def verify(service_id: str) -> ResponseReturnValue:
    """Mark the listing checked today by the signed-in caseworker."""
    service = _listing_or_404(service_id)
    verify_listing(get_session(), service, actor=actor(), today=today())
    return redirect_with(gettext("Marked verified today."), _back(service_id))


@bp.post("/listings/<service_id>/publish")
def publish(service_id: str) -> ResponseReturnValue:
    """Check a held listing against the publication rules again (after its organization or
    places were fixed, say): published when it passes, else the reasons are shown."""
    service = _listing_or_404(service_id)
    reasons = publish_listing(get_session(), service, actor=actor())
    return redirect_with(_held_message(list(reasons)) if reasons else
                         gettext("“%(name)s” is published: residents and officers can see it now.", name=service.name),
                         _back(service_id))


@bp.route("/listings/<service_id>/retire", methods=["GET", "POST"])
def retire(service_id: str) -> ResponseReturnValue:
    """Ask, then take the listing off every public surface (it can be restored: the message
    after it has an "Undo" button). A POST that did not come from the question asks it."""
    service = _listing_or_404(service_id)
    if request.method == "GET":
        if service.retired_at is not None:
            return redirect(url_for("admin.edit_listing", service_id=service_id), 303)
        return render_template("admin/retire_confirm.html", service=service,
                               back=_back(service_id, request.args.get("next")))
    if request.form.get("confirmed") != "1":
        return redirect(url_for("admin.retire", service_id=service_id), 303)
    retire_listing(get_session(), service, actor=actor())
    return redirect_with(gettext("“%(name)s” was retired. Residents and officers no longer see it.", name=service.name),
                         _back(service_id), UNDO + url_for("admin.restore", service_id=service_id))


@bp.post("/listings/<service_id>/restore")
def restore(service_id: str) -> ResponseReturnValue:
    """Put a retired listing back (also the "Undo" of a retirement)."""
    service = _listing_or_404(service_id)
    restore_listing(get_session(), service, actor=actor())
    return redirect_with(gettext("“%(name)s” was restored.", name=service.name), _back(service_id))


@bp.get("/listings/<service_id>/history")
def history(service_id: str) -> ResponseReturnValue:
    """Every recorded change of the listing, newest first."""
    service = _listing_or_404(service_id)
    return render_template("admin/history.html", service=service,
                           entries=listing_history(get_session(), service_id))


@bp.get("/listings/<service_id>/history.csv")
def history_csv(service_id: str) -> ResponseReturnValue:
    """The listing's audit trail as CSV."""
    _listing_or_404(service_id)
    return attachment(audit_csv(listing_history(get_session(), service_id, limit=100_000)), "text/csv",
                      f"audit-{service_id}.csv")


@bp.get("/audit.csv")
def audit_export() -> ResponseReturnValue:
    """The whole audit trail as CSV."""
    return attachment(audit_csv(recent_entries(get_session())), "text/csv", "audit.csv")
