"""The public JSON API's directory endpoints, in the HSDS 3.0 API's shapes.

``GET /api/v1/services/<id>``: one HSDS 3.0 service object; ``GET /api/v1/services``: the HSDS
paginated list (``search`` text through the search index, else every service by name);
``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of the whole API. Anonymous callers get
the public view (:class:`directory_data.hsds.export_json.ServiceObjects` with ``public=True``):
no confidential address, no officer-only phone, no officer notes. A signed-in officer's session
gets the full objects.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from directory_data.hsds.export_json import ServiceObjects
from directory_data.hsds.export_load import load_services, schedules_by_service_at_location
from directory_data.models import Service
from directory_data.service_rows import listed

from . import finder
from .auth import is_officer
from .db import get_session
from .openapi import openapi_document

bp = Blueprint("api_directory", __name__, url_prefix="/api/v1")

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 50


class BadParameter(HTTPException):
    """A query parameter that cannot be used (answered as a JSON 400)."""

    code = 400


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}")
    return value


def _objects(ids: list[str]) -> list[dict[str, Any]]:
    """The HSDS service objects of ``ids``, in that order, public unless an officer asks."""
    session = get_session()
    services = {s.id: s for s in load_services(session, ids, live_locations_only=True)}
    builder = ServiceObjects(schedules_by_service_at_location(session, ids), public=not is_officer())
    return [builder.service(services[i]) for i in ids if i in services]


@bp.get("/services/<service_id>")
def service(service_id: str) -> ResponseReturnValue:
    """One service as an HSDS 3.0 service object (404 when unknown or not listed)."""
    shown = get_session().scalar(
        select(Service.id).where(Service.id == service_id, listed())
    )
    if shown is None:
        return _error(404, "no such service")
    return jsonify(_objects([shown])[0])


@bp.get("/services")
def services() -> ResponseReturnValue:
    """A page of services in the HSDS 3.0 list form; ``search`` ranks them by the search index."""
    page = _int_arg("page", 1, 1, 1000)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    text = " ".join(request.args.get("search", "").split())[: finder.MAX_QUERY_LENGTH]
    if text:
        ids, total = finder.ranked_ids(get_session(), text, page=page, per_page=per_page)
    else:
        ids, total = _by_name(page, per_page)
    contents = _objects(ids)
    total_pages = max(1, math.ceil(total / per_page))
    return jsonify({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    })


def _by_name(page: int, per_page: int) -> tuple[list[str], int]:
    session = get_session()
    shown = listed()
    total = int(session.scalar(select(func.count()).select_from(Service).where(shown)) or 0)
    ids = session.scalars(
        select(Service.id).where(shown).order_by(Service.name, Service.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(ids), total


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of ``/api/v1`` and ``/healthz``."""
    return jsonify(openapi_document())


def _error(status: int, message: str) -> ResponseReturnValue:
    return jsonify({"error": message, "status": status}), status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> ResponseReturnValue:
    return _error(error.code or 500, error.description or error.name)
