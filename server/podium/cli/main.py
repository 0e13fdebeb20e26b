"""The podium command: serve, check, and the tools around them."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from podium.cli.ctl import DEFAULT_URL
from podium.core.errors import PodiumError, ProgrammeError
from podium.report.formats import FORMATS
from podium.runtime.bundled import seed_programme
from podium.runtime.fanout import MAX_HELPERS

DEFAULT_PROGRAMME = seed_programme()

Command = Callable[[argparse.Namespace], int]


def _later(module: str, name: str) -> Command:
    """The subcommand ``name`` of ``module``, imported when it runs: ``podium serve`` loads
    neither the bench, nor the agenda reader, nor the terminal UI (its imports take a third
    less time)."""

    def run(args: argparse.Namespace) -> int:
        command: Command = getattr(importlib.import_module(module), name)
        return command(args)

    return run


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _threads(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_HELPERS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to {MAX_HELPERS}")
    return int(text)


def _programmes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "programme",
        nargs="*",
        default=[str(DEFAULT_PROGRAMME)],
        help="programme files (default: the seed event)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="podium", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve one or more programmes (rooms)")
    _programmes(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port",
        type=int,
        default=8080,
        help="0 picks a free port; the first line printed (Podium is serving ... at URL) names it",
    )
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
        "--frame-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a site (https://host[:port]) that may embed the viewer page in an iframe;"
        " repeat for more (default: no site may frame any page but the overlay)",
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
        "--fanout-threads",
        type=_threads,
        default=os.environ.get("PODIUM_FANOUT_THREADS"),
        metavar="N",
        help="threads besides the event loop's that write each change to the viewers'"
        " sockets, on other CPUs (default: one per further CPU this process may use, at"
        f" most {MAX_HELPERS}; 0: the loop writes alone; or PODIUM_FANOUT_THREADS)",
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
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="CIDR",
        help="a reverse proxy (10.0.0.5, 10.0.0.0/24) whose Forwarded or X-Forwarded-For"
        " header names the client: the per-address limits and the access log then see the"
        " viewers, not the proxy; repeat for more (or PODIUM_TRUSTED_PROXIES, space-separated)."
        " From any other address the headers are ignored",
    )
    serve.add_argument(
        "--heartbeat", type=float, default=20.0, help="seconds between WebSocket pings"
    )
    serve.add_argument(
        "--limit-loopback",
        action="store_true",
        help="apply the per-address limits to loopback clients too (off: a local reverse"
        " proxy not named with --trusted-proxy makes every client look like 127.0.0.1)",
    )
    for name, default, what in [
        ("commands", "60/10", "commands per moderator connection (and per address over HTTP)"),
        ("messages", "120/10", "messages per WebSocket connection"),
        ("connects", "300/10", "new WebSocket connections per client address"),
        ("questions", "5/60", "questions asked per client address and per connection"),
        ("votes", "60/60", "votes per client address"),
        ("voters", "20/60", "voter ids issued per client address"),
        ("signals", "5/30", "booth signals per interpreter token"),
        ("captions", "50/10", "caption lines per captioner (or moderator) token"),
    ]:
        serve.add_argument(
            f"--limit-{name}",
            default=os.environ.get(f"PODIUM_LIMIT_{name.upper()}", default),
            metavar="N/SECONDS",
            help=f"{what} (default {default})",
        )
    serve.set_defaults(func=_later("podium.cli.serve", "cmd_serve"))

    check = sub.add_parser("check", help="check programme files and print a summary")
    check.add_argument("file", nargs="+")
    check.set_defaults(func=_later("podium.cli.tools", "cmd_check"))

    token = sub.add_parser("token", help="manage access tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    rotate = token_sub.add_parser(
        "rotate", help="replace the moderator (or viewer) token; a running server adopts it"
    )
    rotate.add_argument("--viewer", action="store_true", help="rotate the viewer token instead")
    rotate.add_argument(
        "--speakers", action="store_true", help="replace every speaker's link (the speaker key)"
    )
    rotate.add_argument(
        "--questions", action="store_true", help="rotate the question assistant's token"
    )
    rotate.add_argument(
        "--interpreter", action="store_true", help="rotate the interpreters' booth's token"
    )
    rotate.add_argument("--captions", action="store_true", help="rotate the captioner's token")
    rotate.add_argument("--data-dir", default=os.environ.get("PODIUM_DATA_DIR", "data"))
    rotate.add_argument(
        "--redis",
        help="the Redis the servers share (or PODIUM_REDIS_URL): their secrets are kept there",
    )
    rotate.add_argument("--redis-prefix", default=os.environ.get("PODIUM_REDIS_PREFIX", "podium"))
    rotate.set_defaults(func=_later("podium.cli.tools", "cmd_token_rotate"))

    schema = sub.add_parser("schema", help="write the JSON Schemas of the protocol")
    schema.add_argument("--out", default="docs/schemas")
    schema.set_defaults(func=_later("podium.cli.tools", "cmd_schema"))

    url = os.environ.get("PODIUM_URL", DEFAULT_URL)
    p = sub.add_parser("import", help="turn an agenda (.txt or .csv) into a programme file")
    p.add_argument("agenda", help="a plain-text agenda, or a CSV with one row per speaker")
    p.add_argument("-o", "--output", help="write the programme here (default: stdout)")
    p.add_argument("--title", help="the event's title (CSV only)")
    p.add_argument("--timezone", help="the event's IANA time zone (CSV only)")
    p.add_argument("--id", help="the event's id (default: from its title)")
    p.add_argument("--date", help="the event's date, YYYY-MM-DD")
    p.set_defaults(func=_later("podium.cli.tools", "cmd_import"))

    p = sub.add_parser(
        "export",
        help="write a programme file, or with --data-dir the running plan, as CSV or TOML",
    )
    _programmes(p)
    p.add_argument(
        "--data-dir", help="the server's data dir: write the room's running plan from its store"
    )
    p.add_argument("--room", help="the room (event id) to export (default: the first)")
    p.add_argument(
        "--format",
        choices=("toml", "csv"),
        help="default: from -o's suffix, else toml with --data-dir and csv without",
    )
    p.add_argument("-o", "--output", help="write it here (default: stdout)")
    p.add_argument("--redis", help="redis://HOST:PORT/DB (or PODIUM_REDIS_URL)")
    p.add_argument("--redis-prefix", default=os.environ.get("PODIUM_REDIS_PREFIX", "podium"))
    p.set_defaults(func=_later("podium.cli.tools", "cmd_export"))

    p = sub.add_parser("report", help="planned against actual, from the action log")
    _programmes(p)
    p.add_argument("--room", help="the room (event id) to report on (default: the first)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-o", "--output", help="write the report here (default: stdout)")
    p.add_argument("--data-dir", default=os.environ.get("PODIUM_DATA_DIR", "data"))
    p.add_argument("--redis", help="redis://HOST:PORT/DB (or PODIUM_REDIS_URL)")
    p.add_argument("--redis-prefix", default=os.environ.get("PODIUM_REDIS_PREFIX", "podium"))
    p.set_defaults(func=_later("podium.cli.tools", "cmd_report"))

    p = sub.add_parser(
        "ctl", help="send a command (token: PODIUM_MODERATOR_TOKEN, else DATA_DIR/moderator.token)"
    )
    p.add_argument("action", help="start_session, next, previous, goto, pause, resume, ...")
    p.add_argument("args", nargs="*", help="the action's fields: by position or name=value")
    p.add_argument("--url", default=url, help=f"the server (default: $PODIUM_URL or {url})")
    p.add_argument("--room")
    p.add_argument("--expected-version", type=int)
    p.add_argument(
        "--cacert",
        metavar="FILE",
        help="trust the server's certificate (or its CA) in FILE: a proxy with a self-signed one",
    )
    p.add_argument(
        "--data-dir",
        default=os.environ.get("PODIUM_DATA_DIR") or "data",
        help="the server's data dir, whose moderator.token is used when"
        " PODIUM_MODERATOR_TOKEN is not set (default: $PODIUM_DATA_DIR or data)",
    )
    p.set_defaults(func=_later("podium.cli.ctl", "cmd_ctl"))

    p = sub.add_parser("watch", help="the live session, speaker and countdown in a terminal")
    p.add_argument("url", nargs="?", default=url, help=f"the server (default: {url})")
    p.add_argument("--room")
    p.add_argument("--once", action="store_true", help="print the current view once and exit")
    p.set_defaults(func=_later("podium.cli.watch", "cmd_watch"))

    bench = sub.add_parser(
        "bench",
        help="measure fan-out: viewers, latency, losses, memory (see docs/performance.md)",
        description="podium bench: fan-out at scale, measured.",
    )
    bench.add_argument("url", nargs="?", help="a running server (default: start one here)")
    bench.add_argument("--viewers", type=int, default=1000)
    bench.add_argument("--commands", type=int, default=20)
    bench.add_argument(
        "--processes",
        type=int,
        default=max(2, os.cpu_count() or 2),
        help="client processes the viewers are spread over",
    )
    bench.add_argument(
        "--concurrency", type=int, default=100, help="connections each process opens at once"
    )
    bench.add_argument(
        "--idle",
        type=float,
        default=10.0,
        help="seconds of a running timer to count idle bytes (0: skip)",
    )
    bench.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    bench.add_argument(
        "--baseline",
        action="store_true",
        help="also measure a bare broadcast server; print Podium/baseline",
    )
    bench.add_argument(
        "--reconnect-storm",
        action="store_true",
        help="drop every viewer at once and time until all are back",
    )
    bench.add_argument(
        "--question-storm",
        action="store_true",
        help="time timer changes without, then during, a storm of questions and votes",
    )
    bench.add_argument("--storm-questions", type=int, default=1000, help="questions asked")
    bench.add_argument("--storm-votes", type=int, default=10000, help="votes cast")
    bench.add_argument(
        "--storm-seconds", type=float, default=10.0, help="seconds the questions and votes span"
    )
    bench.add_argument(
        "--storm-rounds",
        type=int,
        default=1,
        help="calm phases and storms, in turn; the figures pool each kind",
    )
    bench.add_argument(
        "--pin",
        action="store_true",
        help="a CPU of its own for each server started here, the others for the load (Linux)",
    )
    bench.add_argument("--room", help="room id (default: the server's first room)")
    bench.add_argument(
        "--servers", type=int, default=1, help="local podium processes sharing --redis"
    )
    bench.add_argument("--redis", help="redis://HOST:PORT/DB for the local server(s)")
    bench.add_argument("--token", help="moderator token for URL (or PODIUM_MODERATOR_TOKEN)")
    bench.add_argument(
        "--questions-token",
        help="token that approves questions on URL (or PODIUM_QUESTIONS_TOKEN; default --token)",
    )
    bench.add_argument("--server-pid", type=int, help="pid of URL's server, for /proc figures")
    bench.set_defaults(func=_later("podium.bench.runner", "cmd_bench"))

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
