"""Configuration defaults and how the instance folder and database URL are resolved."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def default_config() -> dict[str, Any]:
    """The settings every app starts from; ``KIOSK_*`` environment variables override them."""
    home = Path(os.environ.get("KIOSK_HOME", "instance")).resolve()
    return {
        "KIOSK_HOME": str(home),
        "DATABASE_URL": None,  # None: an SQLite file in KIOSK_HOME
        "INDEX_DIR": None,  # None: KIOSK_HOME/index
        "TIMEZONE": "America/New_York",
        "STALE_AFTER_DAYS": 180,
        "SECRET_KEY": None,  # None: a key kept in KIOSK_HOME/secret_key
    }


def database_url(config: dict[str, Any]) -> str:
    """The database URL: ``DATABASE_URL`` if set, else ``sqlite:///<KIOSK_HOME>/kiosk.db``."""
    url = config.get("DATABASE_URL")
    if url:
        return str(url)
    return f"sqlite:///{Path(config['KIOSK_HOME']) / 'kiosk.db'}"


def index_dir(config: dict[str, Any]) -> Path:
    """The directory of this host's search index: ``INDEX_DIR`` or ``KIOSK_HOME/index``."""
    configured = config.get("INDEX_DIR")
    return Path(configured) if configured else Path(config["KIOSK_HOME"]) / "index"
