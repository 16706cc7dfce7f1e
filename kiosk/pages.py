"""What every page of the kiosk and the patrol view needs: asset URLs, the current address, the
visit's state, the local clock, the template helpers for numbers and times, and the answers after
a form (a redirect, a message) or of a download."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, redirect, request, url_for

from markupsafe import Markup

from directory_data.phone_display import phone_display

from kiosk import formatting
from kiosk import qr
from kiosk import visit
from kiosk.icons import icon

STATIC_DIR = Path(__file__).with_name("static")
_ASSET_URLS = "kiosk_asset_urls"


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """The URL of a static file, with a content hash so it can be cached for a year.

    Built once per file version (and script root) per app, not on every page.
    """
    path = STATIC_DIR / filename
    mtime = path.stat().st_mtime
    built = current_app.extensions.setdefault(_ASSET_URLS, {})
    key = (filename, mtime, request.script_root)
    url = built.get(key)
    if url is None:
        url = built[key] = url_for("static", filename=filename, v=_fingerprint(path))
    return url


def here() -> str:
    """The current page's path and query, to come back to after a switch or a form."""
    return request.full_path.rstrip("?") if request.query_string else request.path


#: Longest ``next`` / ``back`` value followed (a page's path and query are far shorter).
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site (never another host), else ``fallback``.

    Any other value is ignored, never an error: not text, longer than :data:`MAX_NEXT_LENGTH`,
    or holding a control character (a CR or LF would split the ``Location`` header, and
    browsers drop tabs, so ``/<TAB>/host`` would lead off the site)."""
    if not target or not isinstance(target, str) or len(target) > MAX_NEXT_LENGTH:
        return fallback
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target):
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 host
        return fallback
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def local_now() -> dt.datetime:
    """The current time in the directory's time zone (aware)."""
    from search_index.hours import zone

    return dt.datetime.now(dt.timezone.utc).astimezone(zone(current_app.config["TIMEZONE"]))


def _context() -> dict[str, Any]:
    config = current_app.config
    return {
        "asset_url": asset_url,
        "here": here(),
        "display_modes": visit.display_modes(),
        "referral_count": len(visit.referral_ids()),
        "idle_seconds": int(config["IDLE_TIMEOUT_SECONDS"]),
        "countdown_seconds": int(config["IDLE_COUNTDOWN_SECONDS"]),
    }


def tel_href(number: str) -> str:
    """How ``number`` is dialled (``+18007997233``, ``988``)."""
    return phone_display(number)[1]


def call_code(number: str) -> Markup:
    """The "scan to call" QR code of ``number`` (a ``tel:`` URI), for the lobby kiosk, which
    cannot call: a resident's phone can."""
    return qr.svg_markup(f"tel:{tel_href(number)}")


def init_app(app: Flask) -> None:
    """Register the page context and the formatting helpers with ``app``'s templates."""
    app.context_processor(_context)
    app.jinja_env.globals.update(
        icon=icon,
        distance_text=formatting.distance_text,
        time_text=formatting.time_text,
        weekday_text=formatting.weekday_text,
        day_text=formatting.day_text,
        date_text=formatting.date_text,
        tel_href=tel_href,
        phone_shown=lambda number: phone_display(number)[0],
        call_code=call_code,
    )
    app.add_template_global(local_now, "local_now")


def after_post(target: str) -> Response:
    """Where a form sends the browser next: a 303 redirect to ``target``.

    ``kiosk.js`` posts forms with ``X-Kiosk-Navigation: replace`` and then loads the next page
    with ``location.replace`` (so it adds no history entry); it gets a 204 naming the target.
    """
    if request.headers.get("X-Kiosk-Navigation") == "replace":
        response = Response(status=204)
        response.headers["X-Kiosk-Location"] = target
        return response
    return redirect(target, 303)


def redirect_with(message: str, target: str, category: str = "message") -> Response:
    """Show ``message`` (a flashed ``category``) on the page at ``target``, where the browser goes
    next (303)."""
    flash(message, category)
    return redirect(target, 303)


def attachment(body: str | bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    """A download of ``body`` named ``filename`` (``inline``: shown in the browser where it can be)."""
    disposition = "inline" if inline else "attachment"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})
