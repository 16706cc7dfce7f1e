"""A worker's heap: frozen after its warm-up and after each full collection, thawed and collected
whole now and then so that cyclic garbage among frozen objects is freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from kiosk.heap import HeapKeeper


class Node:
    """An object that can be part of a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def keeper() -> Iterator[HeapKeeper]:
    keeper = HeapKeeper(thaw_seconds=0)  # no thaw thread: the test thaws by hand
    keeper.start()
    try:
        yield keeper
    finally:
        keeper.stop()
        gc.unfreeze()
        gc.collect()


def test_what_survives_a_full_collection_is_frozen(keeper: HeapKeeper) -> None:
    survivors = [Node() for _ in range(1000)]
    gc.collect()  # a full collection: the callback freezes what survived it
    assert keeper.full_collections >= 1
    assert gc.get_freeze_count() >= len(survivors)
    # Frozen objects are still tracked but in no generation the collector walks. (The freeze
    # count alone cannot show it: other threads of the test process free frozen objects meanwhile.)
    assert all(gc.is_tracked(n) for n in survivors)
    walked = {id(o) for o in gc.get_objects()}
    assert not any(id(n) in walked for n in survivors)


def test_cyclic_garbage_among_frozen_objects_is_freed_by_a_thaw(keeper: HeapKeeper) -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a
    gc.collect()  # both survive and are frozen
    gone = weakref.ref(a)
    del a, b  # now a cycle nobody references: a full collection cannot see it while frozen
    gc.collect()
    assert gone() is not None
    assert keeper.thaw() >= 0
    assert gone() is None
    assert keeper.thaws == 1
    assert gc.get_freeze_count() > 0  # frozen again after the whole collection


def test_stop_ends_the_freezing(keeper: HeapKeeper) -> None:
    keeper.stop()
    count = keeper.full_collections
    gc.collect()
    assert keeper.full_collections == count
