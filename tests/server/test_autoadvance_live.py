"""Items that end themselves, on a real ``podium serve``: the server applies ``next`` (or
``end_session``) once when the clip's timer reaches zero, as ``system``, stored and undoable;
with two processes on one real Redis it still happens exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.clients import watch
from tests.helpers import AUTO, Server
from tests.redis_server import RedisServer

WAIT_S = 15.0  # the clips last 2-3 s; this bounds a hung test, it times nothing


@contextlib.asynccontextmanager
async def pushes(server: Server) -> AsyncIterator[dict[int, dict[str, Any]]]:
    """Every state a viewer of ``server`` is pushed, by version."""
    seen: dict[int, dict[str, Any]] = {}
    ready = asyncio.Event()
    task = asyncio.create_task(watch(server, seen, ready))
    await asyncio.wait_for(ready.wait(), WAIT_S)
    try:
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def pushed(seen: dict[int, dict[str, Any]], version: int) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while version not in seen:
        assert time.monotonic() < deadline, f"version {version} never came: {sorted(seen)}"
        await asyncio.sleep(0.02)
    return seen[version]


def ok(server: Server, action: str, **fields: Any) -> dict[str, Any]:
    status, body = server.command(action, **fields)
    assert status == 200, body
    return body


def assert_by_itself(state: dict[str, Any], action: str, ends_at: int) -> None:
    change = state["last_change"]
    assert change["actor"] == "system" and change["action"] == action, change
    assert change["at"] >= ends_at  # never before the end
    assert change["at"] - ends_at < 1000, change["at"] - ends_at  # the contract: within 1 s


async def test_the_clip_advances_by_itself_once_and_undo_brings_it_back(
    auto_server: Server,
) -> None:
    status, programme = auto_server.request("GET", "/api/programme")
    assert status == 200
    on_end = {sp["id"]: sp["on_end"] for sp in programme["sessions"][0]["speakers"]}
    assert on_end == {"host": None, "clip": "next", "live": None, "outro": "next"}
    async with pushes(auto_server) as seen:
        put_on = ok(auto_server, "goto", speaker_id="clip")
        version, ends_at = put_on["version"], put_on["state"]["timer"]["ends_at"]
        assert put_on["state"]["auto_advance"] == {"action": "next", "at": ends_at, "held": False}

        advanced = await pushed(seen, version + 1)
        assert advanced["speaker"]["id"] == "live" and advanced["auto_advance"] is None
        assert_by_itself(advanced, "next", ends_at)

        undone = ok(auto_server, "undo")
        assert undone["version"] == version + 2
        back = undone["state"]
        assert back["speaker"]["id"] == "clip" and back["timer"]["ends_at"] == ends_at
        assert back["auto_advance"] == {"action": "next", "at": None, "held": True}
        await asyncio.sleep(1.5)  # held: it does not end itself again
        assert max(seen) == version + 2 and auto_server.state()["version"] == version + 2

    log = auto_server.data_dir / "auto-test" / "log.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    automatic = [r for r in records if r["actor"] == "system"]
    assert [(r["version"], r["command"]) for r in automatic] == [
        (version + 1, {"action": "next", "expected_version": version})
    ]
    assert automatic[0]["summary"] == "next: Clip ONE -> Lee LIVE"


@pytest.mark.slow
async def test_added_time_moves_the_moment_and_the_last_clip_ends_the_session(
    auto_server: Server,
) -> None:
    async with pushes(auto_server) as seen:
        version = ok(auto_server, "goto", speaker_id="clip")["version"]
        longer = ok(auto_server, "add_time", seconds=2)["state"]["timer"]["ends_at"]
        assert_by_itself(await pushed(seen, version + 2), "next", longer)

        put_on = ok(auto_server, "goto", speaker_id="outro")
        version, ends_at = put_on["version"], put_on["state"]["timer"]["ends_at"]
        assert put_on["state"]["auto_advance"]["action"] == "end_session"
        ended = await pushed(seen, version + 1)
        assert ended["phase"] == "finished" and ended["speaker"] is None
        assert_by_itself(ended, "end_session", ends_at)

    status, report = auto_server.request("GET", "/api/report?format=json", token=auto_server.token)
    assert status == 200, report
    speakers = {sp["id"]: sp for sp in report["sessions"][0]["speakers"]}
    assert speakers["clip"]["ended_by_itself"] and speakers["outro"]["ended_by_itself"]
    assert not speakers["live"]["ended_by_itself"]  # the moderator moved on from her
    assert report["totals"]["ended_by_itself"] == 2
    status, text = auto_server.request("GET", "/api/report?format=text", token=auto_server.token)
    rows = {line.split("  ")[1].strip(): line for line in text.decode().splitlines()
            if line.startswith("  Clip") or line.startswith("  Lee")}  # fmt: skip
    assert " auto " in rows["Clip ONE"] and " auto " in rows["Clip TWO"]
    assert " auto " not in rows["Lee LIVE"]
    status, html = auto_server.request("GET", "/api/report?format=html", token=auto_server.token)
    assert html.decode().count("(ended by itself)") == 2


@pytest.mark.slow
async def test_the_hold_action_keeps_the_clip_on(auto_server: Server) -> None:
    async with pushes(auto_server) as seen:
        version = ok(auto_server, "goto", speaker_id="clip")["version"]
        held = ok(auto_server, "hold")["state"]
        assert held["auto_advance"] == {"action": "next", "at": None, "held": True}
        assert held["last_change"]["summary"] == "hold: Clip ONE stays on"
        past = held["timer"]["ends_at"] + 1000  # the clip's end, and the 1 s it may take
        while auto_server.state()["server_time"] < past:
            await asyncio.sleep(0.1)
        assert max(seen) == version + 1 and seen[version + 1]["speaker"]["id"] == "clip"
        released = ok(auto_server, "hold", on=False)["state"]["last_change"]["at"]
        # past its end already: it advances at once
        assert_by_itself(await pushed(seen, version + 3), "next", released)
    status, body = auto_server.command("next", actor="system")
    assert status == 400 and "the server's own" in body["error"]["message"]


@pytest.mark.slow
async def test_two_processes_on_redis_advance_exactly_once(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    servers = [
        Server(data_dir=tmp_path / f"data-{i}", programmes=[AUTO], extra_args=args)
        for i in range(2)
    ]
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Server.start, servers))
        a, b = servers
        async with pushes(a) as seen_a, pushes(b) as seen_b:
            put_on = ok(a, "goto", speaker_id="clip")
            version, ends_at = put_on["version"], put_on["state"]["timer"]["ends_at"]
            assert (await pushed(seen_b, version))["speaker"]["id"] == "clip"  # b armed too
            assert_by_itself(await pushed(seen_a, version + 1), "next", ends_at)
            assert (await pushed(seen_b, version + 1))["last_change"] == (
                seen_a[version + 1]["last_change"]
            )
            await asyncio.sleep(1.0)  # a second advance would have come by now
            assert max(seen_a) == max(seen_b) == version + 1
        for server in servers:
            assert server.state()["version"] == version + 1
            assert server.state()["state"]["speaker"]["id"] == "live"
    finally:
        for server in servers:
            server.kill()
