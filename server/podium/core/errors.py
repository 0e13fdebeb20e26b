"""One root exception type; every error a user can meet is one of these.

Each carries a stable ``code`` (used on the wire and in HTTP bodies) and a lowercase
message that says what was wrong and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError


class PodiumError(Exception):
    """The root of every error Podium raises on purpose."""

    code = "error"
    http_status = 500
    version: int | None = None  # a version the answer names, when there is one

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        named = {} if self.version is None else {"version": self.version}
        return {"code": self.code, "message": self.message, **named}


T = TypeVar("T")


class InvariantBroken(PodiumError):
    """A bug, not bad input: Podium met a state its own rules cannot produce. Raised
    instead of ``assert``, which ``python -O`` strips; the message says what broke."""

    code = "internal"


def present(value: T | None, what: str) -> T:
    """``value``, which Podium's own rules say is set; else :class:`InvariantBroken`
    with ``what`` (e.g. "a running timer has no ends_at") as its message."""
    if value is None:
        raise InvariantBroken(what)
    return value


class InvalidInput(PodiumError):
    """Malformed input: wrong shape, wrong type, unknown action."""

    code = "invalid"
    http_status = 400


def invalid_input(exc: ValidationError, what: str) -> InvalidInput:
    """The first problem pydantic found, as ``WHAT: FIELD: reason`` in lowercase."""
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(p) for p in first["loc"][1:]) or what
    detail = str(first["msg"]).removeprefix("Value error, ")
    return InvalidInput(f"{what}: {field}: {detail[0].lower()}{detail[1:]}")


def validate_tagged(
    adapter: TypeAdapter[Any], data: object, key: str, allowed: Sequence[str], noun: str
) -> Any:
    """Validate a JSON object tagged by ``key`` (``action``, ``type``) with clear errors."""
    if not isinstance(data, dict):
        raise InvalidInput(f"a {noun} is a JSON object with a {key!r}")
    tag = data.get(key)
    if tag not in allowed:
        raise InvalidInput(f"unknown {noun} {key} {tag!r}; use one of: {', '.join(allowed)}")
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise invalid_input(exc, str(tag)) from None


class Unauthorized(PodiumError):
    code = "unauthorized"
    http_status = 401


class Forbidden(PodiumError):
    code = "forbidden"
    http_status = 403


class NotFound(PodiumError):
    code = "not_found"
    http_status = 404


class Conflict(PodiumError):
    """The command named a version that is no longer current."""

    code = "conflict"
    http_status = 409

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message)
        self.current_version = self.version = current_version


class Closed(PodiumError):
    """Well-formed, but what it asks for is over (asking once the programme has finished)."""

    code = "closed"
    http_status = 409


class InvalidTransition(PodiumError):
    """A well-formed action that makes no sense in the current state."""

    code = "invalid_transition"
    http_status = 422


class RateLimited(PodiumError):
    code = "rate_limited"
    http_status = 429
    retry_after_s = 10  # what HTTP's Retry-After says

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        if retry_after_s is not None:
            self.retry_after_s = max(1, retry_after_s)


class Unavailable(PodiumError):
    """The store cannot make a change durable right now; nothing was changed (but see
    ``OutcomeUnknown``)."""

    code = "unavailable"
    http_status = 503


class OutcomeUnknown(Unavailable):
    """The store took the change but did not answer in time: it may have been made.
    ``version`` is the version it makes if it was (none for the audience's questions)."""

    code = "outcome_unknown"

    def __init__(self, message: str, version: int | None = None) -> None:
        super().__init__(message)
        self.version = version


class AlreadyApplied(PodiumError):
    """A store's answer to a commit whose ``command_id`` it has applied before, at
    ``version``; the room answers the retry with that result."""

    code = "already_applied"

    def __init__(self, command_id: str, version: int) -> None:
        super().__init__(f"command {command_id!r} was applied before, making version {version}")
        self.version = version


class ProgrammeError(PodiumError):
    """A programme file that cannot be used; ``problems`` lists every one found."""

    code = "programme"

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems
