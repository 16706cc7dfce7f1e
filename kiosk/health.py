"""``GET /healthz``: whether the app can answer, as JSON with an honest status code."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from . import __version__
from .db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """``{"status": "ok"|"unavailable", "database": bool, "version": str}``; 503 when down."""
    try:
        get_session().execute(text("SELECT 1"))
        database_ok = True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        database_ok = False
    body = {"status": "ok" if database_ok else "unavailable", "database": database_ok,
            "version": __version__}
    return jsonify(body), 200 if database_ok else 503
