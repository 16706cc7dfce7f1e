"""The Open Referral HSDS 3.0 API under ``/api/v1``: every path and parameter of the
specification's OpenAPI document (``../shared/hsds/openreferral-specification-3.0/schema/openapi.json``),
each described in ours (``kiosk/api/openapi.json``).

Every list takes ``page``, ``per_page`` (1-1000, default 50) and ``format`` (``json``: a page;
``ndjson``: every result, one object a line). Anything else is a JSON 400 naming the parameter
(:mod:`kiosk.api.params`, :mod:`kiosk.api.errors`).

Anonymous callers get the public view (:mod:`directory_data.confidential`): no officer-only phone
or notes; of a confidential place no position, address or free text, no ``postcode`` match, and
``proximity`` to its grid cell's centre in whole km. A signed-in officer gets everything.

Services of every status are listed in id order (retired: ``inactive``; held for review or a
retired sample: a withdrawn stub), so ``modified_after`` keeps a copy in sync (README). ``search``
ranks through the search index. The objects: :mod:`directory_data.hsds.api_objects`; the lists:
:mod:`directory_data.hsds.api_queries`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from directory_data.hsds import api_queries as q
from directory_data.hsds.api_objects import ApiObjects
from directory_data.hsds.schedule_times import ScheduleClock
from directory_data.models import ServiceAtLocation, utcnow

from kiosk import __version__
from kiosk.api import params as p
from kiosk.auth import is_officer
from kiosk.db import get_session
from kiosk.pages import local_now
from kiosk.search import searcher

bp = Blueprint("api_directory", __name__, url_prefix="/api/v1")

#: HSDS version this API follows.
HSDS_VERSION = "3.0"
#: Most services a ``search`` is ranked for when its results are filtered further (other
#: filters, service-at-locations): more is a 400 rather than an incomplete list.
MAX_SEARCH_RESULTS = 10_000
#: ``minimal`` lists aim to hold every service in one page.
MINIMAL_PER_PAGE = 10_000
#: Services (or links) built per batch of an ``ndjson`` stream.
STREAM_BATCH = 500
#: The OpenAPI 3.1 document of ``/api/v1`` and ``/healthz``, kept as data; the test suite holds
#: every operation to it (``tests/test_api_directory.py``).
OPENAPI_DOCUMENT = Path(__file__).with_name("openapi.json")

PAGING = ("page", "per_page", "format")
SERVICE_FILTERS = ("taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")

Obj = dict[str, Any]


def _objects() -> ApiObjects:
    """The object builder of this request: public unless a signed-in officer asks."""
    clock = ScheduleClock(utcnow(), str(current_app.config["TIMEZONE"]))
    return ApiObjects(get_session(), public=not is_officer(), clock=clock)


def _dumps(body: Any) -> str:
    """``body`` as compact JSON, fields in the order built (the HSDS schemas' order)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _json(body: Any) -> Response:
    return Response(_dumps(body), mimetype="application/json")


def _one(record_id: str, what: str, build: Callable[[ApiObjects, list[str]], list[Obj]],
         takes: tuple[str, ...] = ()) -> Response:
    """The object ``build`` makes of ``record_id`` (404 when there is none); the path takes the
    parameters ``takes``."""
    p.check_names(takes)
    items = build(_objects(), [record_id]) if p.printable(record_id) else []
    if not items:
        raise NotFound(f"no such {what}")
    return _json(items[0])


def _list(paging: p.Paging, fetch: Callable[[int, int], q.Page],
          build: Callable[[list[str]], list[Obj]]) -> Response:
    """A page of the list ``fetch`` gives (ids; ``build`` makes the objects), in the HSDS paged
    form; or, with ``format=ndjson``, every object of it as one line of JSON each."""
    if paging.format == "ndjson":
        ids = fetch(0, 10**9).ids

        def lines() -> Iterator[str]:
            for start in range(0, len(ids), STREAM_BATCH):
                for obj in build(ids[start:start + STREAM_BATCH]):
                    yield _dumps(obj) + "\n"

        return Response(stream_with_context(lines()), mimetype="application/x-ndjson")
    page = fetch(paging.offset, paging.per_page)
    contents = build(page.ids)
    total_pages = max(1, math.ceil(page.total / paging.per_page))
    return _json({"total_items": page.total, "total_pages": total_pages, "page_number": paging.page,
                  "size": len(contents), "first_page": paging.page == 1, "last_page": paging.page >= total_pages,
                  "empty": not contents, "contents": contents})


# GET / ---------------------------------------------------------------------------------------


@bp.get("/")
def root() -> ResponseReturnValue:
    """What this API is: its HSDS version, profile and OpenAPI document."""
    p.check_names(())
    return _json({"version": HSDS_VERSION, "profile": str(current_app.config["API_PROFILE_URL"]),
                  "openapi_url": url_for("api_directory.openapi", _external=True)})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of ``/api/v1`` and ``/healthz``, with this version of the kiosk."""
    p.check_names(())
    document = json.loads(OPENAPI_DOCUMENT.read_text(encoding="utf-8"))
    document["info"]["version"] = __version__
    return jsonify(document)


# Services ------------------------------------------------------------------------------------


def _service_filter() -> q.ServiceFilter:
    """The service filters of this request; ``modified_after`` widened by the sync overlap."""
    overlap = dt.timedelta(seconds=float(current_app.config["API_SYNC_OVERLAP_SECONDS"]))
    since = q.ServiceFilter.since(p.instant("modified_after"), overlap)
    return q.ServiceFilter(taxonomy_term_id=p.identifier("taxonomy_term_id"), taxonomy_id=p.identifier("taxonomy_id"),
                           organization_id=p.identifier("organization_id"), modified_since=since)


def _conditions(objects: ApiObjects, filters: q.ServiceFilter) -> list[Any]:
    try:
        return filters.conditions(objects.session, objects.clock)
    except q.UnsupportedFilter as error:
        raise p.BadParameter(error.parameter, str(error)) from None


def _ranked(text: str, limit: int) -> tuple[list[str], int]:
    """The ids of the first ``limit`` listed services ``text`` finds, best first, and how many
    it finds."""
    from search_index.query.request import SearchRequest
    from search_index.query.searching import ranked_service_ids

    now = local_now()
    search = SearchRequest(q=text, now=now, today=now.date(),
                           stale_after_days=int(current_app.config["STALE_AFTER_DAYS"]))
    with searcher() as s:
        return ranked_service_ids(s, search, limit)


def _all_ranked(text: str) -> list[str]:
    """Every listed service ``text`` finds, best first, for a list that filters them further;
    a 400 when they are more than MAX_SEARCH_RESULTS (the list could not be complete)."""
    ids, total = _ranked(text, MAX_SEARCH_RESULTS)
    if total > len(ids):
        raise p.BadParameter("search", f"finds {total} services, more than the {MAX_SEARCH_RESULTS} a filtered "
                                       "or located list is made from: narrow the search or leave a filter out")
    return ids


@bp.get("/services")
def services() -> ResponseReturnValue:
    """Services in the HSDS list form, ``minimal`` or ``full`` (see the module docstring)."""
    p.check_names(("search", "minimal", "full", *SERVICE_FILTERS, *PAGING))
    minimal, full = p.flag("minimal"), p.flag("full")
    if minimal and full:
        raise p.BadParameter("minimal", "does not go with full=true: ask for one of them")
    paging = p.paging(MINIMAL_PER_PAGE if minimal else p.DEFAULT_PER_PAGE,
                      MINIMAL_PER_PAGE if minimal else p.MAX_PER_PAGE)
    text = p.text("search")
    objects = _objects()
    conditions = _conditions(objects, _service_filter())
    session = objects.session

    def fetch(offset: int, limit: int) -> q.Page:
        if text and not conditions:  # exact at any depth: the index ranks as far as the page
            ids, total = _ranked(text, offset + limit)
            return q.Page(ids[offset:], total)
        if text:
            return q.slice_of(q.in_rank_order(session, _all_ranked(text), conditions), offset, limit)
        return q.service_page(session, conditions, offset, limit)

    def build(ids: list[str]) -> list[Obj]:
        return objects.minimal_services(ids) if minimal else objects.services(ids, full=full)

    return _list(paging, fetch, build)


@bp.get("/services/<id>")
def service(id: str) -> ResponseReturnValue:  # noqa: A002 - the specification's name
    """One service, fully nested (any status; 404 when unknown)."""
    return _one(id, "service", lambda objects, ids: objects.services(ids, full=True))


# Taxonomies and terms ------------------------------------------------------------------------


@bp.get("/taxonomies")
def taxonomies() -> ResponseReturnValue:
    """The taxonomies (``search``: in their name or description)."""
    p.check_names(("search", *PAGING))
    paging, text, objects = p.paging(), p.text("search"), _objects()
    return _list(paging, lambda o, n: q.taxonomy_page(objects.session, text, o, n), objects.taxonomies)


@bp.get("/taxonomies/<id>")
def taxonomy(id: str) -> ResponseReturnValue:  # noqa: A002
    """One taxonomy."""
    return _one(id, "taxonomy", ApiObjects.taxonomies)


@bp.get("/taxonomy_terms")
def taxonomy_terms() -> ResponseReturnValue:
    """Taxonomy terms (``search`` in code, name or description; ``taxonomy_id``; ``top_only``:
    terms without a parent; ``parent_id``: the children of a term)."""
    p.check_names(("search", "taxonomy_id", "top_only", "parent_id", *PAGING))
    paging, objects = p.paging(), _objects()
    terms = q.TermFilter(text=p.text("search"), taxonomy_id=p.identifier("taxonomy_id"),
                         top_only=p.flag("top_only"), parent_id=p.identifier("parent_id"))
    if terms.top_only and terms.parent_id:
        raise p.BadParameter("top_only", "does not go with parent_id: terms with a parent are not top terms")
    return _list(paging, lambda o, n: q.taxonomy_term_page(objects.session, terms, o, n), objects.taxonomy_terms)


@bp.get("/taxonomy_terms/<id>")
def taxonomy_term(id: str) -> ResponseReturnValue:  # noqa: A002
    """One taxonomy term, with its taxonomy."""
    return _one(id, "taxonomy term", ApiObjects.taxonomy_terms)


# Organizations -------------------------------------------------------------------------------


@bp.get("/organizations")
def organizations() -> ResponseReturnValue:
    """Organizations in the list form (``full``: fully nested; ``full_service``: with their
    services fully nested)."""
    p.check_names(("search", "full", "full_service", *PAGING))
    paging, text, objects = p.paging(), p.text("search"), _objects()
    full, full_service = p.flag("full"), p.flag("full_service")
    return _list(paging, lambda o, n: q.organization_page(objects.session, text, o, n),
                 lambda ids: objects.organizations(ids, full=full, full_service=full_service))


@bp.get("/organizations/<id>")
def organization(id: str) -> ResponseReturnValue:  # noqa: A002
    """One organization, fully nested, with its services (``full_service``: fully nested)."""
    takes = ("full_service",)
    p.check_names(takes)
    full_service = p.flag("full_service")  # read (and refused when bad) before the id is looked at
    return _one(id, "organization", lambda objects, ids: objects.organizations(
        ids, full=True, full_service=full_service), takes)


# Service at locations ------------------------------------------------------------------------


def _place(objects: ApiObjects) -> q.Place:
    """Where ``postcode`` and ``proximity`` (metres from the postcode's centroid) look."""
    postcode = p.identifier("postcode", max_length=20)
    meters = p.number("proximity", 0, 500_000)
    precise = not objects.public
    if meters is None:
        return q.Place(postcode=postcode, precise=precise)
    if postcode is None:
        raise p.BadParameter("proximity", "needs postcode: it is a distance from the postcode's centroid")
    origin = _centroid(postcode)
    if origin is None:
        raise p.BadParameter("postcode", "no listed public place in the directory has this postcode, "
                                         "so it has no centroid to measure proximity from")
    return q.Place(postcode=postcode, origin=origin, radius_km=meters / 1000, precise=precise)


def _centroid(postcode: str) -> tuple[float, float] | None:
    """The postcode's centroid as ``/api/v1/search?zip=`` has it: the mean of the listed public
    places with that five-digit code (confidential places never move it)."""
    from search_index.query.filters import zip_centroid

    with searcher() as s:
        return zip_centroid(s, postcode.strip()[:5])


@bp.get("/service_at_locations")
def service_at_locations() -> ResponseReturnValue:
    """Services at their places (list form, or ``full``); ``postcode`` alone: places with that
    postcode; with ``proximity``: within that many metres of its centroid, nearest first."""
    p.check_names(("search", "full", "postcode", "proximity", *SERVICE_FILTERS, *PAGING))
    paging, text, full, objects = p.paging(), p.text("search"), p.flag("full"), _objects()
    conditions = _conditions(objects, _service_filter())
    place = _place(objects)
    session = objects.session

    def fetch(offset: int, limit: int) -> q.Page:
        ranked = _all_ranked(text) if text else None
        if place.radius_km is not None:
            keep = set(ranked).__contains__ if ranked is not None else None
            return q.slice_of(q.links_near(session, conditions, place, keep), offset, limit)
        statement = q.link_select(conditions, place)
        if ranked is not None:
            return q.slice_of(q.links_of_services(session, ranked, statement), offset, limit)
        return q.page_of(session, statement, ServiceAtLocation.id, offset, limit)

    return _list(paging, fetch, lambda ids: objects.service_at_locations(ids, full=full))


@bp.get("/service_at_locations/<id>")
def service_at_location(id: str) -> ResponseReturnValue:  # noqa: A002
    """One service at one place, fully nested, with its service."""
    return _one(id, "service at location", lambda objects, ids: objects.service_at_locations(ids, full=True))
