"""The collector of a hub process: settled after start-up, and its pauses recorded."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from hub import heap


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """settle() changes the whole process: the tests that follow get CPython's collector back."""
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector_restored")
def test_settle_freezes_what_start_up_built_and_spaces_young_collections() -> None:
    long_lived = [object() for _ in range(1000)]
    heap.settle()
    assert gc.get_freeze_count() >= len(long_lived)
    assert gc.get_threshold() == (heap.YOUNG, heap.MIDDLE, heap.OLD)
    frozen = gc.get_freeze_count()
    gc.collect()
    assert gc.get_freeze_count() == frozen  # a full collection leaves the frozen part alone


def test_watched_records_each_collection_until_the_block_ends() -> None:
    with heap.watched() as pauses:
        gc.collect()
        gc.collect(0)
        assert pauses in gc.callbacks
    assert pauses not in gc.callbacks
    assert pauses.collections[2] >= 1
    assert pauses.collections[0] >= 1
    assert pauses.seconds[2] > 0
    assert 0 < pauses.longest[2] <= pauses.seconds[2]
    counted = list(pauses.collections)
    gc.collect()
    assert pauses.collections == counted  # no longer watching
