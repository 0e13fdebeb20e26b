"""Numbers and the table for ``podium bench``: percentiles, ratios, and the rich table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table

QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
# (key in a result, label, unit, decimals); dotted keys reach into nested dicts
ROWS: tuple[tuple[str, str, str, int], ...] = (
    ("viewers_connected", "viewers connected", "", 0),
    ("join_s", "all joined in", "s", 2),
    ("connect_ms.p99", "one join, p99", "ms", 1),
    ("latency_ms.p50", "delivery latency p50", "ms", 1),
    ("latency_ms.p95", "delivery latency p95", "ms", 1),
    ("latency_ms.p99", "delivery latency p99", "ms", 1),
    ("latency_ms.max", "delivery latency max", "ms", 1),
    ("change_p99_ms.p50", "a change's p99, median change", "ms", 1),
    ("change_p99_ms.max", "a change's p99, worst change", "ms", 1),
    ("fanout_ms.p50", "fan-out only p50 (after store)", "ms", 1),
    ("fanout_ms.p99", "fan-out only p99 (after store)", "ms", 1),
    ("deliveries", "deliveries (viewers x commands)", "", 0),
    ("lost", "messages lost", "", 0),
    ("ack_ms.p50", "moderator ack p50", "ms", 1),
    ("ack_ms.p99", "moderator ack p99", "ms", 1),
    ("frame_bytes", "snapshot frame size", "B", 0),
    ("change_bytes.p50", "bytes per change p50", "B", 0),
    ("change_bytes.p95", "bytes per change p95", "B", 0),
    ("change_bytes.max", "bytes per change max", "B", 0),
    ("server.cpu_us_per_join", "server CPU per join", "us", 0),
    ("server.cpu_ms_per_command", "server CPU per command", "ms", 1),
    ("server.cpu_us_per_delivery", "server CPU per delivery", "us", 2),
    ("server.rss_kib_per_viewer", "server memory per viewer", "KiB", 1),
    ("idle.bytes_per_viewer_per_min", "idle traffic per viewer", "B/min", 1),
    ("idle.server_cpu_percent", "server CPU while idle", "%", 1),
    ("storm.back_s", "reconnect storm: all back in", "s", 2),
    ("storm.back", "reconnect storm: viewers back", "", 0),
    ("question_storm.rounds", "question storm rounds (pooled below)", "", 0),
    ("question_storm.without.commands", "timer changes without question storm", "", 0),
    ("question_storm.without.latency_ms.p99", "  delivery p99 without storm", "ms", 1),
    ("question_storm.with.commands", "timer changes during question storm", "", 0),
    ("question_storm.with.latency_ms.p99", "  delivery p99 during storm", "ms", 1),
    ("question_storm.p99_ratio", "  p99 during / without storm", "x", 2),
    ("question_storm.questions_accepted", "questions accepted", "", 0),
    ("question_storm.approved", "questions approved", "", 0),
    ("question_storm.votes_counted", "votes counted", "", 0),
    ("question_storm.refused_total", "storm calls refused (429, ...)", "", 0),
    ("question_storm.seconds", "storm: first call to last answer", "s", 2),
)
RATIO_KEYS = (
    "join_s",
    "latency_ms.p50",
    "latency_ms.p95",
    "latency_ms.p99",
    "latency_ms.max",
    "change_p99_ms.p50",
    "change_p99_ms.max",
    "fanout_ms.p50",
    "fanout_ms.p99",
    "ack_ms.p99",
    "change_bytes.p50",
    "change_bytes.p95",
    "server.cpu_us_per_join",
    "server.cpu_us_per_delivery",
    "server.rss_kib_per_viewer",
    "storm.back_s",
)


def summary(values: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99 (nearest rank), max and mean of ``values``; ``None`` when empty."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    ordered = sorted(values)
    n = len(ordered)
    out: dict[str, float | None] = {
        name: round(ordered[max(0, math.ceil(q * n) - 1)], 3) for name, q in QUANTILES.items()
    }
    out["max"] = round(ordered[-1], 3)
    out["mean"] = round(sum(ordered) / n, 3)
    return out


def pick(result: dict[str, Any] | None, dotted: str) -> Any:
    value: Any = result
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def ratios(podium: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """Podium / baseline for each figure both have (lower is better for all of them)."""
    out: dict[str, float | None] = {}
    for key in RATIO_KEYS:
        a, b = pick(podium, key), pick(baseline, key)
        out[key] = round(a / b, 2) if isinstance(a, int | float) and b else None
    return out


def _cell(value: Any, unit: str, decimals: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:,.{decimals}f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value} {unit}".strip()


def table(report: dict[str, Any]) -> Table:
    podium = report["podium"]
    baseline = report.get("baseline")
    title = (
        f"podium bench: {report['viewers']:,} viewers, {report['commands']} commands,"
        f" {report['processes']} client processes"
    )
    if report.get("servers", 1) > 1:
        title += f", {report['servers']} Podium processes sharing {report['store']}"
    out = Table(title=title, title_justify="left")
    out.add_column("measure")
    out.add_column("Podium", justify="right")
    # (the reference's result, its ratios): the bare Python server, uWebSockets (--baseline)
    references = [
        (report[name], report[f"{prefix}ratios"], name)
        for name, prefix in (("baseline", ""), ("native", "native_"))
        if report.get(name) is not None
    ]
    for _, _, name in references:
        out.add_column(name, justify="right")
        out.add_column(f"Podium / {name}", justify="right")
    for key, label, unit, decimals in ROWS:
        row = [label, _cell(pick(podium, key), unit, decimals)]
        if pick(podium, key) is None and pick(baseline, key) is None:
            continue
        for result, ratio, _ in references:
            row += [_cell(pick(result, key), unit, decimals), _cell(ratio.get(key), "x", 2)]
        out.add_row(*row)
    return out
