"""``POST /api/v1/referrals``: make a referral from JSON.

Body: ``{"service_ids": [...], "note": "...", "lang": "en"|"es",
"mode": "link"|"text"|"contact"|"hotline", "discreet": true|false}`` (all but ``service_ids``
optional; ``mode`` defaults to ``link``, or ``text`` without a ``PUBLIC_BASE_URL``, which also
refuses ``link``). Answer 201: ``{"token", "url", "print_url", "qr_svg_url", "qr_png_url",
"expires_at", "mode", "qr_mode", "discreet"}``, the URLs on ``PUBLIC_BASE_URL`` (never the Host
header), or paths without it. A bad body gives 400 with ``{"error", "fields": {name: message}}``
and stores nothing; so does a request without the CSRF token (the pages send their
``<meta name="csrf-token">`` as ``X-CSRFToken``). The referral's origin is this kiosk.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from directory_data.models import Referral
from directory_data.referrals import InvalidReferral

from kiosk import referrals
from kiosk.api.errors import fields_error, fields_http_error

bp = Blueprint("api_referrals", __name__, url_prefix="/api/v1")


def referral_json(referral: Referral) -> dict[str, object]:
    """The API's answer for ``referral``: its token, its addresses and when it expires."""
    base = referrals.base_url() or ""
    return {
        "token": referral.token,
        "url": base + url_for("referrals.public", token=referral.token),
        "print_url": base + url_for("referrals.print_slip", token=referral.token),
        "qr_svg_url": base + url_for("referrals.qr_svg", token=referral.token),
        "qr_png_url": base + url_for("referrals.qr_png", token=referral.token),
        "expires_at": referral.expires_at.isoformat(),
        "mode": referral.mode,
        "qr_mode": referral.qr_mode,
        "discreet": referral.discreet,
    }


@bp.post("/referrals")
def create() -> ResponseReturnValue:
    """Make a referral (see the module docstring)."""
    data = request.get_json(silent=True)
    try:
        referral = referrals.make(data, referrals.origin("kiosk"))
    except InvalidReferral as error:
        return fields_error(400, "invalid referral", referrals.messages(error))
    return jsonify(referral_json(referral)), 201


bp.register_error_handler(CSRFError, lambda _error: fields_error(
    400, "missing or wrong CSRF token (send X-CSRFToken)"))
bp.register_error_handler(HTTPException, fields_http_error)
