"""Draw delivery latency against viewers from ``podium bench --json`` files, as an SVG.

    python docs/plot_bench.py docs/bench/bench-*.json -o docs/bench-latency.svg

Hand-written SVG (no plotting dependency): Podium and the bare broadcast baseline measured
in the same run, p50 and p99, and the peer figures quoted in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import math
from html import escape
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 40, 60
SERIES = (  # (result, quantile, label, colour, dashed)
    ("podium", "p99", "Podium p99", "#c0392b", False),
    ("baseline", "p99", "bare broadcast p99", "#2c3e50", False),
    ("podium", "p50", "Podium p50", "#e67e22", True),
    ("baseline", "p50", "bare broadcast p50", "#7f8c8d", True),
)
# Ontime (the open-source peer) on this kind of machine: viewers -> p99 range, in ms
PEER_P99 = {1000: (86, 134), 3000: (160, 310)}


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^n at or above ``value``."""
    exponent = 10 ** math.floor(math.log10(max(value, 1e-9)))
    return next(m * exponent for m in (1, 2, 5, 10) if m * exponent >= value)


def load(paths: list[Path]) -> list[dict[str, Any]]:
    runs = [json.loads(p.read_text()) for p in paths]
    return sorted(runs, key=lambda r: r["viewers"])


def render(runs: list[dict[str, Any]]) -> str:
    points = {
        (name, q): [
            (r["viewers"], r[name]["latency_ms"][q]) for r in runs if r.get(name) is not None
        ]
        for name, q, *_ in SERIES
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
    for name, q, label, colour, dashed in SERIES:
        series = points[(name, q)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="podium bench --json outputs")
    parser.add_argument("-o", "--out", type=Path, default=Path("docs/bench-latency.svg"))
    args = parser.parse_args()
    args.out.write_text(render(load(args.files)))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
