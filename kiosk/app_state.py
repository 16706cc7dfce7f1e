"""Per-app objects made on first use and kept in ``app.extensions``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

T = TypeVar("T")

#: Re-entrant: making one object may make another (a listing cache makes the change feed).
_LOCK = threading.RLock()


def app_object(app: Flask, key: str, make: Callable[[], T]) -> T:
    """``app.extensions[key]``, made by ``make()`` the first time (once, whatever the threads)."""
    found: Any = app.extensions.get(key)
    if found is None:
        with _LOCK:
            found = app.extensions.get(key)
            if found is None:
                found = app.extensions[key] = make()
    return found
