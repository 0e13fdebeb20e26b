"""The automations' batches (``automations.py``): a change's events for the automations
that want them, one part per automation, claimed in the store, sent and marked done
together; and the changes a restarted process claims again, from the log's one replay."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from podium.core.config.programme import Programme
from podium.core.state import State
from podium.core.wire.protocol import encode
from podium.store.base import Leased, LogRecord
from podium.store.replay import replay


@dataclass(frozen=True)
class Part:
    """One event for one automation: the event as a webhook receives it (its payload)."""

    id: str  # the event's id and the automation's index
    automation: int
    payload: dict[str, Any]


@dataclass
class Batch:
    """A change's events for the automations that want them (or a timed event's): claimed,
    sent and marked done together. ``sure``: the store said this process holds it (else it
    could not be asked, and the batch goes out anyway); ``lost``: another process took it
    over (this one's lease lapsed), so this one stops sending it."""

    key: str
    parts: list[Part]
    left: set[str] = field(default_factory=set)
    sure: bool = True
    lost: bool = False

    def __post_init__(self) -> None:
        if not self.left:
            self.left = {part.id for part in self.parts}

    def entry(self) -> str:
        return encode({"parts": [vars(part) for part in self.parts]})

    @classmethod
    def taken_over(cls, leased: Leased) -> Batch:
        parts = [Part(str(p["id"]), int(p["automation"]), dict(p["payload"]))
                 for p in json.loads(leased.entry)["parts"]]  # fmt: skip
        left = {part.id for part in parts} - leased.done
        return cls(leased.key, [part for part in parts if part.id in left], left)


def changes_since(
    programme: Programme, records: list[LogRecord], since: int
) -> list[tuple[State, State]]:
    """The log replayed as ``Room.open`` replays it (``store.replay``): each change at or
    after ``since`` as the states before and after it. A checkpoint is no change; the
    replay stops where the room's did; a fresh start (version 0) is none either."""
    steps = replay(programme, None, records).steps
    return [
        (before.state, after.state)
        for before, after in pairwise(steps)
        if after.record.state is None and after.record.version != 0 and after.record.at >= since
    ]
