"""The result cache: repeated searches (kiosk tiles, common words) answered without searching.

Entries are keyed on the index *state* (generation, segments and deletions: see
:func:`search_index.view.state_key`) plus the normalised request, so a commit, once the searcher
is refreshed, makes every older entry unreachable; they age out of the bounded LRU. Safe to
share between threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

#: Entries kept.
DEFAULT_SIZE = 2048


class ResultCache:
    """A bounded, thread-safe LRU of search results keyed by (index state, request key)."""

    def __init__(self, max_entries: int = DEFAULT_SIZE) -> None:
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._max = max(1, max_entries)
        self._lock = threading.Lock()
        self._state: Hashable | None = None
        self.hits = 0
        self.misses = 0

    def get(self, state: Hashable, key: Hashable) -> Any:
        """The cached value for ``key`` in index state ``state``, or None."""
        with self._lock:
            value = self._data.get((state, key))
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end((state, key))
            self.hits += 1
            return value

    def put(self, state: Hashable, key: Hashable, value: Any) -> None:
        """Remember ``value``; entries of older states are dropped when a new state appears."""
        with self._lock:
            if state != self._state:
                if self._state is not None:
                    stale = [k for k in self._data if k[0] != state]
                    for k in stale:
                        del self._data[k]
                self._state = state
            self._data[(state, key)] = value
            self._data.move_to_end((state, key))
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()
            self._state = None

    def __len__(self) -> int:
        return len(self._data)


#: The cache :func:`search_index.searching.search` uses unless given another.
default_cache = ResultCache()
