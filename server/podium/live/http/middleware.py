"""What every HTTP answer gets: errors as JSON ``{"error": {"code", "message"}}`` (no
traceback ever reaches a client; a bug of ours goes to the log) and the security headers
(the Content-Security-Policy, nosniff, no referrer). Pages may be framed by nobody, but
the overlay by any page (a vision mixer's browser source) and the viewer by the origins
``--frame-origin`` names (the event's website)."""

from __future__ import annotations

import logging

from aiohttp import web

from podium.core.config.programme import Programme
from podium.core.errors import InvariantBroken, PodiumError, RateLimited
from podium.live.http.request import POLICY, Handler
from podium.report.html import style_hashes

log = logging.getLogger("podium.live.middleware")
PAGE_CSP = web.AppKey("page_csp", str)
FRAMED_BY_ORIGINS = "/viewer"  # the page --frame-origin lets other sites embed
# What no browser shows as a page (data, scripts and styles, which a policy does not govern)
# gets the shortest policy that forbids everything: the pages' is ~370 bytes, on each of the
# viewer's dozen answers over a slow link (docs/performance.md).
NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'"
NOT_PAGES = ("/api/", "/metrics", "/healthz", "/readyz")
NOT_PAGE_FILES = (".js", ".css", ".json")


def policy_for(request: web.Request) -> str:
    path = request.path
    if path.startswith(NOT_PAGES) or (
        path.startswith("/assets/") and path.endswith(NOT_PAGE_FILES)
    ):
        return NOT_A_PAGE_CSP
    return f"{request.app[PAGE_CSP]}; frame-ancestors {frame_ancestors(request)}"


def page_csp(programmes: list[Programme]) -> str:
    """The pages' policy, but ``frame-ancestors``: the report's stylesheets of every room
    are allowed by hash (a report opened from the console as a blob: URL inherits it)."""
    reports = " ".join(dict.fromkeys(h for p in programmes for h in style_hashes(p)))
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self' {reports}; img-src 'self' data:;"
        " connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )


def frame_ancestors(request: web.Request) -> str:
    if request.path == "/overlay":
        return "*"
    origins = request.app[POLICY].frame_origins
    if request.path == FRAMED_BY_ORIGINS and origins:
        return " ".join(origins)
    return "'none'"


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
        response.headers.setdefault("Content-Security-Policy", policy_for(request))
        response.headers.setdefault("Server", "podium")  # not aiohttp's name and version
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
