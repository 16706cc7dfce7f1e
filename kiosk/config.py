"""Configuration defaults and how the instance folder and database URL are resolved."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from directory_data.directions import DEFAULT_TEMPLATE as DEFAULT_DIRECTIONS_TEMPLATE


def default_config() -> dict[str, Any]:
    """The settings every app starts from; ``KIOSK_*`` environment variables override them."""
    home = Path(os.environ.get("KIOSK_HOME", "instance")).resolve()
    return {
        "KIOSK_HOME": str(home),
        "DATABASE_URL": None,  # None: an SQLite file in KIOSK_HOME
        "INDEX_DIR": None,  # None: KIOSK_HOME/index
        "TIMEZONE": "America/New_York",
        "STALE_AFTER_DAYS": 180,
        # The listing form offers every organization in a select up to this many (not retired);
        # a larger directory's form has a text field for the organization's name instead.
        "ORGANIZATION_SELECT_LIMIT": 300,
        "SECRET_KEY": None,  # None: a key kept in KIOSK_HOME/secret_key
        # The station this kiosk stands in: distances on the lobby kiosk are measured from here,
        # and the patrol view falls back to it when the tablet cannot tell where it is.
        "STATION_NAME": "Sanford Police Department",
        "STATION_DISTRICT": "Sanford, Seminole County",
        "STATION_LATITUDE": 28.8003,
        "STATION_LONGITUDE": -81.2731,
        # The kiosk's district among the loaded boundaries (`kiosk districts load`), by code or
        # name; empty: the district the station's coordinates lie in (kiosk/district_cache.py).
        "DISTRICT": "",
        # Idle reset: after this many seconds without a touch a countdown is shown for
        # IDLE_COUNTDOWN_SECONDS, then everything the resident did is wiped.
        "IDLE_TIMEOUT_SECONDS": 90,
        "IDLE_COUNTDOWN_SECONDS": 15,
        # The interface languages (the first is the default); Accept-Language chooses among them.
        "LANGUAGES": ("en", "es"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "America/New_York",
        # How many services a resident may collect for one referral (a referral holds 10 at most).
        "REFERRAL_MAX_ITEMS": 10,
        # Referrals: the public address residents' phones reach the referral page at (None: no
        # link codes are offered; a request's Host header never makes a link), how many days a
        # referral lives, the printed slip's layout ("letter" or "receipt" for 80 mm thermal
        # paper), and the districts an officer may choose.
        "PUBLIC_BASE_URL": None,
        "REFERRAL_DAYS": 30,
        "REFERRAL_PRINT_LAYOUT": "letter",
        # The kiosk's print screen goes back to the start this many seconds after printing
        # began, whatever the printer does (a stalled print never leaves the slip on screen).
        "PRINT_RETURN_SECONDS": 20,
        "PATROL_DISTRICTS": (),
        # The patrol view measures a visit's detail and referral pages from the point of its
        # last results (the tablet's, else the station) for at most this many minutes.
        "PATROL_POSITION_MINUTES": 30,
        # What a detail page's "Get directions" code holds: a link with {destination} (the
        # place's coordinates, or its address); see directory_data/directions.py.
        "DIRECTIONS_URL": DEFAULT_DIRECTIONS_TEMPLATE,
        # Results shown per page on the kiosk and the patrol view.
        "RESULTS_PER_PAGE": 10,
        # The HSDS API: the profile its "/" names, and how many seconds before a modified_after
        # instant a list starts, so that a change committed late, or journaled by a host whose
        # clock is behind, still reaches a client syncing from its last sync's start.
        "API_PROFILE_URL": "https://github.com/openreferral/specification/tree/3.0",
        "API_SYNC_OVERLAP_SECONDS": 120,
        # Where a search for a need the directory has no services for is handed off: a number to
        # call and a number to text a ZIP code to (211's national text line).
        "HANDOFF_CALL": "211",
        "HANDOFF_TEXT": "898-211",
        # The one cookie the app sets: signed, not readable by scripts, gone when the browser
        # closes. Set KIOSK_SESSION_COOKIE_SECURE=true when served over HTTPS.
        "SESSION_COOKIE_NAME": "kiosk",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # How many reverse proxies stand in front (their X-Forwarded-For and -Proto are believed):
        # the throttle counts per client address, which behind a proxy is otherwise the proxy's.
        "TRUSTED_PROXIES": 0,
        # Request bodies: at most 1 MiB (413 beyond), except an HSDS upload to /admin/import
        # (IMPORT_MAX_UPLOAD_BYTES). An uploaded ZIP may unpack to IMPORT_MAX_UNPACKED_BYTES,
        # and its import runs in a process of its own limited to IMPORT_MEMORY_LIMIT_MB.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "IMPORT_MAX_UPLOAD_BYTES": 64 * 1024 * 1024,
        "IMPORT_MAX_UNPACKED_BYTES": 64 * 1024 * 1024,
        "IMPORT_MEMORY_LIMIT_MB": 1024,
        # Static URLs carry a content hash (kiosk.pages.asset_url), so browsers may keep them.
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
    }


class PublicBaseUrlError(ValueError):
    """``PUBLIC_BASE_URL`` is set but is not an ``http(s)://host[/path]`` address."""


def public_base_url(config: Mapping[str, Any]) -> str | None:
    """``PUBLIC_BASE_URL`` without a trailing slash, or ``None`` when it is not set; raises
    :class:`PublicBaseUrlError` when it is not an ``http://`` or ``https://`` address with a host
    (no user name, query or fragment)."""
    value = str(config.get("PUBLIC_BASE_URL") or "").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as error:
        raise PublicBaseUrlError(f"PUBLIC_BASE_URL {value!r} is not an address: {error}") from None
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None
            or parts.query or parts.fragment or any(c.isspace() for c in value)):
        raise PublicBaseUrlError(
            f"PUBLIC_BASE_URL {value!r} must look like https://help.example.org (http or https, "
            f"a host, an optional path; no user name, query or fragment)")
    return value.rstrip("/")


def station(config: Mapping[str, Any]) -> tuple[float, float]:
    """The station's ``(latitude, longitude)``."""
    return float(config["STATION_LATITUDE"]), float(config["STATION_LONGITUDE"])


def on_earth(point: tuple[float, float]) -> bool:
    """Whether ``(latitude, longitude)`` is a place on Earth."""
    return -90 <= point[0] <= 90 and -180 <= point[1] <= 180


def database_url(config: dict[str, Any]) -> str:
    """The database URL: ``DATABASE_URL`` if set, else ``sqlite:///<KIOSK_HOME>/kiosk.db``."""
    return str(config.get("DATABASE_URL") or f"sqlite:///{Path(config['KIOSK_HOME']) / 'kiosk.db'}")


def index_dir(config: dict[str, Any]) -> Path:
    """The directory of this host's search index: ``INDEX_DIR`` or ``KIOSK_HOME/index``."""
    return Path(config.get("INDEX_DIR") or Path(config["KIOSK_HOME"]) / "index")
