"""Browse pages: categories, a category's services, a service's detail, and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from directory_data import queries
from directory_data.models import MISSION_CATEGORIES

from . import __version__
from .db import get_session

bp = Blueprint("directory", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    """The category tiles with how many services each holds."""
    counts = queries.category_counts(get_session())
    tiles = [(c, n) for c, n in counts if c.slug in MISSION_CATEGORIES]
    return render_template("directory/home.html", tiles=tiles)


@bp.get("/category/<slug>")
def category(slug: str) -> ResponseReturnValue:
    """The services of one category."""
    counts = dict((c.slug, c) for c, _ in queries.category_counts(get_session()))
    if slug not in counts:
        abort(404)
    services = queries.services_in_category(get_session(), slug)
    return render_template("directory/category.html", category=counts[slug], services=services)


@bp.get("/services/<service_id>")
def service(service_id: str) -> ResponseReturnValue:
    """One service's detail page."""
    found = queries.service_detail(get_session(), service_id)
    if found is None:
        abort(404)
    return render_template("directory/service.html", service=found)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Whether the database answers, as JSON with an honest status code."""
    try:
        get_session().execute(text("SELECT 1"))
        database_ok = True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        database_ok = False
    body = {"status": "ok" if database_ok else "unavailable", "database": database_ok,
            "version": __version__}
    return jsonify(body), 200 if database_ok else 503
