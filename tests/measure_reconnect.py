"""How long a page takes to come back after a server restart.

Starts a real server and a venue screen in headless Chromium, then a few times: kills the
server, leaves it down for ``DOWN`` seconds (a restart, a deploy), starts it again and
records how long after the server answers the page is live again. A figure for the docs,
never a test assertion::

    .venv/bin/python -m tests.measure_reconnect [ROUNDS] [DOWN]
"""

from __future__ import annotations

import statistics
import sys
import time

from tests.measure_web_latency import seed_served_in_chromium
from tests.web.test_web import READY


def measure(rounds: int, down: float) -> list[float]:
    with seed_served_in_chromium() as (server, browser):
        page = browser.new_page()
        page.goto(f"{server.url}/screen")
        page.wait_for_selector(READY, state="attached")
        back: list[float] = []
        for _ in range(rounds):
            server.kill()
            page.wait_for_selector("#podium-status[data-state='reconnecting']", state="attached")
            time.sleep(down)
            server.start()
            ready = time.monotonic()
            page.wait_for_selector(READY, state="attached", timeout=60_000)
            back.append(time.monotonic() - ready)
        return back


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    down = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    back = measure(rounds, down)
    print(f"{rounds} restarts, server down {down:g} s each (plus its start-up):")
    print(
        f"  page live again after the server answers: median {statistics.median(back):.2f} s,"
        f" max {max(back):.2f} s ({', '.join(f'{b:.2f}' for b in back)})"
    )


if __name__ == "__main__":
    main()
