"""Filters as sets of doc numbers: category, language, free, walk-in, age, open now, distance.

Each set comes from the index view (term postings or column data, cached per index state), so a
filter costs set operations, not a pass over stored documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from search_index.geo import Point
from search_index.request import Effective
from search_index.view import IndexView, Leaves


@dataclass(frozen=True)
class FilterSets:
    """``other`` is every filter but the category one (None: no such filter) and ``exclude``
    the documents they rule out (age limits); ``category`` is the category filter alone.
    ``origin`` is the resolved location, if any."""

    other: frozenset[int] | None
    exclude: frozenset[int]
    category: frozenset[int] | None
    origin: Point | None
    zip_unknown: bool = False


def _union(view: IndexView, leaves: Leaves, field: str, values: tuple[str, ...]) -> frozenset[int]:
    found: set[int] = set()
    for value in values:
        found |= view.term_docs(leaves, field, value)
    return frozenset(found)


def _narrow(current: frozenset[int] | None, new: frozenset[int]) -> frozenset[int]:
    if current is None:
        return new
    if len(new) < len(current):
        return new & current
    return current & new


def resolve_origin(view: IndexView, leaves: Leaves, request: Effective) -> tuple[Point | None, bool]:
    """The request's point (``near``, else the ZIP code's centroid) and whether a ZIP was unknown."""
    if request.near is not None:
        return request.near, False
    if request.zip_code is not None:
        centroid = view.geo(leaves).zip_centroids.get(request.zip_code)
        return centroid, centroid is None
    return None, False


def build_filters(view: IndexView, leaves: Leaves, request: Effective) -> FilterSets:
    """The filter sets of ``request`` over ``view``."""
    other: frozenset[int] | None = None
    if request.languages:
        other = _narrow(other, _union(view, leaves, "languages", request.languages))
    if request.free:
        other = _narrow(other, view.term_docs(leaves, "free", "t"))
    if request.walk_in:
        other = _narrow(other, view.term_docs(leaves, "walk_in", "t"))
    if request.open_now:
        other = _narrow(other, view.open_docs(leaves, request.now))
    origin, zip_unknown = resolve_origin(view, leaves, request)
    if origin is not None and request.radius_km is not None:
        other = _narrow(other, frozenset(view.geo(leaves).within(origin, request.radius_km)))
    exclude = view.age_excluded(leaves, request.age) if request.age is not None else frozenset()
    category = _union(view, leaves, "categories", request.categories) if request.categories else None
    return FilterSets(other, exclude, category, origin, zip_unknown)
