"""Who may connect and how much: the WebSocket Origin allowlist, tokens taken from a
request, per-address connection limits, and an access log that never shows a token."""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

from podium.live.ratelimit import Limits, PerKey

HEARTBEAT_S = 20.0
_QUERY_PARAM = re.compile(r"(?<=[?&])([^=&?\s#]*)=[^&\s#]*")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")


def _names_a_token(key: str) -> bool:
    """``token``, however spelled: any case, percent-encoded (``%74oken``, even twice),
    with ``+`` or spaces around it. Decoding stops when nothing changes."""
    for _ in range(4):
        decoded = unquote_plus(key)
        if decoded == key:
            break
        key = decoded
    return "token" in key.lower()


def redact(text: str) -> str:
    """``/ws?room=x&%74oken=SECRET`` -> ``/ws?room=x&%74oken=[redacted]``, and
    ``Bearer SECRET`` -> ``Bearer [redacted]``. The key is judged decoded, as aiohttp
    reads it, so no spelling of ``token`` that the server accepts reaches the log."""

    def hide(match: re.Match[str]) -> str:
        key = match.group(1)
        return f"{key}=[redacted]" if _names_a_token(key) else match.group(0)

    return _BEARER.sub(r"\1[redacted]", _QUERY_PARAM.sub(hide, text))


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


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``https://Podium.example.org:443/console`` -> ``https://podium.example.org``, as a
    browser writes ``Origin``; ``ValueError`` for anything that is not an http(s) URL."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or port == -1:
        raise ValueError(f"{url!r} is not a URL; give it as https://host[:port]")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = port in (None, _DEFAULT_PORTS[parts.scheme])
    return f"{parts.scheme}://{host}{'' if default else f':{port}'}"


@dataclass
class Policy:
    """The settings ``podium serve`` takes for access, with safe defaults."""

    allow_origins: frozenset[str] = frozenset()  # besides the same origin; "*" for any
    public_origin: str | None = None  # this server's own origin, when known (--public-url)
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
        Once the server is told its origins (``--public-url`` or ``--allow-origin``), only
        those are trusted; with neither, the same host the socket goes to (``Host``), which
        a DNS-rebinding page also matches."""
        origin = request.headers.get("Origin")
        if origin is None or "*" in self.allow_origins:
            return True
        if origin.rstrip("/") in self.allow_origins:
            return True
        if self.public_origin is not None or self.allow_origins:
            return origin.rstrip("/").lower() == self.public_origin
        return origin != "null" and urlsplit(origin).netloc.lower() == request.host.lower()
