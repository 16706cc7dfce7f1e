"""A per-process cache of what result cards and API results show of a listing, kept true by the
app's journal reader (one cache for both: an edited listing is read once per worker).

Loading ten listings costs several queries; a results page must be served in a few. So what is
shown of each service is kept per process, and the app's journal reader
(:mod:`search_index.upkeep.follower`, through :func:`kiosk.search.subscribe`) drops the services
journaled since its last read right after it has brought the index up to them, so a page's
ranking and its cards come from the same moment. A change this process commits is in both before
its request returns; one made elsewhere within ``SEARCH_POLL_INTERVAL`` seconds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from directory_data.models import Service, ServiceStatus
from directory_data.service_rows import SHOWN_STATUSES, listed, services_in_order
from search_index.cards import ListingFacts, listing_facts

from kiosk.app_state import app_object
from kiosk.search import get_search

_EXTENSION = "kiosk_listing_cache"
DEFAULT_CAPACITY = 20_000

#: How many recent notifications are remembered (to keep loads that raced with one; see ``store``).
RECENT_CHANGES = 256


@dataclass(frozen=True)
class Listing:
    """What is kept of one service: its card facts and its API result's fields
    (:func:`kiosk.api.routes.listing_fields`)."""

    facts: ListingFacts
    fields: dict[str, Any]

    @property
    def status(self) -> ServiceStatus:
        """The service's status (only shown ones are answered)."""
        return self.facts.status


def build_listing(service: Service, timezone: str) -> Listing:
    """The :class:`Listing` of a loaded ``service``."""
    from kiosk.api.routes import listing_fields

    return Listing(listing_facts(service, default_timezone=timezone), listing_fields(service))


class ListingCache:
    """What is kept of shown services by id, at most ``capacity`` of them (least recently used go).

    ``build`` makes what is kept of a loaded service (default: its :class:`Listing`; any value
    with the service's ``status`` will do). :meth:`changed` is told what changed; ``check``
    raises when that may be stale (the journal could not be read: no page is served from the
    cache then).
    """

    def __init__(self, timezone: str, capacity: int = DEFAULT_CAPACITY,
                 build: Callable[[Service], Any] | None = None,
                 check: Callable[[], None] = lambda: None) -> None:
        self.check = check
        self.timezone = timezone
        self.capacity = capacity
        self.build = build or (lambda service: build_listing(service, timezone))
        self._facts: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        # Notifications so far, the recent ones (number, ids changed or None for "everything"),
        # and the newest number forgotten.
        self._changes = 0
        self._recent: deque[tuple[int, frozenset[str] | None]] = deque()
        self._forgotten = 0

    def changed(self, ids: frozenset[str] | None) -> None:
        """Drop what changed (everything when ``ids`` is None)."""
        with self._lock:
            self._changes += 1
            if ids is None:
                self._facts.clear()
            else:
                for service_id in ids:
                    self._facts.pop(service_id, None)
            self._recent.append((self._changes, ids))
            if len(self._recent) > RECENT_CHANGES:
                self._forgotten = self._recent.popleft()[0]

    def mark(self) -> int:
        """How many notifications the cache has had: what is loaded after this is kept by
        :meth:`store` unless named since."""
        self.check()
        with self._lock:
            return self._changes

    def facts(self, session: Session, ids: Sequence[str]) -> list[Any]:
        """The facts of the shown services among ``ids``, in the order of ``ids``."""
        seen = self.mark()
        with self._lock:
            found = {i: self._facts[i] for i in ids if i in self._facts}
            for i in found:
                self._facts.move_to_end(i)
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            loaded = {s.id: self.build(s) for s in services_in_order(session, missing)}
            found.update(loaded)
            self.store(seen, loaded)
        return [found[i] for i in ids if i in found and found[i].status in SHOWN_STATUSES]

    def store(self, seen: int, loaded: dict[str, Any]) -> None:
        """Keep ``loaded`` (built from rows read after :meth:`mark` returned ``seen``), except
        what a notification named since (the rows may be older than that change)."""
        with self._lock:
            if self._changes != seen:
                if self._forgotten > seen:
                    return  # too much happened to tell which of them changed
                named = [ids for number, ids in self._recent if number > seen]
                if any(ids is None for ids in named):
                    return
                moved = set().union(*named)
                loaded = {i: facts for i, facts in loaded.items() if i not in moved}
            self._facts.update(loaded)
            while len(self._facts) > self.capacity:
                self._facts.popitem(last=False)


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
    from sqlalchemy import select

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
