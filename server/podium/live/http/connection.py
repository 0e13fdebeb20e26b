"""One WebSocket client (``/ws``, served by ``websocket.py``): its role, its limits, the
answers to what it sends."""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

from aiohttp import WSCloseCode, web

from podium.core.commands import SendBoothSignal
from podium.core.errors import Forbidden, InvalidInput, PodiumError, RateLimited, Unauthorized
from podium.core.questions import checked_voter
from podium.core.wire.client import (
    AskIn,
    AuthIn,
    BoothSignalIn,
    CaptionIn,
    CommandIn,
    InvalidMessage,
    MineIn,
    PingIn,
    ReadyIn,
    VoteIn,
    parse_client,
)
from podium.core.wire.protocol import encode
from podium.live.access.auth import Tokens
from podium.live.access.policy import Policy
from podium.live.access.ratelimit import Bucket, PerKey
from podium.live.http.middleware import log_if_bug
from podium.live.rooms.captions import CaptionBook
from podium.live.rooms.hub import Client
from podium.live.rooms.questions import QuestionBook
from podium.live.rooms.readiness import Readiness
from podium.live.rooms.room import Room

log = logging.getLogger("podium.live.websocket")

_turns = itertools.count()


class Connection:
    """One WebSocket client: its role, its limits, and the answers to what it sends."""

    def __init__(
        self, ws: web.WebSocketResponse, room: Room, tokens: Tokens, policy: Policy, peer: str
    ) -> None:
        self.ws = ws
        self.transport: asyncio.WriteTransport | None = None  # set by the handler
        self.room = room
        self.tokens = tokens
        self.peer = peer
        self.role = "viewer"
        self.token: str | None = None  # the token it authenticated with, if any
        self.client: Client | None = None  # set once it may read (and gets pushes)
        self.speaker_id: str | None = None  # for a speaker's link: whose
        self.readiness: Readiness | None = None  # set by the handler: moderators and speakers
        self.questions: QuestionBook | None = None  # set by the handler
        self.captions: CaptionBook | None = None  # set by the handler
        self.policy = policy
        self.heard = True  # anything received (a pong, a message) since the last heartbeat
        self.have: int | None = None  # the version the client says it holds (``?have=``)
        self.full = False  # it asked for whole states (``?full=1``), not deltas
        self.turn = next(_turns)  # its slice of the rolling heartbeat: turn modulo turns
        now = asyncio.get_running_loop().time()
        self._messages = Bucket(policy.limits.messages, now)
        self._commands = Bucket(policy.limits.commands, now)
        self._asks = Bucket(policy.limits.questions, now)
        self._votes = Bucket(policy.limits.votes, now)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(encode(message))

    async def error(self, error: PodiumError, msg_id: str | int | None = None) -> None:
        await self.send({"type": "error", "id": msg_id, **error.to_dict()})

    def join(self, kind: str) -> None:
        """Start pushes: the snapshot (or ``current``: see ``Room.joining_frame``) now, then
        every change."""
        if self.client is None and self.transport is not None:
            self.client = Client(self.transport, kind, self.role, full=self.full)
            self.room.hub.add(self.client, self.room.joining_frame(self.have, self.full))

    def leave(self) -> None:
        if self.client is not None:
            self.room.hub.discard(self.client)
            if self.questions is not None:
                self.questions.left(self.client)
        if self.readiness is not None:
            self.readiness.left(self)

    def still_valid(self) -> bool:
        """After a token rotation: may this connection go on as it is?"""
        if self.token is None:
            return self.tokens.may_read(None)
        granted = self.tokens.role_of(self.token)
        return granted == "moderator" if self.role == "moderator" else granted is not None

    async def over_limit(self, bucket: Bucket, what: str) -> bool:
        """``True`` (after an error and a close) when this connection sends too much."""
        if bucket.take(asyncio.get_running_loop().time()):
            return False
        rate = bucket.rate
        await self.error(RateLimited(f"too many {what} (limit {rate}); reconnect and slow down"))
        await self.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"rate limited")
        return True

    async def handle_binary(self) -> None:
        if not await self.over_limit(self._messages, "messages"):
            await self.error(InvalidInput("binary frames are not understood; send JSON text"))

    async def handle(self, text: str, kind: str) -> None:
        if await self.over_limit(self._messages, "messages"):
            return
        try:
            message = parse_client(text)
        except InvalidMessage as exc:
            await self.error(exc, exc.msg_id)
            return
        if isinstance(message, PingIn):
            await self.send({"type": "pong", "t0": message.t0, "server_time": self.room.clock()})
            if self.readiness is not None:
                self.readiness.heard(self, message.rtt_ms)
        elif isinstance(message, ReadyIn):
            await self.ready(message)
        elif isinstance(message, AuthIn):
            await self.auth(message.token, kind)
        elif isinstance(message, AskIn):
            await self.ask(message)
        elif isinstance(message, VoteIn):
            await self.vote(message)
        elif isinstance(message, BoothSignalIn):
            await self.booth_signal(message)
        elif isinstance(message, CaptionIn):
            await self.caption(message)
        elif isinstance(message, MineIn):
            if self.questions is not None and self.client is not None:
                self.questions.own(self.client, message.ids)
        else:
            await self.command(message)

    async def auth(self, token: str, kind: str) -> None:
        role = self.tokens.role_of(token)
        if role is None:
            await self.error(Unauthorized("that token is not valid here; check it and try again"))
            return
        speaker = self.tokens.speaker_of(token) if role == "speaker" else None
        if speaker is not None and speaker[0] != self.room.id:
            await self.error(Forbidden(f"this speaker link is for {speaker[0]!r}; open it as sent"))
            return
        if self.readiness is not None:
            self.readiness.left(self)
        self.token = token
        self.role = "screen" if role == "viewer" and kind in ("screen", "overlay") else role
        self.speaker_id = speaker[1] if speaker else None
        whose = {"speaker_id": self.speaker_id} if speaker else {}
        await self.send({"type": "auth_ok", "role": self.role, **whose})
        if self.client is not None:
            self.room.hub.assign(self.client, self.role)
        self.join(kind)
        if self.readiness is not None:
            self.readiness.joined(self)

    async def ready(self, message: ReadyIn) -> None:
        """A speaker's "I'm ready" (or not), answered with an ``ack``."""
        try:
            if self.readiness is None:
                raise Forbidden("readiness is not kept here")
            self.readiness.said(self, message)
        except PodiumError as exc:
            await self.error(exc, message.id)
            return
        await self.send({"type": "ack", "id": message.id, "version": self.room.state.version})

    def _book(self, limit: PerKey, bucket: Bucket, what: str) -> tuple[QuestionBook, Client]:
        """The room's questions, for a connection that may use them and is within both
        limits: its address's (``--limit-questions``, ``--limit-votes``) and its own."""
        if self.questions is None or self.client is None:
            raise Forbidden("this event is private; authenticate with the viewer token first")
        allowed = self.policy.allow(limit, self.peer)
        if not allowed or not bucket.take(asyncio.get_running_loop().time()):
            raise RateLimited(f"too many {what} (limit {bucket.rate}); wait a minute and try again")
        return self.questions, self.client

    async def ask(self, message: AskIn) -> None:
        """A question from this connection, answered by ``ack`` with its id and status;
        the connection then gets its changes."""
        try:
            book, client = self._book(self.policy.questions, self._asks, "questions")
            asker = "" if message.voter is None else self._voter(message.voter)
            question, again = await book.ask(
                message.text, message.name, None, asker, message.command_id, message.origin
            )
        except PodiumError as exc:
            await self.error(exc, message.id)
            return
        asked = {"id": question.id, "status": question.status}
        ack = {"type": "ack", "id": message.id, "version": self.room.state.version}
        await self.send({**ack, "question": asked} | ({"repeated": True} if again else {}))
        book.own(client, [question.id])

    def _voter(self, voter: str) -> str:
        """The random part of a voter id this server issued; ``Forbidden`` for another."""
        return self.tokens.voter_subject(checked_voter(voter))

    async def vote(self, message: VoteIn) -> None:
        """A vote from this connection (the page's own, cheaper than a request per vote),
        answered by ``ack`` with the question's votes and whether this one counted."""
        try:
            book, _ = self._book(self.policy.votes, self._votes, "votes")
            voter = self._voter(message.voter)
            question, counted = await book.vote(message.question_id, voter, message.command_id)
        except PodiumError as exc:
            await self.error(exc, message.id)
            return
        voted = {"id": question.id, "votes": question.votes, "counted": counted}
        await self.send(
            {"type": "ack", "id": message.id, "version": self.room.state.version, "voted": voted}
        )

    async def booth_signal(self, message: BoothSignalIn) -> None:
        """The booth's signal to the speaker on stage, answered by ``ack`` with the version
        it made. Limited per token (every laptop in the booth shares it): a flood is
        refused at the door and never queues in front of the timer's commands."""
        try:
            if self.role not in ("interpreter", "moderator") or self.token is None:
                raise Forbidden(
                    "only the interpreters' booth sends booth signals; authenticate with the"
                    " interpreter token (the /booth link carries it)"
                )
            signals = self.policy.signals
            if not signals.allow(self.token):
                raise RateLimited(
                    f"too many booth signals (limit {signals.rate}); the last one still"
                    f" shows: wait {signals.wait_s(self.token):.0f} s before the next"
                )
            command = SendBoothSignal(action="booth_signal", signal=message.signal)
            done = await self.room.execute(command, actor=f"booth:{self.peer}")
        except PodiumError as exc:
            log_if_bug(exc, f"a WebSocket from {self.peer}")
            await self.error(exc, message.id)
            return
        await self.send({"type": "ack", "id": message.id, "version": done.version})

    async def caption(self, message: CaptionIn) -> None:
        """A caption line (the captioner's, or a moderator's), answered by ``ack`` with the
        line's id and time; every connection of the room then gets it."""
        try:
            if self.role not in ("captioner", "moderator") or self.captions is None:
                raise Forbidden(
                    "only the captioner and moderators send captions; authenticate with the"
                    " captioner token first"
                )
            self.policy.limit_captions(self.role)
            line = await self.captions.add(message.text, message.lang, message.final)
        except PodiumError as exc:
            await self.error(exc, message.id)
            return
        ack = {"type": "ack", "id": message.id, "version": self.room.state.version}
        await self.send({**ack, "caption": {"id": line.id, "at": line.at}})

    async def command(self, message: CommandIn) -> None:
        if self.role != "moderator":
            forbidden = Forbidden(
                "a speaker's link sends no commands; the moderator runs the room"
                if self.role == "speaker"
                else "only moderators send commands; authenticate first"
            )
            await self.error(forbidden, message.id)
            return
        if await self.over_limit(self._commands, "commands"):
            return
        try:
            done = await self.room.execute(message.command, actor=f"ws:{self.peer}")
        except PodiumError as exc:
            log_if_bug(exc, f"a WebSocket from {self.peer}")
            await self.error(exc, message.id)
            return
        ack = {"type": "ack", "id": message.id, "version": done.version}
        await self.send({**ack, "repeated": True} if done.repeated else ack)


CONNECTIONS = web.AppKey("connections", set[Connection])  # the open WebSockets (create_app)
