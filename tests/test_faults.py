"""Faults injected into the real server: SIGKILL mid-run, a crash between the log and the
checkpoint, torn and corrupt files, SIGTERM with commands in flight, a full or read-only
disk. Nothing acknowledged may be lost; nothing refused may leave a trace."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from tests.clients import (
    drive,
    log_records,
    moderator,
    room_dir,
    stored_state,
    timing,
    watch,
)
from tests.helpers import Server, recv_json
from tests.machine import ROOT_MOUNT

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


@pytest.mark.parametrize("store", ["files", "redis"])
async def test_sigkill_at_random_points_loses_nothing(
    tmp_path: Path, store: str, request: pytest.FixtureRequest, rng: random.Random
) -> None:
    """Kill points drawn from ``rng``: a failure names the seed that replays them."""
    redis_url = None
    args = list(HIGH_LIMITS)
    if store == "redis":
        redis_url = request.getfixturevalue("redis_server").url
        args += ["--redis", redis_url]
    server = Server(data_dir=tmp_path / "data", extra_args=args).start()
    acked: dict[int, dict] = {}
    seen: dict[int, dict] = {}
    try:
        for _round in range(3):
            ready = asyncio.Event()
            viewer = asyncio.create_task(watch(server, seen, ready))
            await ready.wait()
            async with moderator(server) as ws:
                driver = asyncio.create_task(drive(ws, acked))
                await asyncio.sleep(rng.uniform(0.05, 0.8))
                server.kill()
                await driver
            await viewer
            server.start()
            restarted = server.state()
            await check_nothing_lost(server, acked, seen, restarted, redis_url)
    finally:
        server.kill()
    print(f"{len(acked)} commands acknowledged over 3 kills ({store})")
    assert len(acked) > 10, "the run was too short to mean anything"


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
        result = subprocess.run(
            [sys.executable, "-m", "podium.cli", "serve", "--port", str(server.port),
             "--data-dir", str(server.data_dir)],
            capture_output=True, text=True, timeout=30,
            env={**os.environ, "PODIUM_MODERATOR_TOKEN": server.token},
        )  # fmt: skip
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
            assert_refused_and_unchanged(server, 1, "pause")
            async with websockets.connect(server.ws_url) as late:  # viewers still served
                assert (await recv_json(late))["version"] == 1
            filler.unlink()
            status, body = server.command("pause")
            assert status == 200 and body["version"] == 2
            assert (await recv_json(viewer))["version"] == 2

            subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
            try:
                assert_refused_and_unchanged(server, 2, "resume")
            finally:
                subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
            assert server.command("resume")[0] == 200
            assert (await recv_json(viewer))["version"] == 3
        assert server.request("GET", "/healthz")[1]["status"] == "ok"
        assert [r["version"] for r in log_records(server)] == [0, 1, 2, 3]
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
    assert stored_state(server)["version"] == 2


def test_port_in_use_is_one_line_not_a_traceback(server: Server, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "podium.cli", "serve", "--port", str(server.port),
         "--data-dir", str(tmp_path / "other")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot serve on" in result.stderr and "Traceback" not in result.stderr
    assert json.loads((room_dir(server) / "state.json").read_text())["version"] == 0
