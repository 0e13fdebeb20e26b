"""The access log and aiohttp's error log, without secrets: one line a request with any
token redacted, and one line (not a traceback) for a malformed request.

Answered votes are the exception: they are summed into a line a second (how many, from
how many addresses). A storm of 10,000 votes is then ten lines, not 10,000 (a line cost
a fifth of a vote's time on the loop: ``docs/performance.md``); a refused vote still gets
its own line, and every counted vote is in the room's questions file or Redis."""

from __future__ import annotations

import asyncio
import logging
import re
from urllib.parse import unquote_plus

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError

from podium.live.http.proxied import client_of

_QUERY_PARAM = re.compile(r"(?<=[?&])([^=&?\s#]*)=[^&\s#]*")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")
VOTE_LINE_EVERY_S = 1.0


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


class VoteLines:
    """Answered votes, summed into one access-log line every ``VOTE_LINE_EVERY_S``."""

    def __init__(self) -> None:
        self.votes = 0
        self.addresses: set[str] = set()
        self.slowest_ms = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def add(self, logger: logging.Logger, client: str, ms: float) -> None:
        self.votes += 1
        self.addresses.add(client)
        self.slowest_ms = max(self.slowest_ms, ms)
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(VOTE_LINE_EVERY_S, self.write, logger)

    def write(self, logger: logging.Logger) -> None:
        logger.info(
            '%d addresses "POST /api/questions/*/vote" 200 x %d in %g s, slowest %.1fms',
            len(self.addresses),
            self.votes,
            VOTE_LINE_EVERY_S,
            self.slowest_ms,
        )
        self.votes, self.addresses, self.slowest_ms, self._timer = 0, set(), 0.0, None


class RedactingAccessLogger(AbstractAccessLogger):
    """One line a request, like a web server's, with tokens in the query redacted; answered
    votes summed (``VoteLines``)."""

    votes = VoteLines()  # one for the process: aiohttp makes a logger per connection

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if response.status == 200 and request.path.endswith("/vote") and request.method == "POST":
            self.votes.add(self.logger, client_of(request), time * 1000)
            return
        self.logger.info(
            '%s "%s %s" %d %.1fms',
            client_of(request),
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
