"""Rate limits: token buckets per connection and per client address.

A limit is ``N/SECONDS``: up to N events at once (the burst), refilled at N per SECONDS.
Going over is answered with an error and the connection is closed; nobody is slowed down,
so a client that floods costs the server one comparison per message, not a queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True)
class Rate:
    count: int
    per_s: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"30/10"`` is 30 per 10 seconds; ``"30"`` alone is 30 per second."""
        count, _, per = text.strip().partition("/")
        try:
            rate = cls(int(count), float(per.rstrip("s") or 1))
        except ValueError:
            raise ValueError(f"{text!r} is not a rate; write COUNT/SECONDS, e.g. 30/10") from None
        if rate.count < 1 or not 0 < rate.per_s < 86_400:
            raise ValueError(f"{text!r}: the count must be 1 or more and the seconds over 0")
        return rate

    def __str__(self) -> str:
        return f"{self.count} per {self.per_s:g} s"


class Bucket:
    """Holds up to ``rate.count`` tokens; each event takes one; time puts them back."""

    __slots__ = ("rate", "stamp", "tokens")

    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self.tokens = float(rate.count)
        self.stamp = now

    def _refill(self, now: float) -> None:
        self.tokens = min(
            float(self.rate.count),
            self.tokens + (now - self.stamp) * self.rate.count / self.rate.per_s,
        )
        self.stamp = now

    def take(self, now: float) -> bool:
        self._refill(now)
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def wait_s(self, now: float) -> float:
        """Seconds until the next event is allowed (0 when one is now)."""
        self._refill(now)
        return max(0.0, (1 - self.tokens) * self.rate.per_s / self.rate.count)

    def full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.rate.count


class PerKey:
    """One bucket per key (a client address). Full buckets are forgotten from time to
    time, so a stream of new addresses cannot grow memory without bound."""

    def __init__(self, rate: Rate, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._prune_at = 1024

    def __len__(self) -> int:
        return len(self._buckets)

    def allow(self, key: str) -> bool:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._prune_at:
                self._prune(now)
            bucket = self._buckets[key] = Bucket(self.rate, now)
        return bucket.take(now)

    def wait_s(self, key: str) -> float:
        """Seconds until ``key`` may go on (0 for a key not seen)."""
        bucket = self._buckets.get(key)
        return bucket.wait_s(self.clock()) if bucket is not None else 0.0

    def _prune(self, now: float) -> None:
        self._buckets = {k: b for k, b in self._buckets.items() if not b.full(now)}
        self._prune_at = max(1024, 2 * len(self._buckets))


@dataclass(frozen=True)
class Limits:
    """The defaults allow a busy console and a venue of viewers behind one NAT address."""

    commands: Rate = field(default_factory=lambda: Rate(60, 10))  # per moderator connection
    messages: Rate = field(default_factory=lambda: Rate(120, 10))  # per connection, any frame
    connects: Rate = field(default_factory=lambda: Rate(300, 10))  # new sockets per address
    questions: Rate = field(default_factory=lambda: Rate(5, 60))  # per address and connection
    votes: Rate = field(default_factory=lambda: Rate(60, 60))  # per address
    voters: Rate = field(default_factory=lambda: Rate(20, 60))  # voter ids issued, per address
    signals: Rate = field(default_factory=lambda: Rate(5, 30))  # booth signals, per token
    captions: Rate = field(default_factory=lambda: Rate(50, 10))  # caption lines, per token
