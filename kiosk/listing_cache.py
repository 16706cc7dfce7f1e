"""A per-process cache of :class:`~kiosk.cards.ListingFacts`, kept true by the change journal.

Loading ten services with everything a card shows costs a dozen ORM queries (tens of ms here);
a results page must be served in a few. So the facts of each shown service are kept per process,
and every lookup first asks the database which services were journaled since the last look (one
indexed query): those are dropped and read again. Every committed change to a service, its
phones, hours, places or organization is journaled in its own transaction
(:mod:`search_index.journal_hooks`, :func:`directory_data.journal.record_service_changes`), so
the cache never shows a listing older than the last committed change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from directory_data.models import Service
from directory_data.service_rows import SHOWN_STATUSES, changed_since, journal_position, services_in_order

from .cards import ListingFacts, listing_facts

_EXTENSION = "kiosk_listing_cache"
DEFAULT_CAPACITY = 20_000

#: How many recent catch-ups are remembered (to keep loads that raced with one; see ``facts``).
RECENT_CATCH_UPS = 256


class ListingCache:
    """Facts of shown services by id, at most ``capacity`` of them (least recently used go).

    ``build`` makes what is kept of a loaded service (default: its :class:`ListingFacts`); any
    value with the service's ``status`` will do (the JSON API keeps its serialised fields).
    """

    def __init__(self, timezone: str, capacity: int = DEFAULT_CAPACITY,
                 build: Callable[[Service], Any] | None = None) -> None:
        self.timezone = timezone
        self.capacity = capacity
        self.build = build or (lambda service: listing_facts(service, default_timezone=timezone))
        self._facts: OrderedDict[str, ListingFacts] = OrderedDict()
        self._position: int | None = None
        self._lock = threading.Lock()
        # (new position, ids changed) of recent catch-ups, and the newest position forgotten.
        self._recent: deque[tuple[int, frozenset[str]]] = deque()
        self._forgotten = 0

    def _catch_up(self, session: Session) -> int:
        """Drop what the journal says changed since the last look (everything on the first);
        the journal position the cache is now at."""
        with self._lock:
            position = self._position
        if position is None:
            start = journal_position(session)
            with self._lock:
                if self._position is None:
                    self._facts.clear()
                    self._position = start
                return self._position
        changed, new_position = changed_since(session, position)
        with self._lock:
            for service_id in changed:
                self._facts.pop(service_id, None)
            if changed:
                self._recent.append((new_position, frozenset(changed)))
                if len(self._recent) > RECENT_CATCH_UPS:
                    self._forgotten = max(self._forgotten, self._recent.popleft()[0])
            self._position = max(new_position, self._position or 0)
            return self._position

    def facts(self, session: Session, ids: Sequence[str]) -> list[Any]:
        """The facts of the shown services among ``ids``, in the order of ``ids``."""
        seen = self._catch_up(session)
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
        """Keep ``loaded`` (built from rows read after the cache was at position ``seen``),
        except what the journal named since (the rows may be older than that change)."""
        with self._lock:
            if self._position != seen:
                if self._forgotten > seen:
                    return  # too much happened to tell which of them changed
                moved = set().union(*(changed for to, changed in self._recent if to > seen))
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
    cache = app.extensions.get(key)
    if cache is None:
        capacity = int(app.config.get("LISTING_CACHE_SIZE", DEFAULT_CAPACITY))
        cache = app.extensions[key] = ListingCache(str(app.config["TIMEZONE"]), capacity, build=build)
    return cache


def prefill(session: Session, caches: Sequence[ListingCache], batch: int = 500) -> int:
    """Fill ``caches`` with the shown services (as many as the smallest holds), reading each
    batch once for all of them; how many services were loaded.

    A worker does this in the background when it starts: loading 500 services at a time costs
    about a millisecond of CPU per service, against several when a results page loads its ten.
    """
    from sqlalchemy import select

    limit = min(cache.capacity for cache in caches)
    ids = list(session.scalars(select(Service.id).where(Service.status.in_(SHOWN_STATUSES)).limit(limit)))
    for start in range(0, len(ids), batch):
        seen = [cache._catch_up(session) for cache in caches]
        rows = services_in_order(session, ids[start:start + batch])
        for cache, position in zip(caches, seen):
            cache.store(position, {service.id: cache.build(service) for service in rows})
        session.expunge_all()
    return len(ids)


def listing_facts_for(session: Session, ids: Sequence[str]) -> list[ListingFacts]:
    """The facts of the shown services among ``ids`` in their order, from the app's cache."""
    return get_listing_cache().facts(session, ids)
