"""A per-process cache of what result cards and API results show of a listing, kept true by the
app's journal reader.

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
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from directory_data.models import Service
from directory_data.service_rows import SHOWN_STATUSES, listed, services_in_order

from kiosk.cards import ListingFacts, listing_facts
from kiosk.app_state import app_object
from kiosk.search import get_search

_EXTENSION = "kiosk_listing_cache"
DEFAULT_CAPACITY = 20_000

_GROUP = "kiosk_listing_caches"

#: How many recent notifications are remembered (to keep loads that raced with one; see ``store``).
RECENT_CHANGES = 256


class ListingCache:
    """Facts of shown services by id, at most ``capacity`` of them (least recently used go).

    ``build`` makes what is kept of a loaded service (default: its :class:`ListingFacts`); any
    value with the service's ``status`` will do (the JSON API keeps its serialised fields).
    :meth:`changed` is told what changed; ``check`` raises when that may be stale (the journal
    could not be read: no page is served from the cache then).
    """

    def __init__(self, timezone: str, capacity: int = DEFAULT_CAPACITY,
                 build: Callable[[Service], Any] | None = None,
                 check: Callable[[], None] = lambda: None) -> None:
        self.check = check
        self.timezone = timezone
        self.capacity = capacity
        self.build = build or (lambda service: listing_facts(service, default_timezone=timezone))
        self._facts: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        # Notifications so far, the recent ones (number, ids changed or None for "everything"),
        # and the newest number forgotten.
        self._changes = 0
        self._recent: deque[tuple[int, frozenset[str] | None]] = deque()
        self._forgotten = 0
        #: The caches (this one included) that keep what one load reads.
        self.siblings: list[ListingCache] = [self]

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
            # The app's other caches of the same listings (kiosk facts, API fields) keep what
            # this load read too: an edited listing is then read once per worker, not once per cache.
            others = [(cache, cache.mark()) for cache in self.siblings if cache is not self]
            rows = services_in_order(session, missing)
            loaded = {s.id: self.build(s) for s in rows}
            found.update(loaded)
            self.store(seen, loaded)
            for cache, mark in others:
                cache.store(mark, {s.id: cache.build(s) for s in rows if not cache.holds(s.id)})
        return [found[i] for i in ids if i in found and found[i].status in SHOWN_STATUSES]

    def holds(self, service_id: str) -> bool:
        """Whether the facts of ``service_id`` are kept."""
        with self._lock:
            return service_id in self._facts

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


def get_listing_cache(
    app: Flask | None = None, *, key: str = _EXTENSION, build: Callable[[Service], Any] | None = None
) -> ListingCache:
    """The :class:`ListingCache` ``key`` of ``app`` (default: the current app's facts cache),
    made on first use with ``build``; ``LISTING_CACHE_SIZE`` services at most."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def make() -> ListingCache:
        capacity = int(app.config.get("LISTING_CACHE_SIZE", DEFAULT_CAPACITY))
        follower = get_search(app).follower
        # The reader's first pass tells its subscribers "anything may have changed": let it
        # come before anything is cached (a warm-up's prefill, say), so it does not drop it.
        follower.wait_first_pass(30.0)
        cache = ListingCache(str(app.config["TIMEZONE"]), capacity, build=build, check=follower.check_read)
        follower.subscribe(cache.changed)
        group: list[ListingCache] = app.extensions.setdefault(_GROUP, [])
        group.append(cache)
        cache.siblings = group
        return cache

    return app_object(app, key, make)


def prefill(session: Session, caches: Sequence[ListingCache], batch: int = 500) -> int:
    """Fill ``caches`` with the shown services (as many as the smallest holds), reading each
    batch once for all of them; how many services were loaded.

    A worker does this in the background when it starts: loading 500 services at a time costs
    about a millisecond of CPU per service, against several when a results page loads its ten.
    """
    from sqlalchemy import select

    limit = min(cache.capacity for cache in caches)
    ids = list(session.scalars(select(Service.id).where(listed()).limit(limit)))
    for start in range(0, len(ids), batch):
        seen = [cache.mark() for cache in caches]
        rows = services_in_order(session, ids[start:start + batch])
        for cache, position in zip(caches, seen):
            cache.store(position, {service.id: cache.build(service) for service in rows})
        session.expunge_all()
    return len(ids)


def listing_facts_for(session: Session, ids: Sequence[str]) -> list[ListingFacts]:
    """The facts of the shown services among ``ids`` in their order, from the app's cache."""
    return get_listing_cache().facts(session, ids)
