"""Who may connect and how often: the WebSocket Origin allowlist, per-address limits on
new connections and HTTP commands (loopback exempt), the booth signals and caption lines
per token, the reverse proxies trusted to name the client, and the heartbeat interval;
the settings ``podium serve`` takes for access, with safe defaults."""

from __future__ import annotations

import functools
import ipaddress
import math
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web

from podium.core.errors import RateLimited
from podium.live.access.forwarded import TrustedProxies
from podium.live.access.guard import MAX_PER_ADDRESS
from podium.live.access.ratelimit import Limits, PerKey

HEARTBEAT_S = 20.0
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


@functools.lru_cache(maxsize=4096)
def _loopback(peer: str) -> bool:
    """Whether ``peer`` is a loopback address; remembered, as a storm of questions and
    votes asks it for the same few addresses thousands of times a second."""
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


@dataclass
class Policy:
    """The settings ``podium serve`` takes for access, with safe defaults."""

    allow_origins: frozenset[str] = frozenset()  # besides the same origin; "*" for any
    public_origin: str | None = None  # this server's own origin, when known (--public-url)
    limits: Limits = field(default_factory=Limits)
    heartbeat_s: float = HEARTBEAT_S
    limit_loopback: bool = False  # loopback is this machine, or a reverse proxy in front
    frame_origins: tuple[str, ...] = ()  # may embed the viewer (--frame-origin); else nobody
    trusted: TrustedProxies = field(default_factory=TrustedProxies)  # whose headers name clients
    max_per_address: int = MAX_PER_ADDRESS  # open connections per client address
    connects: PerKey = field(init=False)
    http_commands: PerKey = field(init=False)
    questions: PerKey = field(init=False)
    votes: PerKey = field(init=False)
    voters: PerKey = field(init=False)
    signals: PerKey = field(init=False)
    captions: PerKey = field(init=False)

    def __post_init__(self) -> None:
        self.connects = PerKey(self.limits.connects)
        self.http_commands = PerKey(self.limits.commands)
        self.questions = PerKey(self.limits.questions)
        self.votes = PerKey(self.limits.votes)
        self.voters = PerKey(self.limits.voters)
        self.signals = PerKey(self.limits.signals)  # by token: every booth laptop shares one
        self.captions = PerKey(self.limits.captions)

    def allow_connect(self, peer: str) -> bool:
        return self.exempt(peer) or self.connects.allow(peer)

    def allow_http_command(self, peer: str) -> bool:
        return self.exempt(peer) or self.http_commands.allow(peer)

    def allow(self, limit: PerKey, peer: str) -> bool:
        """One more event (a question, a vote) from ``peer`` under ``limit``."""
        return self.exempt(peer) or limit.allow(peer)

    def limit_captions(self, role: str) -> None:
        """One more caption line sent with the token of ``role`` (one token each): limited
        per token, from any address (loopback too: a speech-to-text engine often runs on
        the server's machine), so several connections with one token share one limit.
        ``RateLimited`` when over."""
        if not self.captions.allow(role):
            wait = math.ceil(self.captions.wait_s(role))
            raise RateLimited(
                f"too many caption lines (limit {self.captions.rate}); send whole phrases or"
                f" fewer interim guesses, and try again in {wait} s",
                wait,
            )

    def exempt(self, peer: str) -> bool:
        """Per-address limits skip loopback: behind a local proxy every client has that
        address, and limiting it would limit everyone at once (let the proxy do it)."""
        return not self.limit_loopback and _loopback(peer)

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

    def expected_origins(self, request: web.Request) -> str:
        """The origins ``origin_allowed`` takes, for a log line saying why it refused."""
        if self.public_origin is not None or self.allow_origins:
            return " or ".join(sorted({*filter(None, [self.public_origin]), *self.allow_origins}))
        return f"Host {request.host} (no --public-url given)"
