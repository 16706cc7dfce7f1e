"""The app's listing cache (:class:`search_index.listing_cache.ListingCache`), subscribed to the
app's journal reader (through :func:`kiosk.search.get_search`): a change this process commits is
in both the index and the cache before its request returns; one made elsewhere within
``SEARCH_POLL_INTERVAL`` seconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models import Service
from directory_data.service_rows import listed, services_in_order
from search_index.cards import ListingFacts
from search_index.listing_cache import DEFAULT_CAPACITY, Listing, ListingCache

from kiosk.app_state import app_object
from kiosk.search import get_search

_EXTENSION = "kiosk_listing_cache"


def get_listing_cache(app: Flask | None = None) -> ListingCache:
    """The :class:`ListingCache` of ``app`` (default: the current app), made on first use;
    ``LISTING_CACHE_SIZE`` services at most."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def make() -> ListingCache:
        capacity = int(app.config.get("LISTING_CACHE_SIZE", DEFAULT_CAPACITY))
        follower = get_search(app).follower
        # The reader's first pass tells its subscribers "anything may have changed": let it
        # come before anything is cached (a warm-up's prefill, say), so it does not drop it.
        follower.wait_first_pass(30.0)
        cache = ListingCache(str(app.config["TIMEZONE"]), capacity, check=follower.check_read)
        follower.subscribe(cache.changed)
        return cache

    return app_object(app, _EXTENSION, make)


def prefill(session: Session, cache: ListingCache, batch: int = 500) -> int:
    """Fill ``cache`` with the shown services (as many as it holds); how many were loaded.

    A worker does this in the background when it starts: loading 500 services at a time costs
    about a millisecond of CPU per service, against several when a results page loads its ten.
    """
    ids = list(session.scalars(select(Service.id).where(listed()).limit(cache.capacity)))
    for start in range(0, len(ids), batch):
        seen = cache.mark()
        cache.store(seen, {s.id: cache.build(s) for s in services_in_order(session, ids[start:start + batch])})
        session.expunge_all()
    return len(ids)


def listings_for(session: Session, ids: Sequence[str]) -> list[Listing]:
    """What is kept of the shown services among ``ids`` in their order, from the app's cache."""
    return get_listing_cache().facts(session, ids)


def listing_facts_for(session: Session, ids: Sequence[str]) -> list[ListingFacts]:
    """The card facts of the shown services among ``ids`` in their order, from the app's cache."""
    return [listing.facts for listing in listings_for(session, ids)]
