"""Configuration defaults and how the instance folder and database URL are resolved."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from directory_data.directions import DEFAULT_TEMPLATE as DEFAULT_DIRECTIONS_TEMPLATE


#: The default settings, as data (with what each one means).
DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")


def default_config() -> dict[str, Any]:
    """The settings every app starts from (:data:`DEFAULTS_FILE`, with ``KIOSK_HOME`` and
    ``DIRECTIONS_URL`` filled in, and the settings TOML cannot leave unset as None);
    ``KIOSK_*`` environment variables override them."""
    with DEFAULTS_FILE.open("rb") as handle:
        config: dict[str, Any] = dict.fromkeys(("DATABASE_URL", "INDEX_DIR", "SECRET_KEY", "PUBLIC_BASE_URL"))
        config.update(tomllib.load(handle))
    config["KIOSK_HOME"] = str(Path(os.environ.get("KIOSK_HOME", "instance")).resolve())
    config["DIRECTIONS_URL"] = DEFAULT_DIRECTIONS_TEMPLATE
    config["LANGUAGES"] = tuple(config["LANGUAGES"])
    config["PATROL_DISTRICTS"] = tuple(config["PATROL_DISTRICTS"])
    return config


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
