"""What an anonymous caller may learn of a confidential location, and nothing more.

A confidential location (a shelter, a safe home) shows the public its name as the caseworker
wrote it, its public phones and its hours. Its street, coordinates and free text never reach a
public answer, and neither does anything they can be worked out from. The rules, used by every
public surface (the search index, the kiosk, the JSON API, referral pages, slips and codes):

* **Position.** Its public position is the centre of its cell in a fixed grid
  (:func:`coarse_point`): rows :data:`CELL_DEGREES` of latitude high (5.56 km), each row cut into
  cells at least as wide (5.56 km). Every public distance, radius test, distance order, ranking,
  facet and total that concerns it is computed from that centre only, so any answer about it is
  a function of its cell and nothing else: two confidential places in the same cell give the
  same answers. The best an attacker can do is name the cell, whose centre is on average
  2.1 km (at most 3.9 km) from the true point.
* **Distances** measured to a cell centre are rounded to :data:`DISTANCE_STEP_KM` (whole km) in
  public answers (:func:`public_distance_km`), so they do not look precise.
* **ZIP centroids** (``zip=`` searches) are the mean of the *public* places of a ZIP code only:
  confidential places never move them (:func:`in_zip_centroids`).
* **Free text** of the location is withheld (:data:`WITHHELD_LOCATION_FIELDS`,
  :data:`WITHHELD_LINK_FIELDS`): alternate name, description, transportation, web address,
  external identifiers, accessibility, the service-at-location description, the descriptions of
  its phones and the notes of its schedules; so is its source id.

Signed-in officers keep true distances and positions (the patrol view, and the API when the
caller is an officer). Pure functions: no session, no clock.
"""

from __future__ import annotations

import math
from typing import Protocol

Point = tuple[float, float]

#: Height of a grid row in degrees of latitude (0.05 degrees = 5.56 km); cells are at least as wide.
CELL_DEGREES = 0.05
#: Step public distances to a cell centre are rounded to, in km.
DISTANCE_STEP_KM = 1.0

#: Location columns a public view of a confidential location leaves out (with its addresses,
#: accessibility rows and coordinates).
WITHHELD_LOCATION_FIELDS: frozenset[str] = frozenset({
    "alternate_name", "description", "transportation", "url", "latitude", "longitude",
    "external_identifier", "external_identifier_type",
})
#: Service-at-location columns left out when the location is confidential.
WITHHELD_LINK_FIELDS: frozenset[str] = frozenset({"description"})
#: Phone columns left out for a phone of a confidential location.
WITHHELD_PHONE_FIELDS: frozenset[str] = frozenset({"description"})
#: Schedule columns left out for the hours of a confidential location (its hours stay).
WITHHELD_SCHEDULE_FIELDS: frozenset[str] = frozenset({"description", "notes", "schedule_link"})

_ROWS = round(180 / CELL_DEGREES)


class Located(Protocol):
    """What :func:`public_point` reads of a location."""

    latitude: float | None
    longitude: float | None
    confidential: bool


def coarse_point(latitude: float, longitude: float) -> Point:
    """The centre of the grid cell holding ``(latitude, longitude)`` (degrees).

    Row ``r`` spans latitudes ``-90 + r * CELL_DEGREES`` to the next row; it is cut into as many
    equal cells as fit at least :data:`CELL_DEGREES` of latitude's length (5.56 km) at the row's
    middle, so no cell is narrower than it is high there. The same point always gives the same
    centre, and every point of a cell gives that cell's centre.
    """
    row = min(max(math.floor((latitude + 90.0) / CELL_DEGREES), 0), _ROWS - 1)
    middle = -90.0 + (row + 0.5) * CELL_DEGREES
    columns = max(1, math.floor(360.0 * math.cos(math.radians(middle)) / CELL_DEGREES))
    width = 360.0 / columns
    column = min(max(math.floor((longitude + 180.0) / width), 0), columns - 1)
    return round(middle, 6), round(-180.0 + (column + 0.5) * width, 6)


def public_point(location: Located) -> Point | None:
    """Where public answers put ``location``: its point, or for a confidential one its cell's
    centre (None without coordinates)."""
    if location.latitude is None or location.longitude is None:
        return None
    if location.confidential:
        return coarse_point(location.latitude, location.longitude)
    return location.latitude, location.longitude


def public_distance_km(km: float) -> float:
    """A distance measured to a cell centre, rounded to :data:`DISTANCE_STEP_KM`."""
    return round(km / DISTANCE_STEP_KM) * DISTANCE_STEP_KM


def in_zip_centroids(location: Located) -> bool:
    """Whether ``location``'s point may count in its ZIP code's centroid (never when confidential)."""
    return not location.confidential
