"""Health from the active check, in process (aiohttp's test server over a real file store):
``/readyz`` follows the store's pings with no command, says 503 from the start of a
shutdown, and tells a stranger to a private event no more than ready or not. The hung
Redis case runs on real processes in ``test_faults.py``."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from podium.core.config.programme_file import load
from podium.live.access.auth import Tokens
from podium.live.access.keeper import FileKeeper
from podium.live.http import assets
from podium.live.http.app import create_app
from podium.live.rooms.room import Room
from podium.store.files import FileStore
from tests.helpers import SEED

BOUND_S = 3.0  # the issue's: 503 within 3 s of the fault, 200 within 3 s of the mend


@pytest.fixture
async def served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    async def serve(viewer_token: str | None = None) -> TestClient:
        if viewer_token:
            monkeypatch.setenv("PODIUM_VIEWER_TOKEN", viewer_token)
        store = FileStore(tmp_path / "data")
        await store.open()
        room = Room(load(SEED), store)
        await room.open()
        web_files = assets.prepare(tmp_path / "web.cache")
        app = create_app([room], Tokens.load(FileKeeper(tmp_path / "data")), web_files)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client

    yield serve
    for client in clients:
        await client.close()


async def readiness(client: TestClient) -> tuple[int, dict[str, object]]:
    async with client.get("/readyz") as answer:
        return answer.status, await answer.json()


async def until_status(client: TestClient, status: int) -> float:
    started = time.monotonic()
    while (await readiness(client))[0] != status:
        assert time.monotonic() - started < 10, f"/readyz never answered {status}"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_readyz_follows_the_data_dir_with_no_command(
    served: Callable[..., TestClient], tmp_path: Path
) -> None:
    """The file store's ping writes in the data dir: a data dir that stops being one
    turns /readyz 503 and /healthz degraded within 3 s, and back when it is mended."""
    client = await served()
    assert await readiness(client) == (200, {"ready": True})
    async with client.get("/healthz") as answer:
        health = await answer.json()
    assert health["ready"] is True and health["store"]["ping"]["failure"] is None
    data = tmp_path / "data"
    data.rename(tmp_path / "aside")
    data.write_text("not a directory")
    try:
        assert await until_status(client, 503) <= BOUND_S
        assert "cannot write to" in str((await readiness(client))[1]["why"])
        async with client.get("/healthz") as answer:
            health = await answer.json()
        assert health["status"] == "degraded" and health["ready"] is False
        assert "cannot write to" in health["store"]["detail"]
    finally:
        data.unlink()
        shutil.move(tmp_path / "aside", data)
    assert await until_status(client, 200) <= BOUND_S
    async with client.get("/healthz") as answer:
        assert (await answer.json())["status"] == "ok"


async def test_readyz_is_503_from_the_start_of_a_shutdown(
    served: Callable[..., TestClient],
) -> None:
    client = await served()
    assert (await readiness(client))[0] == 200
    app: web.Application = client.server.app
    await app.shutdown()  # what SIGTERM starts; the process still answers meanwhile
    status, body = await readiness(client)
    assert status == 503 and body == {"ready": False, "why": "the process is shutting down"}


async def test_a_private_event_tells_a_stranger_only_whether_it_is_ready(
    served: Callable[..., TestClient], tmp_path: Path
) -> None:
    client = await served(viewer_token="viewer-secret-0123456789abcdef")
    app: web.Application = client.server.app
    await app.shutdown()
    assert await readiness(client) == (503, {"ready": False})
    async with client.get("/readyz", headers={"Authorization": "Bearer wrong"}) as answer:
        assert (answer.status, await answer.json()) == (503, {"ready": False})
