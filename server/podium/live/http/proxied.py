"""Requests through a trusted reverse proxy (``--trusted-proxy``): each is handled as the
client's, at the address the proxy reports (``access/forwarded.py``), so the per-address
limits, the questions' and votes' counts and the access log see viewers, not the proxy.
The connection guard, which runs before any header is read, leaves a trusted proxy's
connections out of its per-address cap; this cap takes its place, counting each client's
open requests (a WebSocket is one for as long as it is open)."""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from podium.core.errors import RateLimited
from podium.live.http.request import POLICY, Handler

CLIENT = "podium.client"  # the client's address, on the request the access log gets
OPEN = web.AppKey("open_per_client", Counter[str])


def client_of(request: web.BaseRequest) -> str:
    """The address to log for ``request``: the client's, behind a trusted proxy."""
    return str(request.get(CLIENT) or request.remote or "?")


@web.middleware
async def forwarded_client(request: web.Request, handler: Handler) -> web.StreamResponse:
    policy = request.app[POLICY]
    peer = request.remote or ""
    if not policy.trusted.trusts(peer):
        return await handler(request)
    client = policy.trusted.client(peer, request.headers)
    request[CLIENT] = client
    counts = request.app[OPEN]
    if not policy.exempt(client) and counts[client] >= policy.max_per_address:
        raise RateLimited(
            f"too many open connections from your address ({policy.max_per_address});"
            " close some and try again"
        )
    counts[client] += 1
    try:
        return await handler(request.clone(remote=client) if client != peer else request)
    finally:
        counts[client] -= 1
        if not counts[client]:
            del counts[client]


def add_middleware(app: web.Application) -> None:
    app[OPEN] = Counter()
    app.middlewares.append(forwarded_client)
