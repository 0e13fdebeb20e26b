"""The venue screen and a speaker's page over a long-distance link (300 ms ± 50 ms round
trip, through ``tests.delay_proxy``) flip their seconds together, in real headless Chromium.
The bounds are loose enough for a loaded 2-core machine; the figures are in docs/pages.md, made by
``.venv/bin/python -m tests.measure_clock_sync``."""

from __future__ import annotations

import statistics

import pytest
from playwright.sync_api import Browser

from tests.helpers import Server
from tests.measure_clock_sync import measure


@pytest.mark.slow
def test_a_speaker_page_300_ms_away_flips_its_seconds_with_the_venue_screen(
    browser: Browser, server: Server
) -> None:
    server.command("start_session", session_id="session-1")
    sync = measure(browser, server, flips=22)
    assert len(sync.differences_ms) >= 20, sync.summary()
    assert statistics.median(abs(d) for d in sync.differences_ms) < 50, sync.summary()
    assert sync.rtts_ms["delayed"] >= 240, sync.summary()  # the link really was long
    for name, offsets in sync.offsets_ms.items():  # as used at each flip; truly 0
        assert abs(statistics.median(offsets)) <= 30, f"{name}: {sync.summary()}"
