"""How one room's questions reach its clients: gathered, encoded once per audience and
written with the hub's role filter (``QuestionPush``).

Moderators and question assistants (roles in ``PRIVILEGED``) get every change within
``PUSH_EVERY_S``; everyone else (``AUDIENCE``) the public list's changes every
``public_every`` seconds, trickled to them a slice at a time; the connection that asked a
question gets its own question's changes. ``QuestionBook`` decides what changed; this
module only sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from podium.core.questions import Question
from podium.core.wire.protocol import encode
from podium.live.rooms.hub import Client
from podium.live.rooms.room import Room
from podium.runtime.frames import text_frame

PRIVILEGED = frozenset({"moderator", "questions"})  # roles that see every question
AUDIENCE = frozenset({"viewer", "speaker", "screen"})  # roles that see the public list
PUSH_EVERY_S = 0.25  # moderators, assistants and askers: changes gathered this long
PUBLIC_EVERY_S = 1.0  # everyone else: at most a frame a second (votes add up in it) ...
PUBLIC_FRAMES_PER_S = 2_500  # ... and at most this many frames a second to all of them
SLICE = 250  # the public frame is written to this many clients at a time (see _spread) ...
PUBLIC_SHARE = 0.1  # ... taking at most this share of the loop's time while it is written


def public_every(audience: int) -> float:
    """Seconds between two public frames to ``audience`` clients: one a second, and for a
    larger audience as long as keeps the frames under ``PUBLIC_FRAMES_PER_S`` (at 10,000
    viewers, one every 4 s). Each frame goes to every viewer: at 10,000 a storm's vote
    counts, ~3 KB, would be 30 MB a second to write, send and read, a share of the CPU the
    timer's changes need and of the venue's uplink. Others' votes show a little later;
    a voter sees their own count at once (the ``voted`` answer), the timer no later."""
    return max(PUBLIC_EVERY_S, audience / PUBLIC_FRAMES_PER_S)


class QuestionPush:
    """The frames of one room's question changes, and the clients they go to."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self._owners: dict[str, set[Client]] = {}  # question id -> the asker's connections
        self._owned: dict[Client, set[str]] = {}  # and back
        self._changed: dict[str, Question] = {}  # since the last push
        self._changed_public: dict[str, Question] = {}  # since the last public push
        self._public: dict[str, Question] = {}  # the public list, as last pushed
        self._push_at: asyncio.TimerHandle | None = None
        self._public_at: asyncio.TimerHandle | None = None
        self._spreading: asyncio.Task[None] | None = None  # the public frame being written

    def start(self, questions: list[Question]) -> None:
        """The public list as the clients already have it (from ``GET`` or a snapshot)."""
        self._public = {q.id: q for q in questions if q.public}

    async def close(self) -> None:
        for timer in (self._push_at, self._public_at):
            if timer is not None:
                timer.cancel()
        if self._spreading is not None:
            self._spreading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._spreading

    def changed(self, question: Question) -> None:
        """Push ``question``, as the book now holds it, soon."""
        self._changed[question.id] = self._changed_public[question.id] = question
        loop = asyncio.get_running_loop()
        if self._push_at is None:
            self._push_at = loop.call_later(PUSH_EVERY_S, self._push)
        if self._public_at is None:
            self._public_at = loop.call_later(self._public_every(), self._push_public)

    def _public_every(self) -> float:
        return public_every(self.room.hub.count(AUDIENCE))

    def _frame(self, questions: list[Question], **more: object) -> bytes:
        body = [q.wire() for q in questions]
        message = {"type": "questions", "room": self.room.id, **more}
        return text_frame(encode({**message, "questions": body}))

    def _push(self) -> None:
        """Every change to the moderators and assistants, and each asker's own."""
        self._push_at = None
        changed, self._changed = list(self._changed.values()), {}
        self.room.hub.publish_to(self._frame(changed), PRIVILEGED)
        for question in changed:
            owners = self._owners.get(question.id)
            if owners:
                frame = self._frame([question], mine=True)
                for client in owners:
                    if not client.transport.is_closing():
                        client.transport.write(frame)

    def _push_public(self) -> None:
        """The public list's changes to everyone else: approved and answered questions,
        ``votes`` alone for those whose votes alone changed (in a storm, nearly all: the
        frame every viewer gets stays small), ``removed`` for those no longer public."""
        self._public_at = None
        if self._spreading is not None and not self._spreading.done():
            # the last frame is still being written: this one waits its turn, in order
            self._public_at = asyncio.get_running_loop().call_later(
                self._public_every(), self._push_public
            )
            return
        changed, self._changed_public = list(self._changed_public.values()), {}
        shown: list[Question] = []
        votes: dict[str, int] = {}
        gone = [q.id for q in changed if not q.public and self._public.pop(q.id, None) is not None]
        for question in (q for q in changed if q.public):
            before = self._public.get(question.id)
            if before is not None and before.status == question.status:
                votes[question.id] = question.votes
            else:
                shown.append(question)
            self._public[question.id] = question
        if shown or gone or votes:
            more = {"removed": gone} | ({"votes": votes} if votes else {})
            self._spreading = asyncio.create_task(self._spread(self._frame(shown, **more)))

    async def _spread(self, frame: bytes) -> None:
        """Write the public frame to every viewer a slice at a time, never while a timer
        change is on its way (``Room.quiet``: a command that arrives is read, applied and
        pushed first), and trickled: after each slice it waits long enough that the writes
        take at most ``PUBLIC_SHARE`` of the loop. At 10,000 viewers the writes take
        ~100 ms in all; at once, a timer change that came meanwhile would wait for them and
        then reach viewers busy reading this frame; trickled over a second, it meets a
        tenth of that. The next public frame waits for this one (``_push_public``)."""
        clients = self.room.hub.having(AUDIENCE)
        for start in range(0, len(clients), SLICE):
            await self.room.quiet()
            began = time.perf_counter()
            for client in clients[start : start + SLICE]:
                if not client.transport.is_closing():
                    client.transport.write(frame)
            spent = time.perf_counter() - began
            await asyncio.sleep(spent * (1 / PUBLIC_SHARE - 1))

    def own(self, client: Client, mine: list[Question]) -> None:
        """``client`` asked these: it gets their changes, and now them."""
        for question in mine:
            self._owners.setdefault(question.id, set()).add(client)
            self._owned.setdefault(client, set()).add(question.id)
        if mine and not client.transport.is_closing():
            client.transport.write(self._frame(mine, mine=True))

    def left(self, client: Client) -> None:
        for question_id in self._owned.pop(client, ()):
            owners = self._owners[question_id]
            owners.discard(client)
            if not owners:
                del self._owners[question_id]
