"""The directory's categories by slug, kept per process (a results page names its category).

Categories change only when listings do (an import, a migration), and every such change is
journaled for the listings that carry them; the app's journal reader
(:func:`kiosk.search.subscribe`) says so, and the names are read again on next use. A
topic's results page thus names its category without a query of its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models import Category

from kiosk.app_state import app_object
from kiosk.search import subscribe

_EXTENSION = "kiosk_categories"


@dataclass(frozen=True)
class CategoryName:
    """A category's slug and its names in English and Spanish."""

    slug: str
    name_en: str
    name_es: str


class CategoryNames:
    """Every category by slug, read once and again after the journal reports a change."""

    def __init__(self) -> None:
        self._names: dict[str, CategoryName] | None = None
        self._lock = threading.Lock()

    def _changed(self, _ids: frozenset[str] | None) -> None:
        with self._lock:
            self._names = None

    def get(self, session: Session, slug: str) -> CategoryName | None:
        """The category ``slug`` names, or None."""
        with self._lock:
            names = self._names
        if names is None:
            names = {row.slug: CategoryName(row.slug, row.name_en, row.name_es)
                     for row in session.execute(select(Category.slug, Category.name_en, Category.name_es))}
            with self._lock:
                self._names = names
        return names.get(slug)


def get_category_names(app: Flask | None = None) -> CategoryNames:
    """The :class:`CategoryNames` of ``app`` (default: the current app), made on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def make() -> CategoryNames:
        names = CategoryNames()
        subscribe(names._changed, app)
        return names

    return app_object(app, _EXTENSION, make)
