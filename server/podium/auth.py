"""Tokens and roles. Tokens are random (192 bits), compared in constant time, never logged."""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from podium.errors import Unauthorized

Role = Literal["moderator", "screen", "viewer"]
TOKEN_FILE = "moderator.token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass
class Tokens:
    moderator: str
    viewer: str | None = None  # set for private events: then reading needs a token too
    generated: bool = False  # True when the moderator token was made (and kept) by us

    def role_of(self, token: str | None) -> Role | None:
        """The role a token grants, or ``None`` for no or a wrong token."""
        if not token:
            return None
        if _same(token, self.moderator):
            return "moderator"
        if self.viewer is not None and _same(token, self.viewer):
            return "viewer"
        return None

    def require_moderator(self, token: str | None) -> None:
        if self.role_of(token) != "moderator":
            raise Unauthorized(
                "a moderator token is required; send 'Authorization: Bearer TOKEN'"
                if not token
                else "that token is not the moderator token; check it, or ask the organiser"
            )

    @classmethod
    def load(cls, data_dir: Path) -> Tokens:
        """``PODIUM_MODERATOR_TOKEN`` if set, else a token generated once and kept in the
        data dir; ``PODIUM_VIEWER_TOKEN`` makes the event private."""
        viewer = os.environ.get("PODIUM_VIEWER_TOKEN") or None
        given = os.environ.get("PODIUM_MODERATOR_TOKEN")
        if given:
            return cls(moderator=given, viewer=viewer)
        path = data_dir / TOKEN_FILE
        if path.exists():
            return cls(moderator=path.read_text().strip(), viewer=viewer, generated=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        token = new_token()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
        return cls(moderator=token, viewer=viewer, generated=True)
