"""The district sheet for command staff and caseworkers: what one district needs over a period.

For a district and a period it gathers:

* the needs residents searched for and the directory could not serve, per category of need
  (:func:`directory_data.unmet_needs.unmet_needs_by_category`, counted by the district of the
  kiosk or patrol view that searched);
* the referrals made there per category (the weekly :class:`~directory_data.models.ReferralCount`);
* the listings located in the district per category, with how many are stale and held for review
  (:func:`directory_data.workspace_queries.stale_condition`);
* the availability trends of its shelters (:mod:`directory_data.availability_trends`);
* the next outreach events (:func:`directory_data.events.upcoming`);
* a map (:func:`map_svg`): the boundary and a dot per public place, drawn in an SVG box with no
  tiles and no request anywhere.

Privacy: every count of people's searches or referrals is shown only when at least
:data:`MIN_COUNT` share it (k-anonymity, k = 5); smaller counts are withheld and said to be.
Confidential places are never drawn, not even at a coarse point: the map says how many there are.
Nothing on the sheet names or describes a resident.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from directory_data.availability_trends import CapacityTrend, availability_trends
from directory_data.events import upcoming
from directory_data.models import (
    OUTSIDE,
    District,
    Location,
    LocationDistrict,
    OutreachEvent,
    ReferralCount,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
)
from directory_data.unmet_needs import unmet_needs_by_category
from directory_data.workspace_queries import stale_condition

#: A count of searches or referrals is shown only when at least this many share it.
MIN_COUNT = 5
#: Events the sheet lists.
NEXT_EVENTS = 5


@dataclass(frozen=True)
class Counted:
    """Counts of people's activity per category: those shown (each at least :data:`MIN_COUNT`)
    and how many categories were withheld for having fewer."""

    shown: list[tuple[str, int]]
    withheld: int

    @classmethod
    def of(cls, rows: Sequence[tuple[str, int]], k: int = MIN_COUNT) -> Counted:
        """``rows`` with every count under ``k`` withheld."""
        return cls([(c, n) for c, n in rows if n >= k], sum(1 for _, n in rows if 0 < n < k))


@dataclass(frozen=True)
class ListingCount:
    """Live listings located in the district in one category (``""``: none)."""

    category: str
    listings: int
    stale: int
    held: int


@dataclass(frozen=True)
class Place:
    """A public place of the district as the map draws it."""

    latitude: float
    longitude: float


@dataclass
class DistrictSheet:
    """Everything the sheet shows."""

    code: str
    name: str
    since: dt.date
    until: dt.date
    unmet: Counted
    referrals: Counted
    listings: list[ListingCount]
    events: list[OutreachEvent]
    availability: list[CapacityTrend] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    confidential_places: int = 0
    geometry: dict | None = None  # type: ignore[type-arg]

    def listing_totals(self) -> tuple[int, int, int]:
        """Listings, stale and held summed over the categories (a listing of two categories
        counts in each)."""
        return (sum(c.listings for c in self.listings), sum(c.stale for c in self.listings),
                sum(c.held for c in self.listings))


def referrals_by_category(session: Session, district: str, since: dt.date, until: dt.date) -> list[tuple[str, int]]:
    """Referrals made in ``district`` per category from the week of ``since`` to ``until``."""
    monday = since - dt.timedelta(days=since.weekday())
    total = func.sum(ReferralCount.referrals).label("total")
    rows = session.execute(
        select(ReferralCount.category, total)
        .where(ReferralCount.district == district, ReferralCount.week.between(monday, until))
        .group_by(ReferralCount.category).order_by(total.desc(), ReferralCount.category))
    return [(category, int(n)) for category, n in rows]


def _in_district(district: str):  # type: ignore[no-untyped-def]
    return and_(LocationDistrict.district_code == district, Location.retired_at.is_(None))


def listing_counts(session: Session, district: str, *, today: dt.date, stale_after_days: int) -> list[ListingCount]:
    """Per category, the live listings (not retired, not defunct) delivered at a place in
    ``district``, how many of them are stale and how many are held for review."""
    stale = stale_condition(today, stale_after_days)
    held = Service.review_reasons.is_not(None)
    rows = session.execute(
        select(ServiceCategory.category_slug, func.count(func.distinct(Service.id)),
               func.count(func.distinct(case((stale, Service.id)))),
               func.count(func.distinct(case((held, Service.id)))))
        .select_from(Service)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(LocationDistrict, LocationDistrict.location_id == Location.id)
        .outerjoin(ServiceCategory, ServiceCategory.service_id == Service.id)
        .where(_in_district(district), Service.retired_at.is_(None), Service.status != ServiceStatus.defunct)
        .group_by(ServiceCategory.category_slug))
    out = [ListingCount(slug or "", int(n), int(s), int(h)) for slug, n, s, h in rows]
    return sorted(out, key=lambda c: (c.category == "", -c.listings, c.category))


def district_places(session: Session, district: str) -> tuple[list[Place], int]:
    """The public places in use in ``district`` with coordinates, and how many confidential ones
    there are (never their position)."""
    rows = session.execute(
        select(Location.latitude, Location.longitude, Location.confidential)
        .join(LocationDistrict, LocationDistrict.location_id == Location.id)
        .where(_in_district(district), Location.latitude.is_not(None), Location.longitude.is_not(None))
        .order_by(Location.latitude, Location.longitude))
    places, confidential = [], 0
    for latitude, longitude, secret in rows:
        if secret:
            confidential += 1
        else:
            places.append(Place(float(latitude), float(longitude)))
    return places, confidential


def district_sheet(session: Session, code: str, *, since: dt.date, until: dt.date, now: dt.datetime,
                   stale_after_days: int, zone: dt.tzinfo) -> DistrictSheet | None:
    """The sheet of district ``code`` (or :data:`OUTSIDE`) for ``since`` to ``until``
    (inclusive, dates in ``zone``, the directory's time zone); None when no such district is loaded."""
    district = session.get(District, code) if code != OUTSIDE else None
    if district is None and code != OUTSIDE:
        return None
    places, confidential = district_places(session, code)
    return DistrictSheet(
        code=code, name=district.name if district is not None else OUTSIDE, since=since, until=until,
        unmet=Counted.of(unmet_needs_by_category(session, since, until, district=code)),
        referrals=Counted.of(referrals_by_category(session, code, since, until)),
        listings=listing_counts(session, code, today=until, stale_after_days=stale_after_days),
        events=upcoming(session, now, district=code, limit=NEXT_EVENTS) if code != OUTSIDE else [],
        availability=availability_trends(session, code, since, until, zone),
        places=places, confidential_places=confidential,
        geometry=district.geometry if district is not None else None)


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def sheet_csv(sheet: DistrictSheet) -> str:
    """The sheet as CSV: one section per table, withheld counts said so."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["district", _cell(sheet.code), _cell(sheet.name)])
    writer.writerow(["period", sheet.since.isoformat(), sheet.until.isoformat()])
    writer.writerow([])
    for title, counted in (("need not found (category)", sheet.unmet), ("referrals (category)", sheet.referrals)):
        writer.writerow([title, f"count (at least {MIN_COUNT})"])
        for category, n in counted.shown:
            writer.writerow([_cell(category or "none"), n])
        if counted.withheld:
            writer.writerow([f"withheld: {counted.withheld} categories with fewer than {MIN_COUNT}", ""])
        writer.writerow([])
    writer.writerow(["listings (category)", "listings", "stale", "held for review"])
    for row in sheet.listings:
        writer.writerow([_cell(row.category or "none"), row.listings, row.stale, row.held])
    writer.writerow([])
    writer.writerow(["availability (service)", "unit", "maximum", "reports", "lowest", "average", "reported full",
                     "weekly average", "now"])
    for trend in sheet.availability:
        writer.writerow([_cell(trend.service or "confidential shelters, combined"), _cell(trend.unit),
                         "" if trend.maximum is None else trend.maximum, trend.reports,
                         "" if trend.lowest is None else trend.lowest, "" if trend.average is None else trend.average,
                         trend.full, " ".join(f"{monday.isoformat()}:{mean}" for monday, mean in trend.weekly),
                         trend.now])
    writer.writerow([])
    writer.writerow(["next event", "kind", "starts (UTC)", "ends (UTC)", "place"])
    for event in sheet.events:
        writer.writerow([_cell(event.title_en), event.kind, event.starts_at.isoformat(),
                         event.ends_at.isoformat(), _cell(event.place)])
    return out.getvalue()


# -- the map -------------------------------------------------------------------------------

#: The map's box in SVG units.
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 600, 420, 12


def _rings(geometry: dict) -> list[list[list[float]]]:  # type: ignore[type-arg]
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


class Projection:
    """Longitude/latitude to the SVG box: equirectangular, x scaled by the cosine of the middle
    latitude so the district keeps its shape, fitted in the box with a margin."""

    def __init__(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> None:
        self.min_lon, self.max_lat = min_lon, max_lat
        self.k = math.cos(math.radians((min_lat + max_lat) / 2))
        width = max((max_lon - min_lon) * self.k, 1e-9)
        height = max(max_lat - min_lat, 1e-9)
        self.scale = min((MAP_WIDTH - 2 * MAP_MARGIN) / width, (MAP_HEIGHT - 2 * MAP_MARGIN) / height)
        self.dx = (MAP_WIDTH - width * self.scale) / 2
        self.dy = (MAP_HEIGHT - height * self.scale) / 2

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        return (round(self.dx + (longitude - self.min_lon) * self.k * self.scale, 1),
                round(self.dy + (self.max_lat - latitude) * self.scale, 1))


def map_svg(sheet: DistrictSheet, *, title: str, description: str) -> str:
    """An SVG of the district's boundary and a dot per public place (``title`` and
    ``description`` are its accessible name and description, escaped here)."""
    from xml.sax.saxutils import escape

    rings = _rings(sheet.geometry or {})
    points = [(p[0], p[1]) for ring in rings for p in ring] + [(p.longitude, p.latitude) for p in sheet.places]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="district-map" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" '
             f'role="img" aria-labelledby="map-title map-desc">',
             f'<title id="map-title">{escape(title)}</title><desc id="map-desc">{escape(description)}</desc>',
             f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="#fff"/>']
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        project = Projection(min(lons), min(lats), max(lons), max(lats))
        path = "".join("M" + "L".join("{} {}".format(*project(x, y)) for x, y in ring) + "Z" for ring in rings)
        if path:
            parts.append(f'<path class="boundary" d="{path}" fill="#e8f0fb" stroke="#1d4f91" '
                         f'stroke-width="2" fill-rule="evenodd"/>')
        for place in sheet.places:
            x, y = project(place.longitude, place.latitude)
            parts.append(f'<circle class="place" cx="{x}" cy="{y}" r="4" fill="#b3261e" stroke="#fff"/>')
    parts.append("</svg>")
    return "".join(parts)
