"""The token a request carries: ``Authorization: Bearer``, or ``?token=`` for a reader.
Whether it is valid is for ``auth.Tokens`` to say."""

from __future__ import annotations

from aiohttp import web


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def read_token(request: web.Request) -> str | None:
    """A reader's token: the bearer header, else ``?token=`` (for links and OBS)."""
    return bearer(request) or request.query.get("token") or None
