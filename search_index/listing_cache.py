"""What result cards and API results show of each shown service, kept per process and kept
true by the journal reader (one cache for both: an edited listing is read once per worker).

Loading ten listings costs several queries; a results page must be served in a few. So what is
shown of each service is kept, and the journal reader (:mod:`search_index.upkeep.follower`)
drops the services journaled since its last read right after it has brought the index up to
them (:meth:`ListingCache.changed`), so a page's ranking and its cards come from the same moment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from directory_data.models import Service, ServiceStatus
from directory_data.service_rows import SHOWN_STATUSES, services_in_order
from search_index.cards import ListingFacts, listing_facts, result_fields

DEFAULT_CAPACITY = 20_000

#: How many recent notifications are remembered (to keep loads that raced with one; see ``store``).
RECENT_CHANGES = 256


@dataclass(frozen=True)
class Listing:
    """What is kept of one service: its card facts and its API result's fields."""

    facts: ListingFacts
    fields: dict[str, Any]

    @property
    def status(self) -> ServiceStatus:
        """The service's status (only shown ones are answered)."""
        return self.facts.status


def build_listing(service: Service, timezone: str) -> Listing:
    """The :class:`Listing` of a loaded ``service``."""
    return Listing(listing_facts(service, default_timezone=timezone), result_fields(service))


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
