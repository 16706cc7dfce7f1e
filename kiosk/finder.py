"""Finding services for the kiosk and the patrol view: read what was asked, search the index,
load the rows in rank order in one round of queries, make the cards, say when the directory has no
services for the need asked for (:mod:`kiosk.scope_notice`), and count the search (day-level
aggregates only, see :mod:`directory_data.search_stats` and :mod:`directory_data.unmet_needs`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from directory_data.category_names import CategoryName
from search_index.query.crisis import CrisisCard
from search_index.query.request import SearchRequest
from search_index.cards import ListingFacts, ServiceCard, make_card

from kiosk.availability_words import room_since
from kiosk.warm_pages import is_warm_up_request
from kiosk.district_cache import district_at, kiosk_district
from kiosk.categories import get_category_names
from kiosk.i18n import current_language, localized_name
from kiosk.listing_cache import listing_facts_for
from kiosk.db import get_session
from kiosk.pages import local_now, safe_next
from kiosk.request_language import gettext
from kiosk.scope_notice import ScopeNotice, scope_notice
from kiosk.search import searcher
from kiosk.search_tally import get_tally

MAX_QUERY_LENGTH = 200
MAX_PAGE = 100
_TRUE = {"1", "true", "on", "yes"}


@dataclass(frozen=True)
class Query:
    """What a resident or an officer asked for, validated."""

    text: str = ""
    category: str | None = None
    open_only: bool = False
    free_only: bool = False
    page: int = 1
    point: tuple[float, float] | None = None
    sort: str = "relevance"
    #: Only services with a fresh count with room (:mod:`kiosk.availability`).
    room_only: bool = False

    def url_args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this query (with ``changes``), for links to other pages of it."""
        args: dict[str, Any] = {"q": self.text or None, "category": self.category,
                                "open": "1" if self.open_only else "0",
                                "free": "1" if self.free_only else None, "room": "1" if self.room_only else None,
                "page": self.page}
        args.update(changes)
        if args.get("page") == 1:
            args["page"] = None
        return {k: v for k, v in args.items() if v is not None}


@dataclass
class ResultsPage:
    """One page of results as cards, with what the page around them shows."""

    cards: list[ServiceCard]
    total: int
    page: int
    per_page: int
    suggestion: str | None = None
    crisis: CrisisCard | None = None
    facets: dict[str, Any] = field(default_factory=dict)
    scope: ScopeNotice | None = None
    #: "distance": nearest first within relevance (cards say whether they are best matches).
    sorted_by: str = "relevance"

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_number(self) -> int:
        """The position of the first card of this page among all results."""
        return (self.page - 1) * self.per_page + 1


def _flag(args: MultiDict[str, str], name: str, default: bool) -> bool:
    value = next((v for v in reversed(args.getlist(name)) if v != ""), None)
    return default if value is None else value.strip().lower() in _TRUE


def parse_query(args: MultiDict[str, str], *, point: tuple[float, float] | None, default_open: bool,
                sort: str = "relevance") -> Query:
    """The :class:`Query` in request arguments ``args`` (bad values fall back to defaults).

    ``open`` may be given more than once (a hidden ``0`` before a checkbox's ``1``): the last
    value wins, so an unticked box really turns the filter off.
    """
    text = " ".join(str(args.get("q", "")).split())[:MAX_QUERY_LENGTH]
    category = str(args.get("category", "")).strip().lower() or None
    page = min(max(args.get("page", 1, type=int), 1), MAX_PAGE)
    return Query(text=text, category=category, open_only=_flag(args, "open", default_open),
                 free_only=_flag(args, "free", False), page=page, point=point, sort=sort,
                 room_only=_flag(args, "room", False))


def cards_for(session: Session, ids: list[str], *, point: tuple[float, float] | None,
              officer: bool) -> list[ServiceCard]:
    """The cards of the shown services among ``ids``, in that order."""
    make = card_maker(point=point, officer=officer)
    return [make(facts) for facts in listing_facts_for(session, ids)]


def detail_page(service_id: str, surface: str, *, point: tuple[float, float] | None,
                officer: bool) -> ResponseReturnValue:
    """The ``surface``'s (``lobby``, ``patrol``) detail page of a shown service, distances from
    ``point``, linking back to ``back`` (else the surface's home); its ``not_listed`` page (404)
    for a listing it does not show (held for review, retired or never listed)."""
    cards = cards_for(get_session(), [service_id], point=point, officer=officer)
    if not cards:
        return render_template(f"{surface}/not_listed.html"), 404
    back = safe_next(request.args.get("back"), url_for(f"{surface}.home"))
    return render_template(f"{surface}/service.html", card=cards[0], back_url=back)


def category_of(session: Session, slug: str | None) -> CategoryName | None:
    """The category ``slug`` names, or None (from the process's copy of the categories)."""
    return get_category_names().get(session, slug) if slug else None


def category_name(category: CategoryName) -> str:
    """A category's name in the request's language."""
    return localized_name(category.name_en, category.name_es)


def heading(query: Query, category: CategoryName | None) -> str:
    """The page heading for ``query``."""
    if query.text and category is not None:
        return gettext("“%(text)s” in %(category)s", text=query.text, category=category_name(category))
    if query.text:
        return gettext("Results for “%(text)s”", text=query.text)
    if category is not None:
        return category_name(category)
    return gettext("All services")


def card_maker(*, point: tuple[float, float] | None, officer: bool) -> Callable[..., ServiceCard]:
    """Make cards for this request: ``make(facts, hit_distance_km=None, crisis=False,
    best_match=True)``, all at the same moment, in the request's language, distances from ``point``."""
    now = local_now()
    settings = {"now": now, "today": now.date(), "point": point, "officer": officer,
                "stale_after_days": int(current_app.config["STALE_AFTER_DAYS"]),
                "language": current_language()}

    def make(facts: ListingFacts, *, hit_distance_km: float | None = None,
             crisis: bool = False, best_match: bool = True) -> ServiceCard:
        return make_card(facts, hit_distance_km=hit_distance_km, crisis=crisis,
                         best_match=best_match, **settings)

    return make


def count_search(response: Response, query: Query, page: ResultsPage, *, officer: bool) -> None:
    """Count a first page's search in the day's aggregates (:mod:`kiosk.search_tally`: written
    with others after the response has been sent, never shown): the kiosk's whole search; the
    patrol view's only the categories of needs no listing served (never the words)."""
    if query.page != 1 or is_warm_up_request():
        return
    tally, day, station = get_tally(), local_now().date(), str(current_app.config["STATION_NAME"])
    unmet = page.scope.categories if page.scope is not None else ()
    if officer:
        due = bool(unmet) and tally.count_unmet(day, unmet, station, district_at(query.point))
    else:
        due = tally.count_search(day, category=query.category, term=query.text, found=page.total,
                                 station=station, unmet=unmet, district=kiosk_district())
    if due:
        response.call_on_close(tally.write)


def search_request(query: Query, *, per_page: int | None = None, precise: bool = False) -> SearchRequest:
    """The index's :class:`SearchRequest` for ``query`` at the current local time; ``precise``
    (officers only) measures to confidential places' true positions."""
    now, config = local_now(), current_app.config
    return SearchRequest(
        q=query.text, categories=(query.category,) if query.category else (), open_now=query.open_only,
        free=query.free_only, near=query.point, page=query.page, sort=query.sort,
        per_page=per_page or int(config["RESULTS_PER_PAGE"]), now=now, today=now.date(),
        stale_after_days=int(config["STALE_AFTER_DAYS"]), lang=current_language(), precise=precise,
        room_since=room_since(now) if query.room_only else None)


def find(session: Session, query: Query, *, officer: bool) -> ResultsPage:
    """Search for ``query`` (on a pooled searcher): the page of cards in rank order, rows loaded in
    one round."""
    from search_index.query.searching import search

    with searcher() as s:
        results = search(s, search_request(query, precise=officer))
    hits = {hit.service_id: hit for hit in results.hits}
    make = card_maker(point=query.point, officer=officer)
    cards = [
        make(facts, hit_distance_km=hits[facts.id].distance_km, crisis=hits[facts.id].crisis,
             best_match=hits[facts.id].best_match)
        for facts in listing_facts_for(session, results.service_ids)
    ]
    return ResultsPage(
        cards=cards, total=results.total, page=results.page, per_page=results.per_page,
        suggestion=results.suggestion, crisis=results.crisis.card() if results.crisis is not None else None,
        facets=results.facets, scope=scope_notice(results, session), sorted_by=results.sorted_by)
