"""What every HTTP answer gets: errors as JSON ``{"error": {"code", "message"}}`` (no
traceback ever reaches a client; a bug of ours goes to the log) and the security headers
(the Content-Security-Policy, nosniff, no referrer)."""

from __future__ import annotations

import logging

from aiohttp import web

from podium.core.errors import InvariantBroken, PodiumError, RateLimited
from podium.live.request import Handler
from podium.report.html import STYLE_HASH as REPORT_STYLE

log = logging.getLogger("podium.live.middleware")

CSP = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {REPORT_STYLE}; img-src 'self' data:;"
    " connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def log_if_bug(error: PodiumError, where: str) -> None:
    """A broken invariant is a bug of ours: the client gets its message, the log the trace."""
    if isinstance(error, InvariantBroken):
        log.error("a broken invariant on %s: %s", where, error.message, exc_info=error)


def _error_response(error: PodiumError) -> web.Response:
    response = web.json_response({"error": error.to_dict()}, status=error.http_status)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response


@web.middleware
async def errors_and_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except PodiumError as exc:
        log_if_bug(exc, f"{request.method} {request.path}")
        response = _error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = web.json_response(
            {"error": {"code": "http", "message": exc.reason.lower()}}, status=exc.status
        )
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        response = web.json_response(
            {"error": {"code": "internal", "message": "internal error; see the server log"}},
            status=500,
        )
    if not response.prepared:
        ancestors = "*" if request.path == "/overlay" else "'none'"
        response.headers.setdefault(
            "Content-Security-Policy", f"{CSP}; frame-ancestors {ancestors}"
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
