"""``podium serve``: the command line's options turned into the server's, then the server run."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from podium.core.config import programme_file
from podium.core.config.branding import contrast_warnings
from podium.core.config.programme import Programme
from podium.core.errors import InvalidInput, ProgrammeError

FRAME_ORIGIN = re.compile(r"https?://([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]+)?")


def _load_all(paths: Sequence[str]) -> list[Programme]:
    programmes = [programme_file.load(p) for p in paths]
    for path, programme in zip(paths, programmes, strict=True):
        for warning in contrast_warnings(programme.event.branding):
            print(f"{path}: warning: {warning}", file=sys.stderr)
    ids = [p.id for p in programmes]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise ProgrammeError(duplicate, ["two programmes share this event id; give each its own"])
    return programmes


def _frame_origin(value: str) -> str:
    """An origin for ``frame-ancestors``: nothing in it but what a host and port hold, so it
    cannot add a source or a directive to the policy."""
    from podium.live.access.policy import origin_of

    try:
        origin = origin_of(value)
    except ValueError as exc:
        raise InvalidInput(f"--frame-origin: {exc}") from None
    if not FRAME_ORIGIN.fullmatch(origin):
        raise InvalidInput(
            f"--frame-origin: {value!r} is not an origin; give it as https://host[:port]"
        )
    return origin


def cmd_serve(args: argparse.Namespace) -> int:
    from podium.live.access.forwarded import TrustedProxies, network
    from podium.live.access.policy import Policy, origin_of
    from podium.live.access.ratelimit import Limits, Rate
    from podium.live.serve import ServeOptions, run

    try:
        limits = Limits(
            commands=Rate.parse(args.limit_commands),
            messages=Rate.parse(args.limit_messages),
            connects=Rate.parse(args.limit_connects),
            questions=Rate.parse(args.limit_questions),
            votes=Rate.parse(args.limit_votes),
            voters=Rate.parse(args.limit_voters),
            signals=Rate.parse(args.limit_signals),
            captions=Rate.parse(args.limit_captions),
        )
    except ValueError as exc:
        raise InvalidInput(f"{exc}") from None
    origins = [*args.allow_origin, *os.environ.get("PODIUM_ALLOW_ORIGINS", "").split()]
    try:
        public_origin = origin_of(args.public_url) if args.public_url else None
    except ValueError as exc:
        raise InvalidInput(f"--public-url: {exc}") from None
    frame_origins = tuple(dict.fromkeys(_frame_origin(o) for o in args.frame_origin))
    proxies = [*args.trusted_proxy, *os.environ.get("PODIUM_TRUSTED_PROXIES", "").split()]
    try:
        trusted = TrustedProxies(tuple(network(p) for p in proxies))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    policy = Policy(
        allow_origins=frozenset(o.rstrip("/") for o in origins),
        public_origin=public_origin,
        limits=limits,
        heartbeat_s=args.heartbeat,
        limit_loopback=args.limit_loopback,
        frame_origins=frame_origins,
        trusted=trusted,
        max_per_address=args.max_per_address,
    )
    programmes = _load_all(args.programme)
    options = ServeOptions(
        programmes=programmes,
        sources={p.id: Path(path) for p, path in zip(programmes, args.programme, strict=True)},
        host=args.host,
        port=args.port,
        data_dir=Path(args.data_dir),
        redis_url=args.redis or os.environ.get("PODIUM_REDIS_URL") or None,
        redis_prefix=args.redis_prefix,
        policy=policy,
        store_timeout=args.store_timeout,
        header_timeout=args.header_timeout,
        max_connections=args.max_connections,
        fanout_threads=args.fanout_threads,
        max_per_address=args.max_per_address,
    )
    run(options)
    return 0
