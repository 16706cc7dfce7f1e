"""The result cache: repeated searches (kiosk tiles, common words) answered without searching.

Entries are keyed on the normalised request and remember the index *state*
(:func:`search_index.engine.view.state_key`) they were computed in: a commit makes each miss once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

#: Entries kept.
DEFAULT_SIZE = 2048


class ResultCache:
    """A bounded, thread-safe LRU of search results by request key, each with its index state."""

    def __init__(self, max_entries: int = DEFAULT_SIZE) -> None:
        self._data: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._max = max(1, max_entries)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, state: Hashable, key: Hashable) -> Any:
        """The value cached for ``key`` in index state ``state``, or None."""
        with self._lock:
            entry = self._data.get(key)
            if entry is None or entry[0] != state:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, state: Hashable, key: Hashable, value: Any) -> None:
        """Remember ``value`` for ``key`` in ``state``."""
        with self._lock:
            self._data[key] = (state, value)
            self._data.move_to_end(key)
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


#: The cache :func:`search_index.query.searching.search` uses unless given another.
default_cache = ResultCache()
