"""Filters as boolean masks over the documents: category, language, free, walk-in, age, open
now, has room now and distance (to the public positions unless the request is ``precise``, see
:mod:`directory_data.confidential`).

Each mask comes from the index view (cached per index state): a few array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from search_index.engine.store import Searcher

from directory_data.availability import minutes_since_epoch

from search_index.geo import Point
from search_index.query.request import Effective
from search_index.engine.view import IndexView, Leaves, view_for


@dataclass(frozen=True)
class Filters:
    """Every filter but the category one (``other``), the category filter, the resolved location
    and every document's distance from it (None where there is none)."""

    other: np.ndarray | None
    category: np.ndarray | None
    origin: Point | None
    distances: np.ndarray | None
    zip_unknown: bool = False


def _any_of(view: IndexView, leaves: Leaves, field: str, values: tuple[str, ...]) -> np.ndarray:
    mask = np.zeros(view.doc_count, dtype=bool)
    for value in values:
        mask |= view.term_mask(leaves, field, value)
    return mask


def _narrow(current: np.ndarray | None, new: np.ndarray) -> np.ndarray:
    return new.copy() if current is None else current & new


def resolve_origin(view: IndexView, leaves: Leaves, request: Effective) -> tuple[Point | None, bool]:
    """The request's point (``near``, else its ZIP code's centroid) and whether the ZIP was unknown."""
    if request.near is not None:
        return request.near, False
    if request.zip_code is not None:
        centroid = view.geo(leaves).zip_centroids.get(request.zip_code)
        return centroid, centroid is None
    return None, False


def zip_centroid(searcher: Searcher, zip_code: str) -> Point | None:
    """The centroid of ``zip_code`` that ``zip=`` searches use (None: no public place in it)."""
    view, leaves = view_for(searcher)
    return view.geo(leaves).zip_centroids.get(zip_code)


def build_filters(view: IndexView, leaves: Leaves, request: Effective) -> Filters:
    """The filter masks of ``request`` over ``view``."""
    other: np.ndarray | None = None
    if request.languages:
        other = _narrow(other, _any_of(view, leaves, "languages", request.languages))
    if request.free:
        other = _narrow(other, view.term_mask(leaves, "free", "t"))
    if request.walk_in:
        other = _narrow(other, view.term_mask(leaves, "walk_in", "t"))
    if request.open_now:
        other = _narrow(other, view.open_mask(leaves, request.now))
    if request.age is not None:
        other = _narrow(other, view.age_mask(leaves, request.age))
    if request.room_since is not None:
        other = _narrow(other, view.ints(leaves, "room_as_of", 0) >= minutes_since_epoch(request.room_since))
    origin, zip_unknown = resolve_origin(view, leaves, request)
    # Anonymous: every distance, radius test, order and count from the public positions only.
    distances = view.distances(leaves, origin, exact=request.precise) if origin is not None else None
    if distances is not None and request.radius_km is not None:
        other = _narrow(other, distances <= request.radius_km)
    category = _any_of(view, leaves, "categories", request.categories) if request.categories else None
    return Filters(other, category, origin, distances, zip_unknown)
