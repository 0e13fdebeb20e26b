"""``podium serve``: the command line's options turned into the server's, then the server run."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from podium.core import programme_file
from podium.core.errors import InvalidInput, ProgrammeError
from podium.core.programme import Programme


def _load_all(paths: Sequence[str]) -> list[Programme]:
    programmes = [programme_file.load(p) for p in paths]
    ids = [p.id for p in programmes]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise ProgrammeError(duplicate, ["two programmes share this event id; give each its own"])
    return programmes


def cmd_serve(args: argparse.Namespace) -> int:
    from podium.live.policy import Policy, origin_of
    from podium.live.ratelimit import Limits, Rate
    from podium.live.serve import ServeOptions, run

    try:
        limits = Limits(
            commands=Rate.parse(args.limit_commands),
            messages=Rate.parse(args.limit_messages),
            connects=Rate.parse(args.limit_connects),
            questions=Rate.parse(args.limit_questions),
            votes=Rate.parse(args.limit_votes),
        )
    except ValueError as exc:
        raise InvalidInput(f"{exc}") from None
    origins = [*args.allow_origin, *os.environ.get("PODIUM_ALLOW_ORIGINS", "").split()]
    try:
        public_origin = origin_of(args.public_url) if args.public_url else None
    except ValueError as exc:
        raise InvalidInput(f"--public-url: {exc}") from None
    policy = Policy(
        allow_origins=frozenset(o.rstrip("/") for o in origins),
        public_origin=public_origin,
        limits=limits,
        heartbeat_s=args.heartbeat,
        limit_loopback=args.limit_loopback,
    )
    options = ServeOptions(
        programmes=_load_all(args.programme),
        host=args.host,
        port=args.port,
        data_dir=Path(args.data_dir),
        redis_url=args.redis or os.environ.get("PODIUM_REDIS_URL") or None,
        redis_prefix=args.redis_prefix,
        policy=policy,
        store_timeout=args.store_timeout,
        header_timeout=args.header_timeout,
        max_connections=args.max_connections,
        max_per_address=args.max_per_address,
    )
    run(options)
    return 0
