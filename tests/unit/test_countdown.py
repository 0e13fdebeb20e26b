"""One countdown rule in Python: ``timefmt.countdown``, ``/api/state/text`` (in process,
with an injected clock) and ``podium watch`` against ``tests/data/countdown-cases.json``,
the cases the pages' ``countdown`` is held to in Chromium (``tests/web/test_countdown.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from rich.console import Console

from podium.cli.watch import render
from podium.core import engine, projection
from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.core.state import initial_state
from podium.core.timefmt import countdown
from podium.live.access.auth import Tokens
from podium.live.access.keeper import FileKeeper
from podium.live.http import assets
from podium.live.http.app import create_app
from podium.live.rooms.room import Room
from podium.store.files import FileStore
from tests.countdown_cases import CASES, NAMES
from tests.helpers import SEED

T0 = 1_638_234_000_000  # 2021-11-30 09:00 in Shanghai
ADDED_S = 3600  # added to the first speaker's 8:20, so that every case fits in the turn


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_timefmt_shows_each_case(case: dict[str, Any]) -> None:
    assert countdown(case["left_ms"]) == case["text"]


async def test_the_text_api_says_each_case_in_text_and_seconds(tmp_path: Path) -> None:
    now = [T0]
    store = FileStore(tmp_path / "data")
    await store.open()
    room = Room(load(SEED), store, clock=lambda: now[0])
    await room.open()
    await room.execute(parse_command({"action": "start_session", "session_id": "session-1"}), "t")
    await room.execute(parse_command({"action": "add_time", "seconds": ADDED_S}), "t")
    ends_at = room.state.live.timer.ends_at
    assert ends_at is not None
    app = create_app(
        [room], Tokens.load(FileKeeper(tmp_path / "data")), assets.prepare(tmp_path / "web")
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    wrong: dict[int, tuple[str, str]] = {}
    try:
        for case in CASES:
            now[0] = ends_at - case["left_ms"]
            got = []
            for field in ("remaining", "remaining_seconds"):
                async with client.get(f"/api/state/text?field={field}") as answer:
                    got.append(await answer.text())
            if got != [case["text"], str(case["seconds"])]:
                wrong[case["left_ms"]] = (got[0], got[1])
    finally:
        await client.close()
        await room.close()
    assert wrong == {}


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_watch_shows_each_case(case: dict[str, Any]) -> None:
    programme = load(SEED)
    state = initial_state(programme, T0)
    for command in (
        {"action": "start_session", "session_id": "session-1"},
        {"action": "add_time", "seconds": ADDED_S},
    ):
        state = engine.apply(programme, state, parse_command(command), T0).state
    message = {"room": programme.id, "version": 2, "state": projection.view(programme, state, T0)}
    ends_at = T0 + 500_000 + ADDED_S * 1000
    console = Console(record=True, width=90, color_system=None)
    console.print(render(message, ends_at - case["left_ms"]))
    lines = [line.strip(" │") for line in console.export_text().splitlines()]
    assert case["text"] in lines
