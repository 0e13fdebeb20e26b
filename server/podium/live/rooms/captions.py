"""The live captions of one room: a captioner's lines (``POST /api/captions`` or a
``caption`` message on its WebSocket), kept and pushed to every client.

A line is checked, stamped with the server's time and who is on (the live session and
speaker), made durable when it is final (an interim line is replaced by the next one and
only pushed), and then acknowledged and pushed: encoded once, the same frame to every
connection of the room that may read it (a private event's captions are as private as its
state). The push waits while a timer change is applied or pushed (``Room.quiet``), so a
flood of lines never stands in a command's way; lines are limited per token before they
get here (``--limit-captions``: over it, 429).

With a shared store (Redis), each process tells the others the lines it took
(``Store.tell``), and each pushes those to its own clients; a line told while Redis is
away is not pushed there (it is kept all the same, and in the WebVTT export).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator, Coroutine

from pydantic import ValidationError

from podium.core.captions import Caption, checked_final, checked_lang, checked_text
from podium.core.errors import NotFound, Unavailable
from podium.core.state import Phase
from podium.core.wire.protocol import encode
from podium.live.rooms.hub import Change
from podium.live.rooms.room import Room
from podium.runtime.frames import text_frame

log = logging.getLogger("podium.live.captions")

TOPIC = "captions"


class CaptionBook:
    """One room's captions: taken, kept, pushed, and read back for the WebVTT export."""

    def __init__(self, room: Room, process: str) -> None:
        self.room = room
        self.process = process
        self._tasks: set[asyncio.Task[None]] = set()

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Push the lines other processes take, when the store is shared."""
        told = self.room.store.told(self.room.id, TOPIC)
        if told is not None:
            self._background(self._follow(told))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _background(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _follow(self, told: AsyncIterator[str]) -> None:
        async for data in told:
            try:
                message = json.loads(data)
                caption = Caption.model_validate(message["caption"])
            except (ValueError, KeyError, TypeError, ValidationError):
                log.warning("%s: a caption notice that is not one: %.80s", self.room.id, data)
                continue
            if message.get("process") != self.process:
                await self._push(caption)

    # -- taking a line ----------------------------------------------------------------------

    def _on_now(self) -> tuple[str | None, str | None]:
        """The session and speaker live now (``None`` between sessions)."""
        live = self.room.state.live
        if live.phase is not Phase.LIVE or live.session_id is None:
            return None, None
        session = self.room.programme.session(live.session_id)
        index = live.speaker_index
        if session is None or index is None or index >= len(session.speakers):
            return live.session_id, None
        return live.session_id, session.speakers[index].id

    async def add(self, text: object, lang: object, final: object) -> Caption:
        """A line, checked, kept when final, then pushed; the line as kept. (Its sender's
        limit is checked before, in ``live/http``: ``Policy.limit_captions``.)"""
        caption_text, caption_lang = checked_text(text), checked_lang(lang)
        is_final = checked_final(final)
        session_id, speaker_id = self._on_now()
        caption = Caption(
            id=secrets.token_urlsafe(9),
            text=caption_text,
            lang=caption_lang,
            final=is_final,
            at=self.room.clock(),
            session_id=session_id,
            speaker_id=speaker_id,
        )
        if caption.final:
            await self._keep(caption)
        await self._push(caption)
        notice = encode({"process": self.process, "caption": caption.model_dump()})
        self._background(self.room.store.tell(self.room.id, TOPIC, notice))
        return caption

    async def _keep(self, caption: Caption) -> None:
        store, bound = self.room.store, self.room.store_timeout
        try:
            async with asyncio.timeout(bound):
                await store.add_caption(self.room.id, caption)
        except TimeoutError:
            raise Unavailable(
                f"the {store.name} store did not answer within {bound:g} s; the line may not"
                " be kept or shown. Send it again if it matters"
            ) from None

    async def _push(self, caption: Caption) -> None:
        """The line to every client of this process, once no timer change is under way."""
        await self.room.quiet()
        self.room.hub.publish(Change.same(text_frame(encode(caption.wire()))), state=False)

    # -- reading ----------------------------------------------------------------------------

    async def of_session(self, session_id: str) -> tuple[list[Caption], int, str]:
        """The session's lines as kept, when it started (what WebVTT is timed from) and
        its title."""
        session = self.room.programme.session(session_id)
        if session is None:
            raise NotFound(f"no session {session_id!r}; see GET /api/programme")
        run = self.room.state.live.sessions.get(session_id)
        if run is None:
            raise NotFound(
                f"session {session_id!r} has not started, so it has no captions; its captions"
                " are timed from its start"
            )
        kept = await self.kept()
        return [c for c in kept if c.session_id == session_id], run.started_at, session.title

    async def kept(self) -> list[Caption]:
        store, bound = self.room.store, self.room.store_timeout
        try:
            async with asyncio.timeout(bound):
                return await store.load_captions(self.room.id)
        except TimeoutError:
            raise Unavailable(
                f"the {store.name} store did not answer within {bound:g} s; try again"
            ) from None
