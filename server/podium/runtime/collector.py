"""Python's cycle collector, kept off the path of a change.

Each viewer's connection holds about 80 objects that the cycle collector tracks, and a
full collection walks every one of them, on the loop: about 40 ms per 1,000 viewers on the
development machine, and a command that arrives meanwhile waits that long. Python starts a
full collection when its oldest generation has grown by a quarter since the last one, so
after a burst of joins one falls at a moment set by allocation counts (in `podium bench`
at 5,000 viewers: the same command of 40, every run, stamped 190-250 ms late).

So the connections are frozen once they have joined (``gc.freeze``: the objects leave
every later collection; it costs a list splice), and the rule is run here instead, by
connections: when ``FREEZE_AFTER`` have joined since the last freeze, the young
generations are collected (milliseconds) and everything left is frozen. A frozen object
that becomes garbage in a cycle (what a closed connection may leave) is kept until the
next thaw, which comes when a quarter of the connections frozen have gone (and at least
``FREEZE_AFTER``): everything is unfrozen, collected in full once, and frozen again.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger("podium.live.collector")

FREEZE_AFTER = 200  # connections joined since the last freeze
TICK_S = 1.0

Counts = Callable[[], tuple[int, int]]  # (connections ever added, connections now)


class Collector:
    """Decides, once a tick, whether to freeze what joined or to thaw what left."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.added_at_freeze = 0  # connections ever added, at the last freeze
        self.frozen = 0  # connections held when it last froze
        self.left = 0  # connections gone since the last thaw, counted at each freeze
        self.freezes = 0
        self.thaws = 0

    def tick(self) -> None:
        added, now = self.counts()
        joined = added - self.added_at_freeze
        gone = self.left + max(0, self.frozen + joined - now)
        if gone >= max(FREEZE_AFTER, self.frozen // 4):
            started = time.perf_counter()
            gc.unfreeze()
            found = gc.collect()
            gc.freeze()
            self.thaws += 1
            self.added_at_freeze, self.frozen, self.left = added, now, 0
            ms = (time.perf_counter() - started) * 1000
            log.info(
                "thawed after %d connections left: %d objects freed in %.0f ms", gone, found, ms
            )
        elif joined >= FREEZE_AFTER:
            gc.collect(1)
            gc.freeze()
            self.freezes += 1
            self.left = gone
            self.added_at_freeze, self.frozen = added, now

    async def run(self, tick_s: float = TICK_S) -> None:
        while True:
            await asyncio.sleep(tick_s)
            self.tick()
