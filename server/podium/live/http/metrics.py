"""Prometheus metrics for ``GET /metrics``.

prometheus_client (the Prometheus project's own Python client) writes the exposition
format, escaping and histogram buckets correctly and keeps up with the format; counting is
all we do. Counters and the fan-out histogram are fed by hooks (``Room.command_observers``,
``Hub.listeners``); client counts, versions and store health are read at scrape time.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from podium.live.rooms.hub import Hub, Listener
from podium.live.rooms.room import Room

FANOUT_BUCKETS = (5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25)
# Every label value comes from a fixed set, never from what a client sent: each new value
# is a new series kept for the life of the process (docs/security.md, "cardinality").
UNKNOWN = "unknown"
KINDS = frozenset({"viewer", "screen", "overlay", "console", "watch", "bench"})
OTHER_KIND = "other"


def kind_label(kind: str) -> str:
    """A client's self-declared kind (``?client=``), or ``other``; SSE kinds keep their
    ``sse:`` prefix."""
    stream, colon, name = kind.rpartition(":")
    if stream not in ("", "sse"):
        return OTHER_KIND
    return f"{stream}{colon}{name if name in KINDS else OTHER_KIND}"


class _Live(Collector):
    """What is true at scrape time: clients by role and kind, versions, drops, store health."""

    def __init__(self, rooms: Iterable[Room], streams: Callable[[str], Hub]) -> None:
        self.rooms = list(rooms)
        self.streams = streams

    def collect(self) -> Iterator[Metric]:
        clients = GaugeMetricFamily(
            "podium_clients", "Connected clients by role and kind", labels=["room", "role", "kind"]
        )
        dropped = CounterMetricFamily(
            "podium_clients_dropped", "Clients dropped for not reading", labels=["room"]
        )
        version = GaugeMetricFamily("podium_state_version", "State version", labels=["room"])
        store_up = GaugeMetricFamily("podium_store_up", "1: the store is healthy", labels=["store"])
        for room in self.rooms:
            hubs = (room.hub, self.streams(room.id))
            tally = Tally((c.role, kind_label(c.kind)) for hub in hubs for c in hub.clients())
            for (role, kind), n in sorted(tally.items()):
                clients.add_metric([room.id, role, kind], n)
            dropped.add_metric([room.id], sum(hub.dropped for hub in hubs))
            version.add_metric([room.id], room.state.version)
        if self.rooms:
            health = self.rooms[0].store.health()
            store_up.add_metric([str(health["store"])], 1 if health["status"] == "ok" else 0)
        yield from (clients, dropped, version, store_up)


class Metrics:
    def __init__(self, rooms: Iterable[Room], streams: Callable[[str], Hub]) -> None:
        rooms = list(rooms)
        self.room_ids = frozenset(room.id for room in rooms)
        disable_created_metrics()  # the *_created series only add noise here
        self.registry = CollectorRegistry(auto_describe=False)
        self.commands = Counter(
            "podium_commands",
            "Commands by action and outcome (ok, or the error code)",
            ["room", "action", "outcome"],
            registry=self.registry,
        )
        self.store_errors = Counter(
            "podium_store_errors",
            "Changes the store could not make durable (the command was refused)",
            ["room"],
            registry=self.registry,
        )
        self.fanout = Histogram(
            "podium_fanout_seconds",
            "Time to write one change to every WebSocket client of a room, in one pass",
            ["room"],
            buckets=FANOUT_BUCKETS,
            registry=self.registry,
        )
        self.automations = Counter(
            "podium_automation_deliveries",
            "Automation deliveries by kind (webhook, osc) and outcome (delivered, failed,"
            " retried: an attempt to be tried again, skipped: sent by another process)",
            ["room", "kind", "outcome"],
            registry=self.registry,
        )
        self.registry.register(_Live(rooms, streams))
        for room in rooms:
            room.command_observers.append(self._command_observer(room.id))
            room.hub.listeners.append(self._fanout_listener(room.id))

    def _command_observer(self, room: str) -> Callable[[str, str], None]:
        def observe(action: str, outcome: str) -> None:
            self.commands.labels(room, action, outcome).inc()
            if outcome == "unavailable":
                self.store_errors.labels(room).inc()

        return observe

    def _fanout_listener(self, room: str) -> Listener:
        histogram = self.fanout.labels(room)
        return lambda _change, seconds: histogram.observe(seconds)

    def automation(self, room: str, kind: str, outcome: str) -> None:
        self.automations.labels(room, kind, outcome).inc()

    def refused(self, room: str, outcome: str) -> None:
        """A command refused before it reached the room (no token, malformed). ``room``
        is what the request named: any string, so only a room we serve becomes a label."""
        self.commands.labels(room if room in self.room_ids else UNKNOWN, "", outcome).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
