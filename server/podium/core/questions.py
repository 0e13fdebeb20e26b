"""Questions from the remote audience: what one is, who may see it, and how a moderator
moves it along (``approve``, ``dismiss``, ``answer``, ``restore``). Pure: the live layer
keeps them (``live/questions.py``) and the stores make them durable.

A question stores only what the asker chose to show (the text and an optional name),
never their address or connection. Its ``id`` is 96 random bits, so knowing it is
being its asker (or a moderator).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from podium.core.errors import InvalidInput, InvalidTransition, NotFound

Status = Literal["pending", "approved", "dismissed", "answered"]
Action = Literal["approve", "dismiss", "answer", "restore"]
STATUSES: tuple[Status, ...] = ("pending", "approved", "dismissed", "answered")
PUBLIC: frozenset[str] = frozenset({"approved", "answered"})  # what anyone may see
VOTABLE: frozenset[str] = frozenset({"approved"})  # answered ones are done: no more votes
NAME_MAX = 60
VOTER_MAX = 64


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

    @property
    def public(self) -> bool:
        return self.status in PUBLIC

    def wire(self) -> dict[str, object]:
        """The fields ``GET /api/questions`` and the pushes carry."""
        return self.model_dump(exclude={"changed_at"})


def checked_text(text: object, max_length: int) -> str:
    """A question's text, stripped; a clear ``InvalidInput`` when empty or too long."""
    if not isinstance(text, str):
        raise InvalidInput("text must be a string: the question to ask")
    text = text.strip()
    if not text:
        raise InvalidInput("the question is empty; write what you want to ask")
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
    return name


def checked_voter(voter: object) -> str:
    """A voter's id: the random id a page keeps, 1 to ``VOTER_MAX`` characters."""
    if not isinstance(voter, str) or not voter.strip():
        raise InvalidInput("voter is missing; send the random id your page keeps, as a string")
    if len(voter) > VOTER_MAX:
        raise InvalidInput(f"voter is over {VOTER_MAX} characters; send a shorter random id")
    return voter


class ModerationIn(BaseModel):
    """``POST /api/questions/{id}`` body."""

    model_config = ConfigDict(extra="forbid", strict=True)
    action: Action = Field(description="approve, dismiss, answer (done) or restore")


def next_status(question: Question, action: str, moderated: bool) -> Status:
    """Where ``action`` takes ``question``; ``InvalidTransition`` when it makes no sense.

    approve: pending or dismissed -> approved. dismiss: pending, approved or answered ->
    dismissed. answer: pending or approved -> answered. restore: answered -> approved;
    dismissed -> pending (approved when the event is not moderated)."""
    status = question.status
    if action == "approve" and status in ("pending", "dismissed"):
        return "approved"
    if action == "dismiss" and status != "dismissed":
        return "dismissed"
    if action == "answer" and status in ("pending", "approved"):
        return "answered"
    if action == "restore" and status == "answered":
        return "approved"
    if action == "restore" and status == "dismissed":
        return "pending" if moderated else "approved"
    raise InvalidTransition(f"the question is {status}; it cannot be {_done(action)} now")


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


def moved(question: Question, was: Status, status: Status, at: int) -> Question:
    """``question`` moved from ``was`` to ``status`` at ``at``; ``InvalidTransition`` when
    another moderator moved it first."""
    if question.status != was:
        raise InvalidTransition(
            f"the question is {question.status} now, not {was}: someone acted first; look again"
        )
    return question.model_copy(update={"status": status, "changed_at": at})
