"""Draw delivery latency against viewers from ``podium bench --json`` files, as an SVG.

    python docs/plot_bench.py docs/bench/*.json -o docs/bench-latency.svg --table

Hand-written SVG (no plotting dependency): Podium and the bare broadcast baseline measured
in the same run, p50 and p99, Podium's fan-out alone (after the durable commit), and the
peer figures quoted in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import math
from html import escape
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 760, 450
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 55, 60
SERIES = (  # (result, figure, quantile, label, colour, dashed)
    ("podium", "latency_ms", "p99", "Podium p99", "#c0392b", False),
    ("podium", "fanout_ms", "p99", "Podium fan-out p99", "#16a085", False),
    ("baseline", "latency_ms", "p99", "bare broadcast p99", "#2c3e50", False),
    ("podium", "latency_ms", "p50", "Podium p50", "#e67e22", True),
    ("baseline", "latency_ms", "p50", "bare broadcast p50", "#7f8c8d", True),
)
# Ontime (the open-source peer) on this kind of machine: viewers -> p99 range, in ms
PEER_P99 = {1000: (86, 134), 3000: (160, 310)}


def nice_ceiling(value: float) -> float:
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 x 10^n) at or above it."""
    exponent = 10 ** math.floor(math.log10(max(value, 1e-9)))
    return next(m * exponent for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * exponent >= value)


def load(paths: list[Path]) -> list[dict[str, Any]]:
    runs = [json.loads(p.read_text()) for p in paths]
    return sorted(runs, key=lambda r: r["viewers"])


def _conditions(runs: list[dict[str, Any]]) -> str:
    loads = [
        x for r in runs for x in (r["machine"]["load_before"][0], r["machine"]["load_after"][0])
    ]
    cores = runs[0]["machine"]["nproc"]
    return (
        f"{cores} cores, load generator beside the server, load average"
        f" {min(loads):.0f}-{max(loads):.0f}; the peer on a quiet machine"
    )


def render(runs: list[dict[str, Any]]) -> str:
    points = {
        (name, figure, q): [
            (r["viewers"], r[name][figure][q]) for r in runs if r.get(name) is not None
        ]
        for name, figure, q, *_ in SERIES
    }
    top = max(
        [y for series in points.values() for _, y in series] + [hi for _, hi in PEER_P99.values()]
    )
    y_max = nice_ceiling(top * 1.05)
    x_max = nice_ceiling(max(r["viewers"] for r in runs))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(v: float) -> float:
        return LEFT + v / x_max * plot_w

    def y(v: float) -> float:
        return TOP + plot_h - v / y_max * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">'
        "Delivery latency (send to every viewer holding the new version)</text>",
        f'<text x="{LEFT}" y="{TOP - 4}" fill="#555">{escape(_conditions(runs))}</text>',
    ]
    for i in range(6):
        value = y_max * i / 5
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}"'
            ' stroke="#ddd"/>'
        )
        out.append(
            f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    for v in sorted({r["viewers"] for r in runs} | set(PEER_P99)):
        out.append(
            f'<text x="{x(v):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{v:,}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"'
        ' stroke="black"/>'
    )
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 18}" text-anchor="middle">'
        "viewers on one server process</text>"
    )
    out.append(
        f'<text x="18" y="{TOP + plot_h / 2}" text-anchor="middle"'
        f' transform="rotate(-90 18 {TOP + plot_h / 2})">milliseconds</text>'
    )
    for viewers, (lo, hi) in PEER_P99.items():
        out.append(
            f'<rect x="{x(viewers) - 6:.1f}" y="{y(hi):.1f}" width="12"'
            f' height="{y(lo) - y(hi):.1f}" fill="#8e44ad" fill-opacity="0.35"/>'
        )
    legend_y = TOP + 10
    for name, figure, q, label, colour, dashed in SERIES:
        series = points[(name, figure, q)]
        if not series:
            continue
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        path = " ".join(f"{x(v):.1f},{y(ms):.1f}" for v, ms in series)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out += [
            f'<circle cx="{x(v):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>' for v, ms in series
        ]
        lx = LEFT + plot_w + 15
        out.append(
            f'<line x1="{lx}" x2="{lx + 24}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}"'
            f' stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 30}" y="{legend_y + 4}">{escape(label)}</text>')
        legend_y += 20
    lx = LEFT + plot_w + 15
    out.append(
        f'<rect x="{lx + 6}" y="{legend_y - 6}" width="12" height="12" fill="#8e44ad"'
        ' fill-opacity="0.35"/>'
    )
    out.append(f'<text x="{lx + 30}" y="{legend_y + 4}">Ontime p99 (peer)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _pair(run: dict[str, Any], key: str, digits: int = 0) -> str:
    """``Podium / baseline (ratio)`` for a dotted key of the results."""

    def get(result: dict[str, Any] | None) -> Any:
        value: Any = result
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    a, b = get(run["podium"]), get(run.get("baseline"))
    if a is None:
        return "-"
    if b is None:
        return f"{a:,.{digits}f}"
    ratio = f" ({a / b:.2f}x)" if b else ""
    return f"{a:,.{digits}f} / {b:,.{digits}f}{ratio}"


def markdown(runs: list[dict[str, Any]]) -> str:
    """A results table as in docs/bench/HISTORY.md: Podium / baseline (ratio) per cell."""
    rows = [
        "| viewers | all joined (s) | latency p50 (ms) | latency p99 (ms) | fan-out p99 (ms)"
        " | lost | ack p99 (ms) | memory / viewer (KiB) | storm: all back (s) | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        p = run["podium"]
        load = run["machine"]["load_before"][0], run["machine"]["load_after"][0]
        servers = f" ({run['servers']} processes, Redis)" if run.get("servers", 1) > 1 else ""
        rows.append(
            f"| {run['viewers']:,}{servers} | {_pair(run, 'join_s', 2)}"
            f" | {_pair(run, 'latency_ms.p50')} | {_pair(run, 'latency_ms.p99')}"
            f" | {_pair(run, 'fanout_ms.p99')} | {p['lost']} | {p['ack_ms']['p99']:,.0f}"
            f" | {_pair(run, 'server.rss_kib_per_viewer', 1)} | {_pair(run, 'storm.back_s', 1)}"
            f" | {load[0]:.0f}-{load[1]:.0f} |"
        )
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="podium bench --json outputs")
    parser.add_argument("-o", "--out", type=Path, default=Path("docs/bench-latency.svg"))
    parser.add_argument("--table", action="store_true", help="also print the markdown table")
    args = parser.parse_args()
    runs = load(args.files)
    args.out.write_text(render([r for r in runs if r.get("servers", 1) == 1]))
    print(f"wrote {args.out}")
    if args.table:
        print(markdown(runs))


if __name__ == "__main__":
    main()
