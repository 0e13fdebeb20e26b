"""How long a change of the plan takes from a moderator's command to the pages showing it
(issue 25: "within a second"). Starts a real server with Session 3 live, opens the venue
screen, a viewer page and the speaker page of Mr. Jing SUN (who is next) in headless
Chromium, renames him over HTTP (``update_speaker``, back and forth) and records when each
page's DOM changed. A figure for the docs, never a test assertion::

    .venv/bin/python -m tests.measure_plan_pages [ROUNDS]
"""

from __future__ import annotations

import sys

from tests.measure_web_latency import latencies, say, seed_served_in_chromium
from tests.server.test_speakers import links

NAMES = ("Jing SUN (renamed)", "Jing SUN")


def measure(rounds: int) -> dict[str, list[float]]:
    with seed_served_in_chromium() as (server, browser):
        server.command("start_session", session_id="session-3")
        faces = [
            ("screen", "/screen", "#next-speaker"),
            ("viewer", "/viewer", "#agenda"),
            ("speaker", links(server)["jing-sun"].removeprefix(server.url), "#name"),
        ]

        def rename(i: int) -> object:
            fields = {"name": NAMES[i % 2]}
            return server.command("update_speaker", speaker_id="jing-sun", fields=fields)

        return latencies(server, browser, faces, rename, rounds)


if __name__ == "__main__":
    say(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
