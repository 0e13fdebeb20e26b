"""Tokens and roles. Tokens are random (192 bits), compared in constant time, never logged.

The moderator token comes from ``PODIUM_MODERATOR_TOKEN`` or, when that is not set, from
``DATA/moderator.token`` (made on first start). ``PODIUM_VIEWER_TOKEN`` or
``DATA/viewer.token`` makes the event private: then reading needs a token too. Tokens kept
in the data dir can be rotated while the server runs (``podium token rotate``): the CLI
replaces the file, the server notices within a second (``reload``) and closes the
connections that used the old token.

Each speaker's link carries a token of its own: an HMAC of the room and the speaker's id
under the speaker key (``PODIUM_SPEAKER_KEY`` or ``DATA/speaker.key``, made on first
start), so every process that shares the key knows every speaker's token without storing
it. Rotating the key (``podium token rotate --speakers``) replaces every speaker's link.

The question assistant's token (role ``questions``: handles the audience's questions, sends
no timing commands) comes from ``PODIUM_QUESTIONS_TOKEN`` or ``DATA/questions.token``
(made on first start; ``podium token rotate --questions``).

The interpreters' token (role ``interpreter``: the booth reads the state, the programme and
every speaker's script, and sends booth signals, nothing else) comes from
``PODIUM_INTERPRETER_TOKEN`` or ``DATA/interpreter.token`` (made on first start;
``podium token rotate --interpreter``).

The captioner's token (role ``captioner``: a CART writer or a speech-to-text engine sends
caption lines, and reads what a viewer reads) comes from ``PODIUM_CAPTIONS_TOKEN`` or
``DATA/captions.token`` (made on first start; ``podium token rotate --captions``).

A vote counts once per voter id, and a voter id is one the server issued
(``POST /api/questions/voter``): 128 random bits and their HMAC under the **voter key**
(``PODIUM_VOTER_KEY`` or ``DATA/voter.key``, made on first start), so every process that
shares the key knows every id and none is stored. A made-up or altered id is refused.

Every secret is a row of ``SECRETS`` (its variable, its name, whether it is made on first
start): a new role with a token is a row there and a check in ``role_of``. Where the
secrets live is a ``Keeper`` (``keeper.py``): the data dir's files, or, for processes
sharing a Redis, one copy in Redis that every process reads (``store/secrets.py``). The
environment wins over either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from typing import Literal

from podium.core.errors import Forbidden, Unauthorized
from podium.live.access.keeper import Keeper, new_token

Role = Literal["moderator", "screen", "viewer", "speaker", "questions", "interpreter", "captioner"]
Rotated = Literal["moderator", "viewer", "speaker", "questions", "interpreter", "captioner"]
TOKEN_FILE = "moderator.token"
QUESTIONS_TOKEN_FILE = "questions.token"
INTERPRETER_TOKEN_FILE = "interpreter.token"
CAPTIONS_TOKEN_FILE = "captions.token"
VIEWER_TOKEN_FILE = "viewer.token"
SPEAKER_KEY_FILE = "speaker.key"
VOTER_KEY_FILE = "voter.key"
VOTER_SUBJECT_CHARS = 22  # 128 random bits, URL-safe base64
MIN_TOKEN_CHARS = 22  # 128 bits of URL-safe base64


@dataclass(frozen=True)
class Secret:
    env: str  # the environment variable that fixes it (and wins)
    name: str  # its file in the data dir, its field in the shared copy
    attribute: str  # where ``Tokens`` holds it
    made: bool = True  # made on first start; False: only read (a viewer token: private)


SECRETS: dict[str, Secret] = {
    "moderator": Secret("PODIUM_MODERATOR_TOKEN", TOKEN_FILE, "moderator"),
    "viewer": Secret("PODIUM_VIEWER_TOKEN", VIEWER_TOKEN_FILE, "viewer", made=False),
    "speaker": Secret("PODIUM_SPEAKER_KEY", SPEAKER_KEY_FILE, "speaker_key"),
    "questions": Secret("PODIUM_QUESTIONS_TOKEN", QUESTIONS_TOKEN_FILE, "questions"),
    "interpreter": Secret("PODIUM_INTERPRETER_TOKEN", INTERPRETER_TOKEN_FILE, "interpreter"),
    "captioner": Secret("PODIUM_CAPTIONS_TOKEN", CAPTIONS_TOKEN_FILE, "captions"),
    "voter": Secret("PODIUM_VOTER_KEY", VOTER_KEY_FILE, "voter_key"),
}


def _bytes(token: str) -> bytes:
    """Any ``str`` as bytes, never an error: aiohttp decodes header bytes that are not
    UTF-8 (``Bearer \\xff``) to lone surrogates, which plain ``encode()`` refuses."""
    return token.encode("utf-8", "surrogatepass")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def speaker_token(key: str, room: str, speaker_id: str) -> str:
    """The token of one speaker's link: 192 bits of HMAC-SHA256 under the speaker key."""
    mac = hmac.new(_bytes(key), f"speaker\0{room}\0{speaker_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


def _voter_mac(key: str, subject: str) -> str:
    mac = hmac.new(_bytes(key), f"voter\0{subject}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:16]).decode().rstrip("=")


def voter_id(key: str, subject: str) -> str:
    """The voter id the server issues: ``SUBJECT.MAC``, 45 characters."""
    return f"{subject}.{_voter_mac(key, subject)}"


@dataclass
class Tokens:
    moderator: str
    viewer: str | None = None  # set for private events: then reading needs a token too
    generated: bool = False  # True when the moderator token was made (and kept) by us
    keeper: Keeper | None = None  # where rotatable secrets live
    from_env: frozenset[str] = field(default_factory=frozenset)  # roles fixed by the env
    speaker_key: str | None = None  # signs the speakers' links; None: no speaker links
    speakers: dict[str, list[str]] = field(default_factory=dict)  # room -> speaker ids
    questions: str | None = None  # the question assistant's token
    interpreter: str | None = None  # the interpreters' booth's token
    captions: str | None = None  # the captioner's token
    voter_key: str = field(default_factory=new_token, repr=False)  # signs the voter ids
    _speaker_tokens: dict[str, tuple[str, str]] = field(
        default_factory=dict, init=False, repr=False
    )

    def know_speakers(self, speakers: dict[str, list[str]]) -> None:
        """The speakers (by room) whose links this server answers."""
        self.speakers = speakers
        self._sign_speakers()

    def _sign_speakers(self) -> None:
        key = self.speaker_key
        self._speaker_tokens = {
            speaker_token(key, room, sid): (room, sid)
            for room, ids in self.speakers.items()
            for sid in ids
            if key is not None
        }

    def speaker_of(self, token: str | None) -> tuple[str, str] | None:
        """``(room, speaker_id)`` for a speaker's token, else ``None``."""
        if not token:
            return None
        found = None
        for known, who in self._speaker_tokens.items():  # every one: constant time
            if _same(token, known):
                found = who
        return found

    def issue_voter(self) -> str:
        """A new voter id, signed with the voter key."""
        return voter_id(self.voter_key, secrets.token_urlsafe(16))

    def voter_subject(self, voter: str) -> str:
        """The random part of a voter id this server issued (what a vote is counted by);
        ``Forbidden`` for one it did not issue: made up, altered, or signed with another
        key (processes sharing a store need the same ``PODIUM_VOTER_KEY``)."""
        subject, _, mac = voter.partition(".")
        expected = _voter_mac(self.voter_key, subject)
        if len(subject) != VOTER_SUBJECT_CHARS or not _same(mac, expected):
            raise Forbidden(
                "this voter id was not issued here (made up, altered, or from another"
                " event); get one with POST /api/questions/voter (the viewer page does)"
            )
        return subject

    @property
    def private(self) -> bool:
        return self.viewer is not None

    def role_of(self, token: str | None) -> Role | None:
        """The role a token grants, or ``None`` for no or a wrong token."""
        if not token:
            return None
        if _same(token, self.moderator):
            return "moderator"
        if self.questions is not None and _same(token, self.questions):
            return "questions"
        if self.interpreter is not None and _same(token, self.interpreter):
            return "interpreter"
        if self.captions is not None and _same(token, self.captions):
            return "captioner"
        if self.viewer is not None and _same(token, self.viewer):
            return "viewer"
        if self.speaker_of(token) is not None:  # reads the event, as its page must
            return "speaker"
        return None

    def may_read(self, token: str | None) -> bool:
        return not self.private or self.role_of(token) is not None

    def require_moderator(self, token: str | None) -> None:
        if self.role_of(token) != "moderator":
            raise Unauthorized(
                "a moderator token is required; send 'Authorization: Bearer TOKEN'"
                if not token
                else "that token is not the moderator token; check it, or ask the organiser"
            )

    def require_questions(self, token: str | None) -> None:
        """A moderator or the question assistant: 401 without a token or with a wrong
        one, 403 with one that only reads (a viewer's, a speaker's)."""
        role = self.role_of(token)
        if role in ("moderator", "questions"):
            return
        if role is None:
            raise Unauthorized(
                "a moderator or question assistant token is required; send"
                " 'Authorization: Bearer TOKEN'"
                if not token
                else "that token is not valid here; check it, or ask the organiser"
            )
        raise Forbidden(
            "only moderators and the question assistant handle questions; this token reads"
        )

    def require_script_reader(self, token: str | None, room: str, speaker_id: str) -> None:
        """A speaker's script: to that speaker's own link, a moderator and the booth; 401
        without a token or with a wrong one, 403 with any other."""
        role = self.role_of(token)
        if role in ("moderator", "interpreter") or self.speaker_of(token) == (room, speaker_id):
            return
        if role is None:
            raise Unauthorized(
                "a script is for its speaker, the moderators and the interpreters' booth;"
                " send 'Authorization: Bearer TOKEN'"
                if not token
                else "that token is not valid here; check it, or ask the organiser"
            )
        raise Forbidden(
            "a script is for its speaker, the moderators and the interpreters' booth only;"
            " this token may not read it"
        )

    def require_captioner(self, token: str | None) -> str:
        """A moderator or the captioner (the role, which the lines are limited by): 401
        without a token or with a wrong one, 403 with one that may not caption."""
        role = self.role_of(token)
        if role in ("moderator", "captioner"):
            return role
        if role is None:
            raise Unauthorized(
                "a captioner token is required; send 'Authorization: Bearer TOKEN'"
                if not token
                else "that token is not valid here; check it, or ask the organiser"
            )
        raise Forbidden("only the captioner and moderators send captions; this token may not")

    def require_reader(self, token: str | None) -> None:
        if not self.may_read(token):
            raise Unauthorized(
                "this event is private; send the viewer token as 'Authorization: Bearer TOKEN'"
                " or open the link you were given (it carries #token=...)"
            )

    def reload(self) -> bool:
        """Pick up secrets rotated in the keeper; ``True`` when one changed. A kept secret
        that went missing stays as it was (only the viewer token may go: public again)."""
        if self.keeper is None:
            return False
        changed = False
        for role, secret in SECRETS.items():
            if role in self.from_env:
                continue
            value = self.keeper.read(secret.name)
            if (value is not None or not secret.made) and value != getattr(self, secret.attribute):
                setattr(self, secret.attribute, value)
                changed = True
        if changed:
            self._sign_speakers()
        return changed

    def weak(self) -> list[str]:
        """Roles whose token is shorter than 128 bits of randomness could be."""
        tokens = {
            "moderator": self.moderator,
            "viewer": self.viewer,
            "questions": self.questions,
            "interpreter": self.interpreter,
            "captioner": self.captions,
        }
        return [r for r, t in tokens.items() if t is not None and len(t) < MIN_TOKEN_CHARS]

    @classmethod
    def load(cls, keeper: Keeper) -> Tokens:
        """Each secret from its environment variable when set, else from ``keeper``
        (made there the first time, but for the viewer token: only a private event has
        one)."""
        values: dict[str, str | None] = {}
        from_env: set[str] = set()
        for role, secret in SECRETS.items():
            given = os.environ.get(secret.env) or None
            if given:
                from_env.add(role)
            values[secret.attribute] = given or (
                keeper.kept(secret.name) if secret.made else keeper.read(secret.name)
            )
        moderator = values.pop("moderator")
        assert moderator is not None, "the moderator token is made when not given"
        generated = "moderator" not in from_env
        return cls(moderator, generated=generated, keeper=keeper, from_env=frozenset(from_env),
                   **values)  # fmt: skip


async def rotate(keeper: Keeper, role: Rotated) -> str:
    """A new token (for ``speaker``: the key of every speaker's link) in ``keeper``; a
    running server adopts it."""
    token = new_token()
    await keeper.write(SECRETS[role].name, token)
    return token
