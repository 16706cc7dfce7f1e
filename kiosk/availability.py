"""Availability on the web: the provider's one-screen update form behind its private link
(``/u/<token>``, no account; its saves throttled as anonymous writes, its token cut from the
request log) and the caseworkers' page of a listing's capacities and link
(``/admin/availability/<service_id>``); the cards' words (:mod:`kiosk.availability_words`) as the
template global ``availability_lines``. The rules: :mod:`directory_data.availability`,
:mod:`directory_data.availability_links` and :mod:`directory_data.availability_updates`.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.availability import age_words
from directory_data.availability_links import find_link, issue_link, revoke_links, working_link
from directory_data.availability_updates import (
    InvalidAvailability,
    add_capacity,
    capacities_of,
    remove_capacity,
    update_counts,
)
from directory_data.models import Service, utcnow

from kiosk.admin.common import ActionForm, actor, record_or_404, workspace_context
from kiosk.auth import guard_blueprint
from kiosk.availability_words import availability_lines
from kiosk.config import public_base_url
from kiosk.db import get_session
from kiosk.i18n import current_language
from kiosk.pages import after_post, redirect_with
from kiosk.throttle import too_many, write_refused

provider_bp = Blueprint("availability", __name__)
staff_bp = Blueprint("availability_admin", __name__, url_prefix="/admin/availability")
staff_bp.context_processor(workspace_context)
guard_blueprint(staff_bp, "caseworker")

#: Form fields of the counts: ``count-<capacity id>``.
COUNT_PREFIX = "count-"


def _counts(form: dict[str, str]) -> dict[str, str]:
    return {key[len(COUNT_PREFIX):]: value for key, value in form.items() if key.startswith(COUNT_PREFIX)}


def _provider_page(service: Service, token: str, errors: dict[str, str] | None = None,
                   values: dict[str, str] | None = None) -> str:
    now, language = utcnow(), current_language()
    rows = [(c, values.get(c.id) if values else str(c.available), age_words(c.updated, now, language))
            for c in capacities_of(get_session(), service.id)]
    return render_template("availability/provider.html", service=service, rows=rows, token=token,
                           errors=errors or {}, saved=request.args.get("saved") == "1",
                           form=ActionForm(), prefix=COUNT_PREFIX, language=language)


@provider_bp.route("/u/<token>", methods=["GET", "POST"])
def provider(token: str) -> ResponseReturnValue:
    """The provider's form: how many of each unit are free right now (404 for a link that does
    not work). A save counts as an anonymous write of the address (429 past the limit)."""
    session = get_session()
    if request.method == "POST" and write_refused():
        return too_many()
    link = find_link(session, token)
    service = session.get(Service, link.service_id) if link is not None else None
    if link is None or service is None:
        return render_template("availability/gone.html"), 404
    if request.method == "POST":
        counts = _counts(request.form.to_dict())
        try:
            update_counts(session, service.id, counts, actor="provider link")
        except InvalidAvailability as error:
            return _provider_page(service, token, error.errors, counts), 422
        link.last_used_at = utcnow()
        return after_post(url_for("availability.provider", token=token, saved="1"))
    return _provider_page(service, token)


def _staff_page(service: Service, *, new_token: str | None = None, errors: dict[str, str] | None = None,
                status: int = 200) -> ResponseReturnValue:
    session = get_session()
    now, language = utcnow(), current_language()
    rows = [(c, age_words(c.updated, now, language)) for c in capacities_of(session, service.id)]
    new_link = None
    if new_token is not None:  # on PUBLIC_BASE_URL when it is set, else on this request's host
        base = public_base_url(current_app.config)
        new_link = (base or "") + url_for("availability.provider", token=new_token, _external=not base)
    return render_template("availability/staff.html", service=service, rows=rows, link=working_link(session, service.id),
                           new_link=new_link, errors=errors or {}, form=ActionForm(), prefix=COUNT_PREFIX), status


def _staff_url(service: Service) -> str:
    return url_for("availability_admin.staff", service_id=service.id)


@staff_bp.get("/<service_id>")
def staff(service_id: str) -> ResponseReturnValue:
    """A listing's capacities, their counts, and its provider link."""
    return _staff_page(record_or_404(Service, service_id))


@staff_bp.post("/<service_id>/counts")
def staff_counts(service_id: str) -> ResponseReturnValue:
    """Save the counts a caseworker typed (e.g. after a phone call)."""
    service = record_or_404(Service, service_id)
    try:
        update_counts(get_session(), service.id, _counts(request.form.to_dict()), actor=actor())
    except InvalidAvailability as error:
        return _staff_page(service, errors=error.errors, status=422)
    return redirect_with(gettext("The counts were saved."), _staff_url(service))


@staff_bp.post("/<service_id>/add")
def staff_add(service_id: str) -> ResponseReturnValue:
    """Give the listing a capacity (what is counted, how many are free, the maximum)."""
    service = record_or_404(Service, service_id)
    try:
        add_capacity(get_session(), service.id, unit=request.form.get("unit", ""),
                     unit_es=request.form.get("unit_es"), available=request.form.get("available"),
                     maximum=request.form.get("maximum"), actor=actor())
    except InvalidAvailability as error:
        return _staff_page(service, errors=error.errors, status=422)
    return redirect_with(gettext("The capacity was added."), _staff_url(service))


@staff_bp.post("/<service_id>/<capacity_id>/remove")
def staff_remove(service_id: str, capacity_id: str) -> ResponseReturnValue:
    """Remove one of the listing's capacities."""
    service = record_or_404(Service, service_id)
    try:
        remove_capacity(get_session(), service.id, capacity_id, actor())
    except LookupError:
        abort(404)
    return redirect_with(gettext("The capacity was removed."), _staff_url(service))


@staff_bp.post("/<service_id>/link")
def staff_issue(service_id: str) -> ResponseReturnValue:
    """Issue a new provider link (the old one stops working); shown once, on this answer."""
    service = record_or_404(Service, service_id)
    issued = issue_link(get_session(), service.id, actor())
    return _staff_page(service, new_token=issued.token)


@staff_bp.post("/<service_id>/link/revoke")
def staff_revoke(service_id: str) -> ResponseReturnValue:
    """Stop the provider link from working."""
    service = record_or_404(Service, service_id)
    revoke_links(get_session(), service.id, actor())
    return redirect_with(gettext("The provider link no longer works."), _staff_url(service))


def init_app(app: Flask) -> None:
    """Register the availability pages and the cards' ``availability_lines`` on ``app``."""
    app.add_template_global(availability_lines)
    app.register_blueprint(provider_bp)
    app.register_blueprint(staff_bp)
