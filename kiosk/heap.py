"""Short garbage collections in a long-running worker.

A full collection walks every tracked object while the worker's threads wait, and a warm worker
holds hundreds of thousands of long-lived ones (caches, index readers). Under ``bench/load.py``
(100 requests and one edit a second, 10,000 services) each worker ran one about every 12 s, at
100-850 ms each: most of the slowest requests. :class:`HeapKeeper` keeps them short:

* after the warm-up, and after each full collection, what is alive is frozen (``gc.freeze``):
  never walked again (so a collection walks only what was made since, a few milliseconds), still
  freed by reference counting;
* garbage *in a reference cycle* that was frozen while alive (an old searcher, say) is not
  collected, so every ``thaw_seconds`` (an hour; each worker at its own moment) the heap is
  thawed, collected whole and frozen again: one long pause an hour, not several a minute.
"""

from __future__ import annotations

import gc
import logging
import random
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

#: Seconds between two whole collections (thaw, collect, freeze) of a worker's heap.
THAW_SECONDS = 3600.0


class HeapKeeper:
    """Freezes what survives full collections; thaws and collects the whole heap now and then."""

    def __init__(self, thaw_seconds: float = THAW_SECONDS) -> None:
        self.thaw_seconds = thaw_seconds
        self.full_collections = 0
        self.thaws = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Freeze the heap now, then after every full collection; start the hourly thaw."""
        gc.collect()
        gc.freeze()
        gc.callbacks.append(self._after_collection)
        if self.thaw_seconds > 0:
            self._thread = threading.Thread(target=self._thaw_loop, name="heap-thaw", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop freezing after collections and end the thaw thread (the heap stays as it is)."""
        self._stop.set()
        if self._after_collection in gc.callbacks:
            gc.callbacks.remove(self._after_collection)

    def thaw(self) -> float:
        """Unfreeze the heap, collect it whole, freeze it again; return the seconds it took."""
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.thaws += 1
        return time.perf_counter() - started

    def _after_collection(self, phase: str, info: dict[str, Any]) -> None:
        # Called by the collector itself: the collection is over, its lists are consistent.
        if phase == "stop" and info.get("generation") == 2:
            self.full_collections += 1
            gc.freeze()

    def _thaw_loop(self) -> None:
        # Each worker starts at its own offset, so the workers of a host never pause together.
        wait = self.thaw_seconds * (0.5 + random.random())
        while not self._stop.wait(wait):
            seconds = self.thaw()
            log.info("heap collected whole: %.2f s, %d objects frozen", seconds, gc.get_freeze_count())
            wait = self.thaw_seconds
