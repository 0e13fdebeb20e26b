"""Who may connect and how much: the WebSocket Origin allowlist, tokens taken from a
request, per-address connection limits, and an access log that never shows a token."""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

from podium.ratelimit import Limits, PerKey

HEARTBEAT_S = 20.0
_TOKEN_IN_QUERY = re.compile(r"(?i)(token=)[^&\s#]*")


def redact(text: str) -> str:
    """``/ws?room=x&token=SECRET`` -> ``/ws?room=x&token=[redacted]``."""
    return _TOKEN_IN_QUERY.sub(r"\1[redacted]", text)


class RedactingAccessLogger(AbstractAccessLogger):
    """One line a request, like a web server's, with tokens in the query redacted."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %d %.1fms',
            request.remote,
            request.method,
            redact(request.path_qs),
            response.status,
            time * 1000,
        )


class BadRequestsInOneLine(logging.Filter):
    """aiohttp logs a malformed request (from a broken or hostile client) with a traceback;
    it is the client's fault and already answered with a 400, so one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            reason = str(exc.message).strip().splitlines()[0] if exc.message else "malformed"
            record.args = (record.getMessage(), exc.code, redact(reason))
            record.msg = "%s (answered %d: %s)"
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def read_token(request: web.Request) -> str | None:
    """A reader's token: the bearer header, else ``?token=`` (for links and OBS)."""
    return bearer(request) or request.query.get("token") or None


@dataclass
class Policy:
    """The settings ``podium serve`` takes for access, with safe defaults."""

    allow_origins: frozenset[str] = frozenset()  # besides the same origin; "*" for any
    limits: Limits = field(default_factory=Limits)
    heartbeat_s: float = HEARTBEAT_S
    limit_loopback: bool = False  # loopback is this machine, or a reverse proxy in front
    connects: PerKey = field(init=False)
    http_commands: PerKey = field(init=False)

    def __post_init__(self) -> None:
        self.connects = PerKey(self.limits.connects)
        self.http_commands = PerKey(self.limits.commands)

    def allow_connect(self, peer: str) -> bool:
        return self.exempt(peer) or self.connects.allow(peer)

    def allow_http_command(self, peer: str) -> bool:
        return self.exempt(peer) or self.http_commands.allow(peer)

    def exempt(self, peer: str) -> bool:
        """Per-address limits skip loopback: behind a local proxy every client has that
        address, and limiting it would limit everyone at once (let the proxy do it)."""
        if self.limit_loopback:
            return False
        try:
            return ipaddress.ip_address(peer).is_loopback
        except ValueError:
            return False

    def origin_allowed(self, request: web.Request) -> bool:
        """Browsers always send ``Origin`` on a WebSocket; other clients need none.
        Same origin means the page came from the host the socket goes to."""
        origin = request.headers.get("Origin")
        if origin is None or "*" in self.allow_origins:
            return True
        if origin.rstrip("/") in self.allow_origins:
            return True
        return origin != "null" and urlsplit(origin).netloc.lower() == request.host.lower()
