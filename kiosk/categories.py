"""The directory's categories by slug, kept per process (a results page names its category):
:class:`directory_data.category_names.CategoryNames`, told of every change by the app's journal
reader (:func:`kiosk.search.subscribe`). A topic's results page thus names its category without
a query of its own.
"""

from __future__ import annotations

from flask import Flask, current_app

from directory_data.category_names import CategoryNames

from kiosk.app_state import app_object
from kiosk.search import subscribe

_EXTENSION = "kiosk_categories"


def get_category_names(app: Flask | None = None) -> CategoryNames:
    """The :class:`CategoryNames` of ``app`` (default: the current app), made on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def make() -> CategoryNames:
        names = CategoryNames()
        subscribe(names.changed, app)
        return names

    return app_object(app, _EXTENSION, make)
