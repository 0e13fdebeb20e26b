"""Questions from the remote audience: what one is, who may see it, and how a moderator
moves it along (``approve``, ``dismiss``, ``answer``, ``restore``). Pure: the live layer
keeps them (``live/rooms/questions.py``) and the stores make them durable.

A question stores only what the asker chose to show (the text and an optional name),
never their address or connection; and, when the page sent its issued voter id, that id's
random part (``asker``, never shown), so the asker cannot vote for their own question. Its
``id`` is 96 random bits, so knowing it is being its asker (or a moderator).

Asks, votes and moderation may carry a ``command_id`` (``checked_command_id``): a store
remembers the room's last ``COMMAND_IDS_KEPT`` of them with what each did (``Done``), and
answers a repeat with the first one's result, so a retry after ``outcome_unknown`` is
safe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from podium.core.errors import InvalidInput, InvalidTransition, NotFound

Status = Literal["pending", "approved", "dismissed", "answered"]
Origin = Literal["room", "remote"]  # room: from the link the venue screen shows (a QR code)
ORIGINS: tuple[Origin, ...] = ("room", "remote")
Action = Literal["approve", "dismiss", "answer", "restore"]
STATUSES: tuple[Status, ...] = ("pending", "approved", "dismissed", "answered")
PUBLIC: frozenset[str] = frozenset({"approved", "answered"})  # what anyone may see
VOTABLE: frozenset[str] = frozenset({"approved"})  # answered ones are done: no more votes
# the one set of limits of an ask and a vote, over HTTP and the WebSocket alike (the wire
# models in protocol.py document these and check only types); a question's text: the
# programme's ``[questions] max_length`` (``programme.QuestionSettings``)
NAME_MAX = 60
VOTER_MAX = 64
COMMAND_ID_MAX = 64
QUESTION_ID_MAX = 64  # ids are 16 characters (96 random bits); room to change that
COMMAND_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # as a command's (core/commands.py)
# categories that draw nothing: controls (NUL...), formats (zero-width, bidi controls, BOM),
# surrogates, private use, unassigned, separators (spaces), and combining marks alone
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
# letters and symbols that are blank all the same (Hangul fillers, the Braille blank)
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class Question(BaseModel):
    """One question as every store keeps it and every moderator sees it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    text: str
    name: str = ""
    session_id: str | None = None
    status: Status = "pending"
    votes: int = 0
    asked_at: int  # epoch ms
    changed_at: int = 0  # epoch ms of the last status change (0: never changed)
    asker: str = ""  # the asker's voter id's random part, when sent: never shown
    origin: Origin = "remote"  # "room": asked from the venue screen's link (/viewer?from=room)

    @property
    def public(self) -> bool:
        return self.status in PUBLIC

    def wire(self) -> dict[str, object]:
        """The fields ``GET /api/questions`` and the pushes carry."""
        return self.model_dump(exclude={"changed_at", "asker"})


Kind = Literal["ask", "status", "vote"]


class Done(BaseModel):
    """What a write with a ``command_id`` did, as a store remembers it: its kind, the
    question, and for a vote whether it counted."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    k: Kind
    id: str
    c: bool | None = None  # a vote: counted


def checked_origin(value: object) -> Origin:
    """Where a question comes from: ``"room"`` from the venue screen's link, else (or
    unsaid) ``"remote"``."""
    if value is None or value == "remote":
        return "remote"
    if value == "room":
        return "room"
    raise InvalidInput(
        'origin must be "room" (asked from the link the venue screen shows) or "remote"'
    )


def checked_command_id(value: object) -> str | None:
    """A client's name for an ask, a vote or a moderation (``None``: it gave none)."""
    if value is None:
        return None
    if not isinstance(value, str) or not COMMAND_ID.match(value):
        raise InvalidInput(
            f"command_id must be 1 to {COMMAND_ID_MAX} characters of A-Z a-z 0-9 . _ : -"
            " (a random id the client keeps for its retries)"
        )
    return value


def repeated(done: Done, kind: Kind, question_id: str | None) -> Done:
    """``done`` as the answer to a retry of a ``kind`` write (for ``question_id``);
    ``InvalidInput`` when the command id named another write."""
    if done.k != kind or (question_id is not None and done.id != question_id):
        what = {"ask": "a question", "status": "a moderation", "vote": "a vote"}[done.k]
        raise InvalidInput(
            f"this command_id was used for {what} of another question; a retry must send"
            " the same thing again, anything new needs a new command_id"
        )
    return done


def visible(text: str) -> bool:
    """Whether ``text`` draws anything: not only spaces, zero-width, bidi controls, NUL or
    other controls, combining marks alone, or blank letters."""
    return any(c not in BLANK and unicodedata.category(c) not in INVISIBLE_CATEGORIES for c in text)


def checked_text(text: object, max_length: int) -> str:
    """A question's text, stripped; a clear ``InvalidInput`` when empty or too long."""
    if not isinstance(text, str):
        raise InvalidInput("text must be a string: the question to ask")
    text = text.strip()
    if not text:
        raise InvalidInput("the question is empty; write what you want to ask")
    if not visible(text):
        raise InvalidInput(
            "the question has no visible characters (only spaces, zero-width, control or"
            " direction marks); write what you want to ask"
        )
    if len(text) > max_length:
        raise InvalidInput(
            f"the question is {len(text)} characters; this event takes at most {max_length}."
            " Shorten it"
        )
    return text


def checked_name(name: object) -> str:
    """The name an asker chose to show ('' for none), at most ``NAME_MAX`` characters."""
    if name is None:
        return ""
    if not isinstance(name, str):
        raise InvalidInput("name must be a string, or left out to ask without a name")
    name = name.strip()
    if len(name) > NAME_MAX:
        raise InvalidInput(f"the name is {len(name)} characters; at most {NAME_MAX}, please")
    if name and not visible(name):
        raise InvalidInput(
            "the name has no visible characters; write one, or leave it out to ask without"
        )
    return name


def checked_voter(voter: object) -> str:
    """A voter id's shape: 1 to ``VOTER_MAX`` characters (whether the server issued it is
    the live layer's check, ``auth.Tokens.voter_subject``)."""
    if not isinstance(voter, str) or not voter.strip():
        raise InvalidInput(
            "voter is missing; send the voter id the server issued (POST /api/questions/voter)"
        )
    if len(voter) > VOTER_MAX:
        raise InvalidInput(f"voter is over {VOTER_MAX} characters; send the id the server issued")
    return voter


def checked_question_id(question_id: object) -> str:
    """The question a vote names: a string of at most ``QUESTION_ID_MAX`` characters."""
    if not isinstance(question_id, str) or not question_id:
        raise InvalidInput("question_id is missing; name the question to vote for")
    if len(question_id) > QUESTION_ID_MAX:
        raise InvalidInput(
            f"question_id is over {QUESTION_ID_MAX} characters; no question has one that long"
        )
    return question_id


class ModerationIn(BaseModel):
    """``POST /api/questions/{id}`` body."""

    model_config = ConfigDict(extra="forbid", strict=True)
    action: Action = Field(description="approve, dismiss, answer (done) or restore")
    command_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=COMMAND_ID_MAX,
        pattern=COMMAND_ID.pattern,
        description="the client's name for it: a retry with the same id is answered with"
        " the first one's result",
    )


# where each moderation step takes a question: (status, action) -> status; a pair not
# here makes no sense (``InvalidTransition``). In an event that is not moderated nothing
# waits for approval: a step to "pending" goes to "approved" (``next_status``).
TRANSITIONS: dict[tuple[str, str], Status] = {
    ("pending", "approve"): "approved",
    ("dismissed", "approve"): "approved",
    ("pending", "dismiss"): "dismissed",
    ("approved", "dismiss"): "dismissed",
    ("answered", "dismiss"): "dismissed",
    ("pending", "answer"): "answered",
    ("approved", "answer"): "answered",
    ("answered", "restore"): "approved",
    ("dismissed", "restore"): "pending",
}


def next_status(question: Question, action: str, moderated: bool) -> Status:
    """Where ``action`` takes ``question`` (``TRANSITIONS``); ``InvalidTransition`` when
    it makes no sense."""
    status = question.status
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise InvalidTransition(f"the question is {status}; it cannot be {_done(action)} now")
    return "approved" if target == "pending" and not moderated else target


def _done(action: str) -> str:
    return {"approve": "approved", "dismiss": "dismissed", "answer": "marked answered"}.get(
        action, "restored"
    )


def ranked(questions: list[Question]) -> list[Question]:
    """Most voted first, then newest first: the order the moderators' lists use."""
    return sorted(questions, key=lambda q: (-q.votes, -q.asked_at))


def no_such_question(question_id: str) -> NotFound:
    return NotFound(f"no question {question_id!r}; see GET /api/questions")


def find(questions: Mapping[str, Question], question_id: str) -> Question:
    """The question ``question_id`` among ``questions`` (by id); ``NotFound`` if none."""
    question = questions.get(question_id)
    if question is None:
        raise no_such_question(question_id)
    return question


def not_votable(question: Question) -> InvalidTransition:
    return InvalidTransition(
        f"the question is {question.status}; only approved questions take votes"
    )


def own_question() -> InvalidTransition:
    return InvalidTransition("you asked this question; vote for the others' questions")


def may_vote(question: Question, voter: str) -> None:
    """``InvalidTransition`` unless ``voter`` (a voter id's random part) may vote for it."""
    if question.status not in VOTABLE:
        raise not_votable(question)
    if question.asker and question.asker == voter:
        raise own_question()


def moved(question: Question, was: Status, status: Status, at: int) -> Question:
    """``question`` moved from ``was`` to ``status`` at ``at``; ``InvalidTransition`` when
    another moderator moved it first."""
    if question.status != was:
        raise InvalidTransition(
            f"the question is {question.status} now, not {was}: someone acted first; look again"
        )
    return question.model_copy(update={"status": status, "changed_at": at})
