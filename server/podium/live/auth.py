"""Tokens and roles. Tokens are random (192 bits), compared in constant time, never logged.

The moderator token comes from ``PODIUM_MODERATOR_TOKEN`` or, when that is not set, from
``DATA/moderator.token`` (made on first start). ``PODIUM_VIEWER_TOKEN`` or
``DATA/viewer.token`` makes the event private: then reading needs a token too. Tokens kept
in the data dir can be rotated while the server runs (``podium token rotate``): the CLI
replaces the file, the server notices within a second (``reload``) and closes the
connections that used the old token.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from podium.core.errors import Unauthorized

Role = Literal["moderator", "screen", "viewer"]
TOKEN_FILE = "moderator.token"
VIEWER_TOKEN_FILE = "viewer.token"
MIN_TOKEN_CHARS = 22  # 128 bits of URL-safe base64


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _bytes(token: str) -> bytes:
    """Any ``str`` as bytes, never an error: aiohttp decodes header bytes that are not
    UTF-8 (``Bearer \\xff``) to lone surrogates, which plain ``encode()`` refuses."""
    return token.encode("utf-8", "surrogatepass")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def write_token(path: Path, token: str) -> None:
    """Replace a token file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def read_token(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


@dataclass
class Tokens:
    moderator: str
    viewer: str | None = None  # set for private events: then reading needs a token too
    generated: bool = False  # True when the moderator token was made (and kept) by us
    data_dir: Path | None = None  # where rotatable token files live
    from_env: frozenset[str] = field(default_factory=frozenset)  # roles fixed by the env

    @property
    def private(self) -> bool:
        return self.viewer is not None

    def role_of(self, token: str | None) -> Role | None:
        """The role a token grants, or ``None`` for no or a wrong token."""
        if not token:
            return None
        if _same(token, self.moderator):
            return "moderator"
        if self.viewer is not None and _same(token, self.viewer):
            return "viewer"
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

    def require_reader(self, token: str | None) -> None:
        if not self.may_read(token):
            raise Unauthorized(
                "this event is private; send the viewer token as 'Authorization: Bearer TOKEN'"
                " or open the link you were given (it carries #token=...)"
            )

    def reload(self) -> bool:
        """Pick up tokens rotated in the data dir; ``True`` when one changed."""
        if self.data_dir is None:
            return False
        changed = False
        if "moderator" not in self.from_env:
            moderator = read_token(self.data_dir / TOKEN_FILE)
            if moderator is not None and moderator != self.moderator:
                self.moderator, changed = moderator, True
        if "viewer" not in self.from_env:
            viewer = read_token(self.data_dir / VIEWER_TOKEN_FILE)
            if viewer != self.viewer:
                self.viewer, changed = viewer, True
        return changed

    def weak(self) -> list[str]:
        """Roles whose token is shorter than 128 bits of randomness could be."""
        tokens = {"moderator": self.moderator, "viewer": self.viewer}
        return [r for r, t in tokens.items() if t is not None and len(t) < MIN_TOKEN_CHARS]

    @classmethod
    def load(cls, data_dir: Path) -> Tokens:
        """``PODIUM_MODERATOR_TOKEN`` if set, else a token generated once and kept in the
        data dir; ``PODIUM_VIEWER_TOKEN`` (or ``viewer.token``) makes the event private."""
        env_viewer = os.environ.get("PODIUM_VIEWER_TOKEN") or None
        given = os.environ.get("PODIUM_MODERATOR_TOKEN") or None
        from_env = frozenset(
            role for role, value in (("moderator", given), ("viewer", env_viewer)) if value
        )
        viewer = env_viewer or read_token(data_dir / VIEWER_TOKEN_FILE)
        if given:
            return cls(moderator=given, viewer=viewer, data_dir=data_dir, from_env=from_env)
        path = data_dir / TOKEN_FILE
        token = read_token(path)
        if token is None:
            token = new_token()
            write_token(path, token)
        return cls(token, viewer, generated=True, data_dir=data_dir, from_env=from_env)


def rotate(data_dir: Path, role: Literal["moderator", "viewer"]) -> str:
    """Write a new token for ``role`` to the data dir; a running server adopts it."""
    token = new_token()
    write_token(data_dir / (TOKEN_FILE if role == "moderator" else VIEWER_TOKEN_FILE), token)
    return token
