"""The cycle collector's rule, run by connections (``runtime/collector.py``): plain and
synchronous, against the real ``gc`` module of this process (unfrozen again after)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from podium.runtime.collector import FREEZE_AFTER, Collector


class Node:
    """An object that can hold itself: garbage only the cycle collector frees."""

    me: Node | None = None


@pytest.fixture
def counts() -> Iterator[list[int]]:
    """(connections ever added, connections now), as the hubs would say."""
    gc.unfreeze()
    yield [0, 0]
    gc.unfreeze()


def test_connections_are_frozen_once_enough_have_joined(counts: list[int]) -> None:
    collector = Collector(lambda: (counts[0], counts[1]))
    counts[:] = [FREEZE_AFTER - 1, FREEZE_AFTER - 1]
    collector.tick()
    assert (collector.freezes, gc.get_freeze_count()) == (0, 0)
    counts[:] = [FREEZE_AFTER, FREEZE_AFTER]
    collector.tick()
    assert collector.freezes == 1
    assert gc.get_freeze_count() > 0
    collector.tick()  # nobody new: nothing to do
    assert (collector.freezes, collector.thaws) == (1, 0)


def test_a_cycle_frozen_is_kept_until_a_quarter_of_the_connections_have_left(
    counts: list[int],
) -> None:
    collector = Collector(lambda: (counts[0], counts[1]))
    node = Node()
    node.me = node
    gone = weakref.ref(node)
    counts[:] = [1000, 1000]
    collector.tick()
    del node
    gc.collect()
    assert gone() is not None, "a frozen cycle is out of every collection"

    counts[:] = [1100, 851]  # 249 left (100 joined): under a quarter of the 1,000 frozen
    collector.tick()
    assert collector.thaws == 0
    assert gone() is not None

    counts[:] = [1100, 850]  # the 250th left
    collector.tick()
    assert collector.thaws == 1
    assert gone() is None, "the thaw collected it"
    assert gc.get_freeze_count() > 0, "and froze the survivors again"


def test_departures_are_counted_across_freezes(counts: list[int]) -> None:
    collector = Collector(lambda: (counts[0], counts[1]))
    counts[:] = [1000, 1000]
    collector.tick()
    counts[:] = [1300, 1150]  # 300 joined, 150 left: a freeze, the 150 remembered
    collector.tick()
    assert (collector.freezes, collector.thaws) == (2, 0)
    counts[:] = [1300, 1015]  # 135 more: 285 in all, under a quarter of 1,150 (287)
    collector.tick()
    assert collector.thaws == 0
    counts[:] = [1300, 1013]  # 287 in all: a quarter of the 1,150 held at the last freeze
    collector.tick()
    assert collector.thaws == 1
