"""The ``podium`` command: serve, check, and the tools around them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from podium.core import programme_file
from podium.core.errors import InvalidInput, PodiumError, ProgrammeError
from podium.core.programme import Programme

DEFAULT_PROGRAMME = Path(__file__).resolve().parents[3] / "config" / "itu-miit-2021.toml"

Command = Callable[[argparse.Namespace], int]


def _load_all(paths: Sequence[str]) -> list[Programme]:
    programmes = [programme_file.load(p) for p in (paths or [str(DEFAULT_PROGRAMME)])]
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


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def summary(p: Programme) -> str:
    e = p.event
    plan = p.event.date.isoformat() if e.date else "the day it is served (no date set)"
    lines = [
        e.title,
        f"  zh: {e.title_zh}" if e.title_zh else "",
        f"  {e.theme}" if e.theme else "",
        f"  time zone {e.timezone}; plan date: {plan}",
    ]
    total = 0
    for s in p.sessions:
        end = (s.duration_ms // 60000) + s.start.hour * 60 + s.start.minute
        lines.append("")
        lines.append(f"  {s.start:%H:%M}-{end // 60 % 24:02d}:{end % 60:02d}  {s.title}  [{s.id}]")
        if s.title_zh:
            lines.append(f"               zh: {s.title_zh}")
        if s.group_title:
            lines.append(f"    part of: {s.group_title}")
        if s.moderators:
            lines.append("    moderator: " + "; ".join(m.display_name for m in s.moderators))
        for sp in s.speakers:
            lines.append(
                f"    {programme_file.format_duration(sp.allocation_ms):>7}  {sp.display_name}"
                f" ({sp.presence.value}) - {sp.affiliation}"
            )
            if sp.display_name_zh != sp.display_name or sp.affiliation_zh:
                lines.append(f"             zh: {sp.display_name_zh} - {sp.affiliation_zh}")
        if not s.speakers:
            lines.append(
                f"    {programme_file.format_duration(s.duration_ms):>7}"
                "  (no speakers; the slot timer runs)"
            )
        total += len(s.speakers)
    lines.append("")
    zh = sum(bool(s.title_zh) for s in p.sessions)
    lines.append(f"  {len(p.sessions)} sessions ({zh} with a Chinese title), {total} speakers. OK")
    return "\n".join(line for line in lines if line is not None)


def cmd_check(args: argparse.Namespace) -> int:
    failed = False
    for path in args.file:
        try:
            print(summary(programme_file.load(path)))
        except ProgrammeError as exc:
            failed = True
            print(f"{exc.path}: {len(exc.problems)} problem(s)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
    return 1 if failed else 0


def cmd_token_rotate(args: argparse.Namespace) -> int:
    from podium.live.auth import rotate

    role = "speaker" if args.speakers else "viewer" if args.viewer else "moderator"
    env = "PODIUM_SPEAKER_KEY" if args.speakers else f"PODIUM_{role.upper()}_TOKEN"
    if os.environ.get(env):
        raise InvalidInput(
            f"{env} is set, so the {role} token comes from the environment: change it there"
            " and restart, or unset it to let podium keep (and rotate) the token"
        )
    data_dir = Path(args.data_dir)
    token = rotate(data_dir, role)
    print(token)
    print(
        f"new {role} token written to {data_dir}; a running server uses it within a second"
        f" and disconnects every {role} connection that used the old one",
        file=sys.stderr,
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from podium.core.protocol import json_schemas

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (out / f"{name}.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(json_schemas())} schemas to {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="podium", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve one or more programmes (rooms)")
    serve.add_argument("programme", nargs="*", help="programme files (default: the seed event)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--data-dir", default=os.environ.get("PODIUM_DATA_DIR", "data"))
    serve.add_argument("--redis", help="redis://HOST:PORT/DB (or PODIUM_REDIS_URL)")
    serve.add_argument("--redis-prefix", default=os.environ.get("PODIUM_REDIS_PREFIX", "podium"))
    serve.add_argument(
        "--store-timeout",
        type=_positive,
        default=2.0,
        metavar="SECONDS",
        help="the longest a command waits for the store; a write unanswered by then is"
        " answered 503 outcome_unknown and the store shows as degraded (default 2)",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a page origin (https://host) that may open WebSockets; repeat for more, '*' for"
        " any (or PODIUM_ALLOW_ORIGINS, space-separated); once given, the Host header is no"
        " longer trusted, so list this server's own origin too or give --public-url",
    )
    serve.add_argument(
        "--public-url",
        default=os.environ.get("PODIUM_PUBLIC_URL") or None,
        metavar="URL",
        help="the URL viewers open (https://podium.example.org); WebSockets are then"
        " accepted from pages of that origin, not of whatever Host a request names, which"
        " stops DNS rebinding (or PODIUM_PUBLIC_URL)",
    )
    serve.add_argument(
        "--header-timeout",
        type=_positive,
        default=10.0,
        metavar="SECONDS",
        help="close a connection whose request headers are not complete this long after it"
        " opened or after its previous answer (default 10)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=None,
        metavar="N",
        help="open connections at most (default: the open-file limit less 64); at the cap"
        " a new one replaces the oldest still sending its headers, else gets a 503",
    )
    serve.add_argument(
        "--max-per-address",
        type=int,
        default=500,
        metavar="N",
        help="open connections per client address, on every route (default 500; loopback"
        " is exempt unless --limit-loopback)",
    )
    serve.add_argument(
        "--heartbeat", type=float, default=20.0, help="seconds between WebSocket pings"
    )
    serve.add_argument(
        "--limit-loopback",
        action="store_true",
        help="apply the per-address limits to loopback clients too (off: a local reverse"
        " proxy makes every client look like 127.0.0.1)",
    )
    for name, default, what in [
        ("commands", "60/10", "commands per moderator connection (and per address over HTTP)"),
        ("messages", "120/10", "messages per WebSocket connection"),
        ("connects", "300/10", "new WebSocket connections per client address"),
    ]:
        serve.add_argument(
            f"--limit-{name}",
            default=os.environ.get(f"PODIUM_LIMIT_{name.upper()}", default),
            metavar="N/SECONDS",
            help=f"{what} (default {default})",
        )
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check", help="check programme files and print a summary")
    check.add_argument("file", nargs="+")
    check.set_defaults(func=cmd_check)

    token = sub.add_parser("token", help="manage access tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    rotate = token_sub.add_parser(
        "rotate", help="replace the moderator (or viewer) token; a running server adopts it"
    )
    rotate.add_argument("--viewer", action="store_true", help="rotate the viewer token instead")
    rotate.add_argument(
        "--speakers", action="store_true", help="replace every speaker's link (the speaker key)"
    )
    rotate.add_argument("--data-dir", default=os.environ.get("PODIUM_DATA_DIR", "data"))
    rotate.set_defaults(func=cmd_token_rotate)

    schema = sub.add_parser("schema", help="write the JSON Schemas of the protocol")
    schema.add_argument("--out", default="docs/schemas")
    schema.set_defaults(func=cmd_schema)

    from podium.cli.tools import add_parsers  # import, export, report, ctl, watch

    add_parsers(sub)

    from podium.bench.runner import add_parser as add_bench

    add_bench(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except PodiumError as exc:
        print(f"podium: {exc.message}", file=sys.stderr)
        if isinstance(exc, ProgrammeError):
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
