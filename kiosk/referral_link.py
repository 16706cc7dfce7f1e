"""A referral as a link the resident can take away: a signed token of the services' ids (no
name, no visit, nothing else), and its QR code as inline SVG.

The referral issue builds the full output (printing, short links); the patrol view uses this to
show the collected services as a QR code.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "kiosk.referral-link"
MAX_SERVICES = 20


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def referral_token(service_ids: list[str]) -> str:
    """The signed token of ``service_ids``."""
    return _serializer().dumps(list(service_ids)[:MAX_SERVICES])


def read_referral_token(token: str) -> list[str] | None:
    """The ids in ``token``, or None when it was not made by this app."""
    try:
        ids = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return None
    return ids[:MAX_SERVICES]


def shared_referral_url(service_ids: list[str], *, lang: str) -> str:
    """The absolute URL of the public page listing ``service_ids``, in ``lang``."""
    return url_for("lobby.shared_referral", token=referral_token(service_ids), lang=lang,
                   _external=True)


def referral_qr_svg(url: str) -> str:
    """``url`` as a QR code: an SVG with a viewBox (scales with CSS) and a white background."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg"):]
    return svg.replace("<svg", '<svg class="qr" role="img" aria-label="QR code"', 1)
