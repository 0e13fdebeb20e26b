"""Do two pages flip their seconds together when one of them is far away?

A real server; the venue screen straight to it and the speaker page of whoever is on
through ``tests.delay_proxy`` (150 ms ±
25 ms each way: a round trip of 300 ms ± 50 ms), both in one headless Chromium on this
machine, so both read one clock and the true clock offset of each is 0. Each page records,
with a MutationObserver, the moment (``performance.timeOrigin + performance.now()``) its
countdown text changes; the flips of the same second are paired and the difference
(delayed page minus direct page) is reported, with each page's own clock-offset estimate.
A figure for docs/pages.md; ``tests/web/test_clock_sync.py`` holds it to a loose bound::

    .venv/bin/python -m tests.measure_clock_sync [FLIPS] [--far PATH] [--near /screen]
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass

from playwright.sync_api import Browser, Page

from tests.delay_proxy import delayed
from tests.helpers import Server
from tests.measure_web_latency import seed_served_in_chromium
from tests.web.test_web import READY

RECORD = """(selector) => {
  window.__flips = [];
  const shown = document.querySelector(selector);
  const status = document.querySelector("#podium-status");
  new MutationObserver(() => window.__flips.push([
    shown.textContent, performance.timeOrigin + performance.now(), Number(status.dataset.offset),
  ])).observe(shown, { childList: true, characterData: true, subtree: true });
}"""
SYNCED = "() => document.querySelector('#podium-status').dataset.rtt !== ''"
WITHIN_MS = 50  # the issue's bound between the two pages' flips
SYNC_ROUND_MS = 2_000  # the pages' first round of pings (5, 120 ms apart) and their pongs


@dataclass
class Sync:
    differences_ms: list[float]  # per second shown: the delayed page's flip minus the direct
    offsets_ms: dict[str, list[float]]  # each page's clock offset at each flip; truly 0
    rtts_ms: dict[str, float]
    late_ms: dict[str, list[float]]  # each page's flips after the true second boundary

    def summary(self) -> str:
        d = sorted(self.differences_ms)
        size = sorted(abs(x) for x in d)
        p95 = size[min(len(size) - 1, round(0.95 * (len(size) - 1)))]
        pages = "\n".join(
            f"{name}: offset {min(self.offsets_ms[name]):+.1f} to {max(self.offsets_ms[name]):+.1f}"
            f" ms (rtt {self.rtts_ms[name]:.0f} ms);"
            f" flips after the true second: median {statistics.median(late):.1f} ms,"
            f" max {max(late):.1f}"
            for name, late in self.late_ms.items()
        )
        within = sum(x <= WITHIN_MS for x in size)
        return (
            f"{len(d)} flips, delayed minus direct: median {statistics.median(d):+.1f} ms,"
            f" min {d[0]:+.1f}, max {d[-1]:+.1f}; |difference| median"
            f" {statistics.median(size):.1f} ms, p95 {p95:.1f}, max {size[-1]:.1f};"
            f" {within} of {len(d)} within {WITHIN_MS} ms\n{pages}"
        )


def _open(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    page.wait_for_function(SYNCED)
    return page


def speaker_page(server: Server) -> str:
    """The path (with its token fragment) of the speaker page of whoever is on now."""
    status, links = server.request(
        "GET", "/api/speakers/links?room=itu-miit-2021", token=server.token
    )
    assert status == 200, links
    on_now = server.state()["state"]["speaker"]["id"]
    url = next(link["url"] for link in links if link["speaker_id"] == on_now)
    return url.removeprefix(server.url)


def measure(
    browser: Browser,
    server: Server,
    flips: int,
    far: str | None = None,
    near: str = "/screen",
    selector: str = "#countdown",
) -> Sync:
    """``flips`` seconds of a running timer on ``server`` (started by the caller), seen by
    the ``near`` page direct and the ``far`` page (by default the speaker page of whoever
    is on) through the delaying proxy."""
    far = far or speaker_page(server)
    with delayed(server.port) as port:
        pages = {
            "direct": _open(browser, server.url + near),
            "delayed": _open(browser, f"http://127.0.0.1:{port}{far}"),
        }
        pages["direct"].wait_for_timeout(SYNC_ROUND_MS)
        for shown in pages.values():
            shown.evaluate(RECORD, selector)
        pages["direct"].wait_for_timeout((flips + 1.5) * 1000)
        flips = {name: p.evaluate("window.__flips") for name, p in pages.items()}
        rtts = {
            name: float(p.eval_on_selector("#podium-status", "el => el.dataset.rtt"))
            for name, p in pages.items()
        }
        for shown in pages.values():
            shown.close()
    seen = {name: {text: at for text, at, _ in page} for name, page in flips.items()}
    both = sorted(set(seen["direct"]) & set(seen["delayed"]))
    ends_at = server.state()["state"]["timer"]["ends_at"]
    return Sync(
        differences_ms=[seen["delayed"][text] - seen["direct"][text] for text in both],
        offsets_ms={name: [offset for _, _, offset in page] for name, page in flips.items()},
        rtts_ms=rtts,
        late_ms={
            name: [at - (ends_at - seconds(text) * 1000) for text, at in times.items()]
            for name, times in seen.items()
        },
    )


def seconds(shown: str) -> int:
    """``08:12`` (or ``1:08:12``) as the countdown shows it: the seconds left from then."""
    total = 0
    for part in shown.split(":"):
        total = total * 60 + int(part)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("flips", nargs="?", type=int, default=60)
    parser.add_argument(
        "--far", default=None, help="the page over the long link (default: the speaker's page)"
    )
    parser.add_argument("--near", default="/screen", help="the page on the venue's network")
    parser.add_argument("--selector", default="#countdown", help="the countdown on both")
    args = parser.parse_args()
    with seed_served_in_chromium() as (server, browser):
        server.command("start_session", session_id="session-1")
        sync = measure(browser, server, args.flips, args.far, args.near, args.selector)
        print(sync.summary())


if __name__ == "__main__":
    main()
