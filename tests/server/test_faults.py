"""Faults injected into the real server: SIGKILL mid-run, a crash between the log and the
checkpoint, torn and corrupt files, SIGTERM with commands in flight, a full or read-only
disk. Nothing acknowledged may be lost; nothing refused may leave a trace."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.clients import (
    checkpointed,
    drive,
    log_records,
    moderator,
    room_dir,
    stored_state,
    timing,
    watch,
)
from tests.helpers import Server, podium, recv_json
from tests.machine import ROOT_MOUNT
from tests.redis_server import RedisServer

ROOM = "itu-miit-2021"
HIGH_LIMITS = ["--limit-commands", "10000/1", "--limit-messages", "10000/1"]


async def stored_log_and_version(server: Server, redis_url: str | None) -> tuple[list, int]:
    """The action log (as dicts) and the checkpoint's version, from the store itself."""
    if redis_url is None:
        return log_records(server), stored_state(server)["version"]
    from podium.store.redis import RedisStore

    store = RedisStore(redis_url)
    await store.open()
    try:
        records = [r.model_dump(mode="json") for r in await store.read_log(ROOM)]
        state = (await store.load(ROOM)).state
        assert state is not None
        return records, state.version
    finally:
        await store.close()


async def check_nothing_lost(
    server: Server,
    acked: dict[int, dict],
    seen: dict[int, dict],
    restarted: dict,
    redis_url: str | None = None,
) -> None:
    """Every acknowledged command is in the state and the log, the log has no gap and
    nothing beyond the state, and the timing a viewer was shown survived exactly."""
    version = restarted["version"]
    assert not acked or max(acked) <= version, "an acknowledged command was lost"
    records, checkpoint = await stored_log_and_version(server, redis_url)
    assert [r["version"] for r in records] == list(range(version + 1))
    assert checkpoint == version
    by_version = {r["version"]: r for r in records}
    for v, command in acked.items():
        assert by_version[v]["command"] == command, f"log record {v} is not what was acked"
    if version in seen:
        assert timing(restarted["state"]) == timing(seen[version])


async def sigkill_run(
    where: Path, redis_url: str | None, rng: random.Random, rounds: int = 3, senders: int = 1
) -> dict[str, int]:
    """``senders`` moderators send commands at once; SIGKILL the server at a random moment,
    restart it and check nothing acknowledged was lost; ``rounds`` times. Returns the
    figures (``acked``, ``lost`` is always 0: a loss fails the check)."""
    args = [*HIGH_LIMITS, *(["--redis", redis_url] if redis_url else [])]
    server = Server(data_dir=where / "data", extra_args=args).start()
    acked: dict[int, dict] = {}
    seen: dict[int, dict] = {}
    try:
        for _round in range(rounds):
            ready = asyncio.Event()
            viewer = asyncio.create_task(watch(server, seen, ready))
            await ready.wait()
            async with contextlib.AsyncExitStack() as stack:
                sockets = [
                    await stack.enter_async_context(moderator(server)) for _ in range(senders)
                ]
                drivers = [asyncio.create_task(drive(ws, acked)) for ws in sockets]
                await asyncio.sleep(rng.uniform(0.05, 0.8))
                server.kill()
                await asyncio.gather(*drivers)
            await viewer
            server.start()
            restarted = server.state()
            await check_nothing_lost(server, acked, seen, restarted, redis_url)
    finally:
        server.kill()
    return {"kills": rounds, "senders": senders, "acked": len(acked), "lost": 0}


@pytest.mark.parametrize("store", ["files", "redis"])
async def test_sigkill_at_random_points_loses_nothing(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, rng: random.Random
) -> None:
    redis_url = request.getfixturevalue("redis_server").url if store == "redis" else None
    figures = await sigkill_run(tmp_path, redis_url, rng, senders=3)
    print(f"{figures} ({store})")
    assert figures["acked"] > 10, f"the run was too short to mean anything ({figures})"


def test_crash_between_log_and_checkpoint_is_replayed(server: Server) -> None:
    """The log line is written, the checkpoint is not: the restart replays that line."""
    assert server.command("start_session", session_id="session-1")[0] == 200
    assert server.command("pause")[0] == 200
    before = (room_dir(server) / "state.json").read_bytes()
    status, body = server.command("resume")
    assert status == 200 and body["version"] == 3
    server.kill()
    (room_dir(server) / "state.json").write_bytes(before)  # as if the rename never ran
    server.start()
    after = server.state()
    assert after["version"] == 3
    assert timing(after["state"]) == timing(body["state"])
    assert stored_state(server)["version"] == 3


def test_torn_last_log_line_is_dropped(server: Server) -> None:
    _, body = server.command("start_session", session_id="session-1")
    server.kill()
    log = room_dir(server) / "log.jsonl"
    intact = log.read_bytes()
    with log.open("ab") as f:
        f.write(b'{"version": 2, "at": 17')  # the crash cut this write short
    server.start()
    after = server.state()
    assert after["version"] == 1 and timing(after["state"]) == timing(body["state"])
    assert log.read_bytes() == intact
    assert "torn last line" in server.log.read_text()
    assert server.command("pause")[0] == 200


@pytest.mark.parametrize("broken", ["state", "log-middle", "state-directory"])
def test_corrupt_files_at_start_are_reported_and_set_aside(server: Server, broken: str) -> None:
    server.command("start_session", session_id="session-1")
    _, body = server.command("next")
    checkpointed(server, 2)  # a log broken later: the checkpoint holds what it held
    server.kill()
    folder = room_dir(server)
    if broken == "state":
        (folder / "state.json").write_bytes(b'{"room": "itu-miit-2021", "vers\xff')
    elif broken == "log-middle":
        lines = (folder / "log.jsonl").read_bytes().split(b"\n")
        lines[1] = b"this is not a record"
        (folder / "log.jsonl").write_bytes(b"\n".join(lines))
    else:
        (folder / "state.json").unlink()
        (folder / "state.json").mkdir()
    if broken == "state-directory":
        # not a file at all: refuse to start, saying where and why
        result = podium(
            "serve",
            "--port",
            str(server.port),
            "--data-dir",
            str(server.data_dir),
            timeout=30,
            env={**os.environ, "PODIUM_MODERATOR_TOKEN": server.token},
        )
        assert result.returncode == 2
        assert f"{folder / 'state.json'}: Is a directory" in result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        return
    server.start()
    after = server.state()
    output = server.log.read_text()
    assert "Traceback" not in output
    name = "state.json" if broken == "state" else "log.jsonl"
    assert f"{folder / name}:" in output  # the path, then what is wrong with it
    assert "not a valid state" in output or "line 2 is not a log record" in output
    assert list(folder.glob(f"{name}.corrupt-*")), "the broken file was not kept aside"
    # the last good state is used: rebuilt from the log, or the checkpoint itself
    assert after["version"] == 2 and timing(after["state"]) == timing(body["state"])
    assert server.command("pause")[0] == 200


async def test_sigterm_closes_with_going_away_and_loses_no_command(tmp_path: Path) -> None:
    server = Server(data_dir=tmp_path / "data", extra_args=HIGH_LIMITS).start()
    acked: dict[int, dict] = {}
    try:
        async with websockets.connect(server.ws_url) as viewer, moderator(server) as ws:
            await recv_json(viewer)
            driver = asyncio.create_task(drive(ws, acked))
            while len(acked) < 20:
                await asyncio.sleep(0.02)
            code = await asyncio.to_thread(server.terminate)
            await driver
            assert code == 0
            # a clean stop leaves the checkpoint at the log's last record: nothing to replay
            assert stored_state(server)["version"] == log_records(server)[-1]["version"]
            with contextlib.suppress(websockets.ConnectionClosed):
                while True:
                    await recv_json(viewer)
            assert viewer.close_code == 1001
            assert ws.close_code == 1001
        server.start()
        await check_nothing_lost(server, acked, {}, server.state())
        async with websockets.connect(server.ws_url) as again:  # the next process serves
            assert (await recv_json(again))["version"] == server.state()["version"]
    finally:
        server.kill()


# -- a disk that is full or read-only ---------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs, so the kernel itself says ENOSPC and EROFS."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        ROOT_MOUNT.missing(result.stderr.decode().strip())
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
    return filler


def assert_refused_and_unchanged(server: Server, version: int, action: str) -> None:
    on_disk = (room_dir(server) / "state.json").read_bytes()
    log = (room_dir(server) / "log.jsonl").read_bytes()
    status, body = server.command(action)
    assert status == 503 and body["error"]["code"] == "unavailable", body
    assert "the change was not made" in body["error"]["message"]
    assert server.state()["version"] == version
    assert (room_dir(server) / "state.json").read_bytes() == on_disk
    assert (room_dir(server) / "log.jsonl").read_bytes() == log
    status, health = server.request("GET", "/healthz")
    assert health["status"] == "degraded"


async def test_full_and_read_only_disk_refuse_commands_and_keep_serving(
    small_disk: Path,
) -> None:
    server = Server(data_dir=small_disk).start()  # its own log stays off the small disk
    try:
        assert server.command("start_session", session_id="session-1")[0] == 200
        async with websockets.connect(server.ws_url) as viewer:
            assert (await recv_json(viewer))["version"] == 1
            filler = fill(small_disk)
            # the log's last page may still take a few lines: each one taken is durable
            # (its line fsynced; the checkpoint waits, docs/architecture.md), then refusal
            version = 1
            for action in itertools.islice(itertools.cycle(["pause", "resume"]), 100):
                if server.command(action)[0] != 200:
                    break
                version += 1
                assert (await recv_json(viewer))["version"] == version
            assert_refused_and_unchanged(server, version, action)
            async with websockets.connect(server.ws_url) as late:  # viewers still served
                assert (await recv_json(late))["version"] == version
            filler.unlink()
            status, body = server.command(action)
            assert status == 200 and body["version"] == version + 1
            assert (await recv_json(viewer))["version"] == version + 1
            action = "resume" if action == "pause" else "pause"

            subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
            try:
                assert_refused_and_unchanged(server, version + 1, action)
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
            assert server.command(action)[0] == 200
            assert (await recv_json(viewer))["version"] == version + 2
        assert server.request("GET", "/healthz")[1]["status"] == "ok"
        assert [r["version"] for r in log_records(server)] == list(range(version + 3))
        assert checkpointed(server, version + 2)["version"] == version + 2
    finally:
        server.kill()


def test_room_dir_replaced_by_a_file_refuses_then_recovers(server: Server, tmp_path: Path) -> None:
    """Works without mount rights: the room's directory stops being one."""
    assert server.command("start_session", session_id="session-1")[0] == 200
    folder = room_dir(server)
    aside = tmp_path / "room-aside"
    folder.rename(aside)
    folder.write_text("not a directory")
    status, body = server.command("pause")
    assert status == 503 and body["error"]["code"] == "unavailable"
    assert str(folder) in body["error"]["message"]
    assert server.state()["version"] == 1
    folder.unlink()
    shutil.move(aside, folder)
    assert [r["version"] for r in log_records(server)] == [0, 1]
    assert server.command("pause")[0] == 200
    assert checkpointed(server, 2)["version"] == 2  # once the room is idle


def test_port_in_use_is_one_line_not_a_traceback(server: Server, tmp_path: Path) -> None:
    result = podium(
        "serve", "--port", str(server.port), "--data-dir", str(tmp_path / "other"), timeout=30
    )
    assert result.returncode == 2
    assert "cannot serve on" in result.stderr and "Traceback" not in result.stderr
    assert json.loads((room_dir(server) / "state.json").read_text())["version"] == 0


# -- a Redis that stops answering -------------------------------------------------------


def hung_redis_run(where: Path, redis: RedisServer, store_timeout: float = 1.0) -> dict[str, Any]:
    """SIGSTOP Redis and send ``add_time`` with a command_id: the answer is 503
    ``outcome_unknown`` within the bound and /healthz says degraded. SIGCONT, retry with
    the same id: the first result, applied once. Returns what was seen, for the probe."""
    redis.require_private()
    assert redis.proc is not None
    args = ["--redis", redis.url, "--store-timeout", str(store_timeout)]
    server = Server(data_dir=where / "data", extra_args=args).start()
    try:
        assert server.command("start_session", session_id="session-1")[0] == 200
        command = {"seconds": 10, "expected_version": 1, "command_id": "probe-add-10"}
        redis.proc.send_signal(signal.SIGSTOP)
        try:
            started = time.monotonic()
            status, body = server.command("add_time", **command)
            answered_s = time.monotonic() - started
            health = server.request("GET", "/healthz")[1]
            metrics = server.request("GET", "/metrics", token=server.token)[1]
        finally:
            redis.proc.send_signal(signal.SIGCONT)
        retries = 0
        while True:  # the first change may still be landing: "unavailable" until it has
            retries += 1
            retry_status, retry = server.command("add_time", **command)
            if retry_status != 503 or retries == 20:
                break
            time.sleep(0.25)
        records = asyncio.run(stored_log_and_version(server, redis.url))[0]
        return {
            "status": status,
            "error": body.get("error", {}),
            "answered_s": round(answered_s, 2),
            "health": health["status"],
            "store_up_metric": 0 if b'podium_store_up{store="redis"} 0.0' in metrics else 1,
            "health_after": server.request("GET", "/healthz")[1]["status"],
            "retry_status": retry_status,
            "retries": retries,
            "retry": retry.get("repeated") or retry.get("error"),
            "applied": [r["command"].get("command_id") for r in records].count("probe-add-10"),
            "version": server.state()["version"],
        }
    finally:
        server.kill()


def test_a_hung_redis_answers_outcome_unknown_and_a_retry_applies_once(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    seen = hung_redis_run(tmp_path, redis_server)
    assert seen["status"] == 503 and seen["error"]["code"] == "outcome_unknown", seen
    assert seen["error"]["version"] == 2
    assert "may have been made" in seen["error"]["message"]
    assert seen["health"] == "degraded" and seen["store_up_metric"] == 0
    assert seen["retry_status"] == 200, seen
    assert seen["retry"] == {"command_id": "probe-add-10", "version": 2}
    assert seen["applied"] == 1 and seen["version"] == 2
    assert seen["health_after"] == "ok"


def _reading(server: Server) -> dict[str, Any]:
    """What a balancer and a monitor see of one process now."""
    ready = server.request("GET", "/readyz")[0]
    at = time.monotonic()  # when /readyz answered (the others follow within milliseconds)
    health = server.request("GET", "/healthz")[1]["status"]
    metrics = server.request("GET", "/metrics")[1]
    up = 0 if b'podium_store_up{store="redis"} 0.0' in metrics else 1
    return {"readyz": ready, "healthz": health, "store_up": up, "at": at}


def _first(readings: list[dict[str, Any]], since: float, test: Any) -> float | None:
    """Seconds from ``since`` to the first reading that passes ``test``."""
    return next((round(r["at"] - since, 2) for r in readings if test(r)), None)


def idle_hang_run(
    where: Path, redis: RedisServer, hang_s: float = 5.0, every_s: float = 0.25
) -> dict[str, Any]:
    """Two processes on one Redis, no command at all: SIGSTOP redis-server for ``hang_s``,
    then SIGCONT. Every ``every_s`` read each process's /readyz, /healthz and
    ``podium_store_up``. Returns when each turned (503, degraded, 0) after the stop and
    back (200, ok, 1) after the continue, and the readings that said healthy during the
    hang, for the probe."""
    redis.require_private()
    assert redis.proc is not None
    args = ["--redis", redis.url, "--redis-prefix", redis.prefix]
    servers = [Server(data_dir=where / f"data-{i}", extra_args=args).start() for i in range(2)]
    try:
        before = [_reading(s) for s in servers]
        redis.proc.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        during: list[list[dict[str, Any]]] = [[] for _ in servers]
        try:
            while time.monotonic() < stopped + hang_s:
                for server, readings in zip(servers, during, strict=True):
                    readings.append(_reading(server))
                time.sleep(every_s)
        finally:
            redis.proc.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        after: list[list[dict[str, Any]]] = [[] for _ in servers]
        while time.monotonic() < resumed + 10:
            for server, readings in zip(servers, after, strict=True):
                readings.append(_reading(server))
            if all(r[-1]["readyz"] == 200 and r[-1]["healthz"] == "ok" for r in after):
                break
            time.sleep(every_s)
        # and the very first command after it all works
        command = servers[0].command("start_session", session_id="session-1")[0]
    finally:
        for server in servers:
            server.kill()
    return {
        "hang_s": hang_s,
        "before": [(r["readyz"], r["healthz"], r["store_up"]) for r in before],
        "readyz_503_after_s": [_first(r, stopped, lambda x: x["readyz"] == 503) for r in during],
        "degraded_after_s": [_first(r, stopped, lambda x: x["healthz"] != "ok") for r in during],
        "store_up_0_after_s": [_first(r, stopped, lambda x: x["store_up"] == 0) for r in during],
        "readings_saying_ok": sum(x["healthz"] == "ok" for r in during for x in r),
        "readings_saying_ready": sum(x["readyz"] == 200 for r in during for x in r),
        "readings": sum(len(r) for r in during),
        "readyz_200_again_after_s": [
            _first(r, resumed, lambda x: x["readyz"] == 200) for r in after
        ],
        "ok_again_after_s": [
            _first(r, resumed, lambda x: x["healthz"] == "ok" and x["store_up"] == 1) for r in after
        ],
        "first_command": command,
    }


def test_a_hung_redis_with_no_command_in_flight_turns_readyz_503_on_every_process(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """Redis SIGSTOPped with nothing in flight: each process's own check sees it. /readyz
    turns 503, /healthz degraded and podium_store_up 0 within 3 s, on both processes; back
    to 200, ok and 1 within 3 s of SIGCONT; no command needed for either."""
    seen = idle_hang_run(tmp_path, redis_server, hang_s=5.0)
    assert seen["before"] == [(200, "ok", 1), (200, "ok", 1)], seen
    for key in ("readyz_503_after_s", "degraded_after_s", "store_up_0_after_s"):
        assert all(s is not None and s <= 3.0 for s in seen[key]), (key, seen)
    for key in ("readyz_200_again_after_s", "ok_again_after_s"):
        assert all(s is not None and s <= 3.0 for s in seen[key]), (key, seen)
    assert seen["first_command"] == 200, seen
