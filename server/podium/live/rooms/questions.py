"""The audience's questions of one room: kept in the store, held in memory, pushed to two
audiences (plus each asker).

Moderators and question assistants (roles ``moderator`` and ``questions``) get every
question; everyone else only approved and answered ones, with their votes. Changes are
gathered and then encoded once per audience, never per client (``question_push``): a storm
of 10,000 votes is a few frames a second, not one per vote. The connection that asked a
question (or named it with ``mine``) gets its own question's changes, pending and
dismissed included. Asking and voting wait while a
timer change is applied or pushed (``Room.quiet``), so a storm never stands in its way.

``show_question`` names a question; ``prepare`` fills in its text and name before the
room applies it, so the log keeps them and a replay needs nothing else. A question that is
no longer public (dismissed) never stays on the screens: when one on screen is dismissed
(here or on another process), the book takes it down with ``clear_question`` (actor
``system``, a versioned and logged change), and ``prepare`` makes ``undo`` leave it off
(``Undo.hide_question``) and refuses ``show_question`` for it, reading the store.

Every write is bounded by the room's store timeout: unanswered by then it may still land
(the call goes on, and what it made is taken when it answers) and the answer is
``outcome_unknown``; a write that comes while an earlier one is unanswered waits for it
(within the bound), else it is refused ``unavailable`` without being sent. Asks, votes and
moves may carry a ``command_id``, which the store remembers: a retry gets the first
one's result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from podium.core.commands import SYSTEM, ClearQuestion, Command, ShowQuestion, Undo
from podium.core.config.programme import QuestionSettings
from podium.core.errors import (
    Closed,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    OutcomeUnknown,
    PodiumError,
    Unavailable,
)
from podium.core.questions import (
    Question,
    Status,
    checked_command_id,
    checked_name,
    checked_origin,
    checked_question_id,
    checked_text,
    next_status,
    no_such_question,
    own_question,
    ranked,
    repeated,
)
from podium.core.state import Phase, State
from podium.live.rooms.hub import Client
from podium.live.rooms.question_push import QuestionPush
from podium.live.rooms.room import Room

log = logging.getLogger("podium.live.questions")

T = TypeVar("T")


def _key(question: Question) -> tuple[int, int]:
    """Later changes sort higher: a status change sets ``changed_at``; votes only grow."""
    return question.changed_at, question.votes


class QuestionBook:
    """One room's questions and the clients they go to."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self.questions: dict[str, Question] = {}
        self.push = QuestionPush(room)
        self._follower: asyncio.Task[None] | None = None
        self._unanswered: set[asyncio.Future[Any]] = set()  # writes past the store timeout
        self._taking_down: dict[str, asyncio.Task[None]] = {}  # question id -> its take-down

    @property
    def settings(self) -> QuestionSettings:
        return self.room.programme.questions

    # -- life cycle -------------------------------------------------------------------------

    async def open(self) -> None:
        for question in await self.room.store.load_questions(self.room.id):
            self.questions[question.id] = question
        self.push.start(list(self.questions.values()))
        follow = self.room.store.question_changes(self.room.id)
        if follow is not None:
            self._follower = asyncio.create_task(self._follow(follow))
        self.room.state_observers.append(self._shown)
        self._shown(self.room.state)

    async def close(self) -> None:
        await self.push.close()
        for task in (self._follower, *self._taking_down.values()):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _follow(self, changes: AsyncIterator[list[Question]]) -> None:
        async for questions in changes:
            for question in questions:
                self.changed(question)

    # -- reading ----------------------------------------------------------------------------

    def listed(
        self, privileged: bool, session_id: str | None = None, status: str | None = None
    ) -> list[Question]:
        """Most voted, then newest first; without ``privileged`` only the public ones."""
        return ranked(
            [
                q
                for q in self.questions.values()
                if (privileged or q.public)
                and session_id in (None, q.session_id)
                and status in (None, q.status)
            ]
        )

    # -- writing ----------------------------------------------------------------------------

    async def _read(self, call: Awaitable[T]) -> T:
        """A store call that changes nothing, bounded by the store timeout."""
        try:
            async with asyncio.timeout(self.room.store_timeout):  # no task, unlike wait_for
                return await call
        except TimeoutError:
            raise Unavailable(
                f"the {self.room.store.name} store did not answer within"
                f" {self.room.store_timeout:g} s; nothing was changed. Try again in a few seconds"
            ) from None

    async def _write(self, call: Awaitable[T]) -> T:
        """A write, bounded by the store timeout: ``OutcomeUnknown`` when it was sent and
        not answered in time (it goes on, and what it made is taken when it answers);
        ``Unavailable`` when an earlier write is still unanswered after waiting for it
        within the bound (this one was not sent)."""
        timeout = self.room.store_timeout
        name = self.room.store.name
        if self._unanswered:
            _, pending = await asyncio.wait(set(self._unanswered), timeout=timeout)
            if pending:
                raise Unavailable(
                    f"the {name} store has not answered a change sent more than"
                    f" {timeout:g} s ago; this one was not sent, nothing was changed. Try"
                    " again in a few seconds"
                )
        task = asyncio.ensure_future(call)
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(task)
        except TimeoutError:
            self._unanswered.add(task)
            task.add_done_callback(self._landed)
            raise OutcomeUnknown(
                f"the {name} store did not answer within {timeout:g} s after the change"
                " was sent: it may have been made. Send it again with the same command_id"
                " (the pages do): it is made at most once"
            ) from None

    def _landed(self, task: asyncio.Future[Any]) -> None:
        """A write that answered after its bound: take what it made (a question, or a
        vote's question), or log that it failed."""
        self._unanswered.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.warning("%s: a question write answered late: %s", self.room.id, exc)
            return
        result = task.result()
        if isinstance(result, Question):
            log.warning("%s: the store answered late; question %s kept", self.room.id, result.id)
            self.changed(result)

    async def _find(self, question_id: str) -> Question:
        """The question, from memory, else from the store: another process may have taken
        it moments ago and its notice not be here yet."""
        question = self.questions.get(question_id)
        if question is None:
            question = await self._stored(question_id)
            if question is None:
                raise no_such_question(question_id)
        return question

    async def _stored(self, question_id: str) -> Question | None:
        """The question as the store holds it now (taken into memory), else ``None``."""
        question = await self._read(self.room.store.get_question(self.room.id, question_id))
        if question is not None:
            self.changed(question)
        return question

    def _session_for(self, session_id: object) -> str | None:
        """The session asked: the one named, else the live one, else the next not run."""
        programme = self.room.programme
        if session_id is not None:
            if not isinstance(session_id, str) or programme.session(session_id) is None:
                raise InvalidInput(f"no session {session_id!r}; see GET /api/programme")
            return session_id
        live = self.room.state.live
        if live.phase is Phase.LIVE and live.session_id is not None:
            return live.session_id
        return next((s.id for s in programme.sessions if s.id not in live.sessions), None)

    async def ask(
        self,
        text: object,
        name: object = None,
        session_id: object = None,
        asker: str = "",
        command_id: object = None,
        origin: object = None,
    ) -> tuple[Question, bool]:
        """The question asked, and whether it is a repeat (its ``command_id`` asked it
        before: the first one's question, nothing stored). ``asker``: the random part of
        the asker's voter id, so they cannot vote for it; ``origin``: ``"room"`` when
        asked from the venue screen's link, else ``"remote"``."""
        settings = self.settings
        if not settings.enabled:
            raise Forbidden("questions are turned off for this event ([questions] enabled = false)")
        if self.room.state.live.phase is Phase.FINISHED:
            raise Closed("asking is closed: the programme has finished and takes no more questions")
        command_id = checked_command_id(command_id)
        question = Question(
            id=secrets.token_urlsafe(12),
            text=checked_text(text, settings.max_length),
            name=checked_name(name),
            session_id=self._session_for(session_id),
            status="pending" if settings.moderated else "approved",
            asked_at=self.room.clock(),
            asker=asker,
            origin=checked_origin(origin),
        )
        await self.room.quiet()
        store = self.room.store
        stored = await self._write(store.add_question(self.room.id, question, command_id))
        await self.room.quiet()
        self.changed(stored)
        if stored.id == question.id:
            return stored, False
        if (stored.text, stored.name) != (question.text, question.name):
            raise InvalidInput(
                "this command_id was used for another question; a retry sends the same"
                " question again, a new question needs a new command_id"
            )
        return stored, True

    async def moderate(self, question_id: str, action: str, command_id: object = None) -> Question:
        """The question after ``action`` (for a repeated ``command_id``, as it is now).
        A question on screen that is no longer public is taken down before this returns."""
        command_id = checked_command_id(command_id)
        store = self.room.store
        question = await self._find(question_id)
        try:
            status: Status = next_status(question, action, self.settings.moderated)
        except InvalidTransition:  # a retry whose first try was made: its result
            done = None
            if command_id is not None:
                done = await self._read(store.question_done(self.room.id, command_id))
            if done is None:
                raise
            return await self._find(repeated(done, "status", question_id).id)
        changed = await self._write(
            store.set_question_status(
                self.room.id, question_id, question.status, status, self.room.clock(), command_id
            )
        )
        self.changed(changed)
        taking_down = self._taking_down.get(question_id)
        if taking_down is not None:
            await asyncio.shield(taking_down)
        return changed

    async def vote(
        self, question_id: str, voter: str, command_id: object = None
    ) -> tuple[Question, bool]:
        """The question after ``voter``'s vote (the random part of their voter id), and
        whether it was counted (not before; for a repeated ``command_id``, the first's)."""
        command_id = checked_command_id(command_id)
        question = await self._find(checked_question_id(question_id))
        if question.asker and question.asker == voter:
            raise own_question()
        await self.room.quiet()  # the timer's changes first: before the write, and the ack
        store = self.room.store
        counted = await self._write(store.vote(self.room.id, question_id, voter, command_id))
        await self.room.quiet()
        if counted is None:
            return self.questions.get(question_id, question), False
        self.changed(counted)
        return counted, True

    async def prepare(self, command: Command, state: State) -> Command:
        """Before ``command`` is applied to ``state`` (``Room.prepare``, under the room's
        lock): ``show_question`` gets the question's text and name, from the store (only
        a public one goes on screen); ``undo`` names the question its state would bring
        back if that one is no longer public, and the engine leaves it off."""
        if isinstance(command, ShowQuestion):
            question = await self._stored(command.question_id)
            if question is None or not question.public:
                what = "not known" if question is None else question.status
                raise InvalidTransition(
                    f"question {command.question_id!r} is {what}; only approved or answered"
                    " questions go on screen"
                )
            return command.model_copy(update={"text": question.text, "name": question.name})
        if isinstance(command, Undo):
            back = state.undo[-1].question if state.undo else None
            hide = None
            if back is not None:
                question = await self._stored(back.id)
                hide = back.id if question is None or not question.public else None
            return command.model_copy(update={"hide_question": hide})
        return command

    def _shown(self, state: State) -> None:
        """Each state a room adopts: a question on screen that is no longer public (it was
        dismissed meanwhile, here or on another process) is taken down."""
        shown = state.live.question
        if shown is None or shown.id in self._taking_down:
            return
        question = self.questions.get(shown.id)
        if question is not None and not question.public:
            self._take_down(shown.id)

    def _take_down(self, question_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._clear(question_id))
        self._taking_down[question_id] = task
        task.add_done_callback(lambda _: self._taking_down.pop(question_id, None))

    async def _clear(self, question_id: str) -> None:
        """``clear_question`` for this question only, as the server (actor ``system``)."""
        command = ClearQuestion(action="clear_question", question_id=question_id)
        try:
            await self.room.execute(command, actor=SYSTEM)
        except (InvalidTransition, Conflict):  # not on screen any more: nothing to do
            pass
        except PodiumError as exc:  # the next state the room adopts tries again
            log.warning("%s: could not take question %s off the screens: %s", self.room.id,
                        question_id, exc.message)  # fmt: skip

    # -- pushing ----------------------------------------------------------------------------

    def changed(self, question: Question) -> None:
        """Take a question as it is now (ours, or another process's) and push it soon."""
        known = self.questions.get(question.id)
        if known is not None and (known == question or _key(question) < _key(known)):
            return
        self.questions[question.id] = question
        shown = self.room.state.live.question
        if not question.public and shown is not None and shown.id == question.id:
            self._shown(self.room.state)  # on screen and no longer public: take it down
        self.push.changed(question)

    def own(self, client: Client, ids: list[str]) -> None:
        """``client`` asked these (``ask``, ``mine``): it gets their changes, and now them."""
        self.push.own(client, [self.questions[i] for i in ids if i in self.questions])

    def left(self, client: Client) -> None:
        self.push.left(client)
