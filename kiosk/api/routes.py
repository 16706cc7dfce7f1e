"""``GET /api/v1/search``: the directory search as JSON.

The parameters and the answer are in the OpenAPI document (``kiosk/api/openapi.json``). ``lang``
filters by a language the service is offered in; ``en`` and ``es`` also choose the language of
snippets, hand-offs and the crisis card. Anonymous callers' distances, radius tests, orders,
totals and facets use a confidential place's public position only
(:mod:`directory_data.confidential`); a signed-in officer's use the true one. A bad parameter
gives 400 with ``{"error", "fields": {name: message}}``, never a 500.

Flow: validate -> :func:`search_index.query.searching.search` on a pooled searcher -> the page's
listings in rank order from the process's listing cache -> serialise.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from directory_data.availability import counts_json
from directory_data.models import utcnow
from search_index.listing_cache import Listing

from kiosk.api.errors import fields_error, fields_http_error
from kiosk.auth import is_officer
from kiosk.availability_words import configured_max_age, room_since
from kiosk.db import get_session
from kiosk.listing_cache import listings_for
from kiosk.pages import local_now
from kiosk.scope_notice import scope_notice
from kiosk.search import searcher

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Field names of the search core's validator -> the names of this endpoint's parameters.
_FIELD_NAMES = {"lat": "near", "lon": "near", "language": "lang", "categories": "category"}
#: Interface languages (snippets, crisis message); other ``lang`` values only filter.
_INTERFACE_LANGS = ("en", "es")
#: The parameters this endpoint reads (of a parameter given twice, the last value counts).
_PARAMETERS = ("q", "category", "open_now", "near", "zip", "radius_km", "free", "age", "page", "per_page")


class InvalidParameters(Exception):
    """Parameters that cannot make a search: ``fields`` maps a parameter to what is wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def parse_search_args(args: MultiDict[str, str]) -> Any:
    """The :class:`~search_index.query.request.SearchRequest` the query string ``args`` asks for
    (read by :func:`~search_index.query.request.parse_request`; ``has_room`` here). Raises
    :class:`InvalidParameters` naming every bad parameter."""
    from search_index.query.request import InvalidRequest, parse_request, read_flag

    params: dict[str, Any] = {name: args.getlist(name) for name in _PARAMETERS if name in args}
    lang = (args.getlist("lang") or [""])[-1].strip().lower()
    if lang:
        params.update(language=lang, lang=lang if lang in _INTERFACE_LANGS else "en")
    now = local_now()
    fields: dict[str, str] = {}
    try:
        parsed = parse_request(params, now=now, today=now.date())
    except InvalidRequest as error:
        for name, message in error.errors.items():
            fields.setdefault(_FIELD_NAMES.get(name, name), message)
    try:
        has_room = read_flag((args.getlist("has_room") or [None])[-1])
    except ValueError as error:
        fields["has_room"] = str(error)
    if fields:
        raise InvalidParameters(fields)
    # Only a signed-in officer's search measures to confidential places' true positions.
    return dataclasses.replace(parsed, room_since=room_since() if has_room else None, precise=is_officer(),
                               stale_after_days=int(current_app.config["STALE_AFTER_DAYS"]))


# Serialisation ------------------------------------------------------------------------------


def hit_json(listing: Listing, hit: Any) -> dict[str, Any]:
    """One result of the answer: a ``listing``'s fields with its ``hit`` of the search and its
    capacities as of now."""
    return {**listing.fields, "snippet": hit.snippet, "distance_km": hit.distance_km,
            "open_now": hit.open_now, "stale": hit.stale, "crisis": hit.crisis,
            "availability": counts_json(listing.facts.capacities, utcnow(), configured_max_age())}


def _crisis_json(crisis: Any) -> dict[str, Any] | None:
    """The pinned crisis card as JSON, every text in the card's language (``language``)."""
    if crisis is None:
        return None
    card = crisis.card()
    return {
        "message": card.message, "danger": crisis.danger, "now": card.now, "language": card.language,
        "heading": card.heading, "lead": card.lead,
        "lines": [
            {"key": line.key, "name": line.name, "for": line.purpose, "call": line.call,
             "phones": list(source.phones), "hours": line.hours,
             "actions": [a for a in (line.call_label, line.text_label, line.chat_label, line.online_label) if a]}
            for line, source in zip(card.lines, crisis.lines)
        ],
    }


# The endpoint -------------------------------------------------------------------------------


@bp.get("/search")
def search_endpoint() -> ResponseReturnValue:
    """Search the directory (see the module docstring)."""
    from search_index.query.searching import search
    from search_index.engine.store import IndexUnavailable

    try:
        search_request = parse_search_args(request.args)
    except InvalidParameters as error:
        return fields_error(400, "invalid parameters", error.fields)
    try:
        with searcher() as s:
            results = search(s, search_request)
        # From this process's journal-kept cache (loading ten services is a dozen queries).
        listings = listings_for(get_session(), results.service_ids)
    except IndexUnavailable:
        log.warning("search index unavailable", exc_info=True)
        return fields_error(503, "the search index is being built; try again shortly")
    except OperationalError:
        log.warning("database unavailable", exc_info=True)
        return fields_error(503, "the directory database is unavailable; try again shortly")
    hits = {hit.service_id: hit for hit in results.hits}
    scope = scope_notice(results, get_session())
    return jsonify({
        "query": results.query, "total": results.total, "page": results.page, "per_page": results.per_page,
        "results": [hit_json(listing, hits[listing.facts.id]) for listing in listings],
        "facets": {"category": dict(results.facets.get("category", {}))},
        "suggestion": results.suggestion,
        "crisis": _crisis_json(results.crisis),
        "needs": list(results.needs),
        "out_of_scope": results.out_of_scope,
        "unmet_needs": [] if scope is None else [
            {"category": c, "name": n, "handoff": h} for c, n, h in zip(scope.categories, scope.names, scope.handoffs)],
        "scope_message": None if scope is None else " ".join(p for p in (scope.heading, scope.covers) if p),
    })


bp.register_error_handler(HTTPException, fields_http_error)
