"""The public referral pages a QR code or a slip leads to, each in the referral's language:
``/r/<token>`` (mobile first, no JavaScript needed, tap-to-call), the printed slip
``/r/<token>/print`` (``REFERRAL_PRINT_LAYOUT``, or ``?layout=``: US Letter or 80 mm receipt), and
the codes ``/r/<token>/qr.svg`` and ``qr.png`` (:func:`kiosk.referrals.codes_of`). An unknown,
malformed or expired token gets the same kind page (404), so tokens cannot be probed.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kiosk import referrals
from kiosk.db import get_session
from kiosk.pages import attachment, safe_next

bp = Blueprint("referrals", __name__)


def gone() -> ResponseReturnValue:
    """The kind page for a referral that is not there (any reason): call 211."""
    return render_template("referral/gone.html"), 404


def _page(token: str, template: str, **context: object) -> ResponseReturnValue:
    referral = referrals.find(token)
    if referral is None:
        return gone()
    with referrals.in_language(referral.lang):
        return render_template(template, **referrals.slip_context(get_session(), referral), **context)


@bp.get("/r/<token>")
def public(token: str) -> ResponseReturnValue:
    """The referral page a resident's phone opens."""
    return _page(token, "referral/public.html")


@bp.get("/r/<token>/print")
def print_slip(token: str) -> ResponseReturnValue:
    """The printed slip, with a Print button (the kiosk prints from its own print screen,
    :func:`kiosk.views.referral_print`)."""
    layout = referrals.print_layout(request.args.get("layout"))
    back = safe_next(request.args.get("back"), url_for("referrals.public", token=token))
    return _page(token, "referral/print.html", layout=layout, back_url=back)


def _stored_code(token: str, extension: str) -> ResponseReturnValue:
    """The referral's code (``svg`` or ``png``): as stored at creation while the listings it
    copies are unchanged, else made again from them, or the gone page when it is withdrawn
    (:func:`kiosk.referrals.codes_of`)."""
    referral = referrals.find(token)
    codes = referrals.codes_of(get_session(), referral) if referral is not None else None
    if codes is None:
        return gone()
    body, mimetype = (codes[0], "image/svg+xml") if extension == "svg" else (codes[1], "image/png")
    return attachment(body, mimetype, f"referral.{extension}", inline=True)


@bp.get("/r/<token>/qr.svg")
def qr_svg(token: str) -> ResponseReturnValue:
    """The referral's stored QR code as SVG."""
    return _stored_code(token, "svg")


@bp.get("/r/<token>/qr.png")
def qr_png(token: str) -> ResponseReturnValue:
    """The referral's stored QR code as PNG (for print)."""
    return _stored_code(token, "png")
