"""The directory's category names by slug, read once and again after a change (categories change
only when listings do: an import, a migration, and every such change is journaled)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models import Category


@dataclass(frozen=True)
class CategoryName:
    """A category's slug and its names in English and Spanish."""

    slug: str
    name_en: str
    name_es: str


class CategoryNames:
    """Every category by slug, read on first use and again after :meth:`changed`."""

    def __init__(self) -> None:
        self._names: dict[str, CategoryName] | None = None
        self._lock = threading.Lock()

    def changed(self, _ids: frozenset[str] | None = None) -> None:
        """Read the names again on next use (a journal reader's notification)."""
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
