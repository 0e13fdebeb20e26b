"""What runs in the background for the app's life, each as an aiohttp ``cleanup_ctx``
(started before the app serves, stopped when it is cleaned up, in reverse order):
the store's active check, the automations, the speakers' readiness shared between
processes, the question books, the captions and the timer of each room that advances an
item that ends itself. ``create_app`` puts them on the app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from podium.live.http.request import (
    AUTOMATIONS,
    CAPTIONS,
    QUESTIONS,
    READINESS,
    ROOMS,
    STOPPING,
)
from podium.live.rooms.autoadvance import AutoAdvancer
from podium.live.rooms.health import PING_BOUND_S, keep_checking, ping_once
from podium.store.base import Pulse

SESSION = web.AppKey("automations_session", aiohttp.ClientSession)


async def checking(app: web.Application) -> AsyncIterator[None]:
    """The check, for the app's life: a first ping before it serves, then one a second."""
    room = next(iter(app[ROOMS].values()))
    store = room.store
    pulse = store.pulse = Pulse(bound_s=min(room.store_timeout, PING_BOUND_S))
    await ping_once(store, pulse)
    task = asyncio.create_task(keep_checking(store, pulse))
    yield
    app[STOPPING].set()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def stopping(app: web.Application) -> None:
    """First thing on shutdown: ``GET /readyz`` answers 503 from now on."""
    app[STOPPING].set()


async def automating(app: web.Application) -> AsyncIterator[None]:
    """Every room's automations that have targets, sending with one client session."""
    used = [a for a in app[AUTOMATIONS].values() if a.targets]
    if used:
        app[SESSION] = aiohttp.ClientSession(headers={"User-Agent": "podium-automations"})
        for room_automations in used:
            room_automations.start(app[SESSION])
    yield
    for room_automations in used:
        await room_automations.stop()
    if SESSION in app:
        await app[SESSION].close()


async def sharing_readiness(app: web.Application) -> AsyncIterator[None]:
    for readiness in app[READINESS].values():
        readiness.start()
    yield
    for readiness in app[READINESS].values():
        await readiness.stop()


async def keeping_questions(app: web.Application) -> AsyncIterator[None]:
    for book in app[QUESTIONS].values():
        await book.open()
    yield
    for book in app[QUESTIONS].values():
        await book.close()


async def captioning(app: web.Application) -> AsyncIterator[None]:
    """Each room's captions: the lines other processes take, pushed here too."""
    for book in app[CAPTIONS].values():
        book.start()
    yield
    for book in app[CAPTIONS].values():
        await book.stop()


async def advancing(app: web.Application) -> AsyncIterator[None]:
    """Each room's timer for an item that ends itself; stopped letting an advance under
    way finish."""
    advancers = [AutoAdvancer(room) for room in app[ROOMS].values()]
    yield
    for advancer in advancers:
        await advancer.stop()
