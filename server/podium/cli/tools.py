"""The ``podium`` subcommands around the live hour: import, export, report, ctl, watch."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tomllib
from pathlib import Path

from podium.agenda.spreadsheet import CsvError, export_csv, import_csv
from podium.agenda.text import import_text, to_toml
from podium.cli.ctl import DEFAULT_URL, CtlError, send
from podium.cli.main import DEFAULT_PROGRAMME
from podium.core import programme_file
from podium.core.errors import InvalidInput, NotFound
from podium.live.clock import wall_clock_ms
from podium.report.formats import FORMATS, render
from podium.report.model import build
from podium.store.base import LogRecord


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path} ({exc.strerror}); check the path") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text; save it as UTF-8 (CSV UTF-8)") from None


def cmd_import(args: argparse.Namespace) -> int:
    text = _read(args.agenda)
    name = Path(args.agenda).name
    if args.agenda.lower().endswith((".csv", ".tsv")):
        if not args.title or not args.timezone:
            raise InvalidInput("a CSV agenda has no event title or time zone; give them with"
                               " --title 'My Event' --timezone Europe/Zurich")  # fmt: skip
        try:
            imported = import_csv(text, args.title, args.timezone, args.id, args.date)
        except CsvError as exc:
            print(f"{name}: {len(exc.problems)} problem(s); nothing written", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
    else:
        imported = import_text(text)
        if args.id:
            imported.data["event"]["id"] = args.id
        if args.date:
            imported.data["event"]["date"] = args.date
    for note in imported.notes:
        print(f"{name}:{note.line}: {note.message}", file=sys.stderr)
    comments = [f"Imported from {name} by `podium import`; check it with `podium check`."]
    if imported.notes:
        comments += ["", "Check these (line numbers of the agenda):"]
        comments += [f"  {note}" for note in imported.notes]
    toml = to_toml(imported.data, comments)
    programme_file.parse(
        tomllib.loads(toml), name
    )  # refuse to write a programme that does not load
    _write(toml, args.output)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _write(export_csv(args.programme), args.output)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from podium.live.serve import ServeOptions, make_store

    programmes = [programme_file.load(p) for p in (args.programme or [str(DEFAULT_PROGRAMME)])]
    chosen = next((p for p in programmes if args.room in (None, p.id)), None)
    if chosen is None:
        raise NotFound(f"no programme for room {args.room!r}; rooms: "
                       + ", ".join(p.id for p in programmes))  # fmt: skip
    options = ServeOptions(programmes=programmes, data_dir=Path(args.data_dir),
                           redis_url=args.redis or os.environ.get("PODIUM_REDIS_URL") or None,
                           redis_prefix=args.redis_prefix)  # fmt: skip

    async def records() -> list[LogRecord]:
        store = make_store(options)
        await store.open()
        try:
            return await store.read_log(chosen.id)
        finally:
            await store.close()

    log = asyncio.run(records())
    if not log:
        raise NotFound(f"room {chosen.id!r} has no action log in {args.data_dir}; point"
                       " --data-dir (or --redis) at the store the server used")  # fmt: skip
    text, _ = render(build(chosen, log, wall_clock_ms()), args.format)
    _write(text, args.output)
    return 0


def cmd_ctl(args: argparse.Namespace) -> int:
    try:
        print(send(args.action, args.args, args.url, args.room, args.expected_version,
                   Path(args.data_dir)))  # fmt: skip
    except CtlError as exc:
        print(f"podium: {exc.code}: {exc.message}", file=sys.stderr)
        return 3 if exc.code == "unreachable" else 1
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from rich.console import Console

    from podium.cli.watch import follow, once

    console = Console()
    asyncio.run((once if args.once else follow)(args.url, args.room, console))
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    url = os.environ.get("PODIUM_URL", DEFAULT_URL)
    p = sub.add_parser("import", help="turn an agenda (.txt or .csv) into a programme file")
    p.add_argument("agenda", help="a plain-text agenda, or a CSV with one row per speaker")
    p.add_argument("-o", "--output", help="write the programme here (default: stdout)")
    p.add_argument("--title", help="the event's title (CSV only)")
    p.add_argument("--timezone", help="the event's IANA time zone (CSV only)")
    p.add_argument("--id", help="the event's id (default: from its title)")
    p.add_argument("--date", help="the event's date, YYYY-MM-DD")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write a programme as CSV, one row per speaker")
    p.add_argument("programme", nargs="?", default=str(DEFAULT_PROGRAMME))
    p.add_argument("-o", "--output", help="write the CSV here (default: stdout)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="planned against actual, from the action log")
    p.add_argument("programme", nargs="*", help="programme files (default: the seed event)")
    p.add_argument("--room", help="the room (event id) to report on (default: the first)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-o", "--output", help="write the report here (default: stdout)")
    p.add_argument("--data-dir", default=os.environ.get("PODIUM_DATA_DIR", "data"))
    p.add_argument("--redis", help="redis://HOST:PORT/DB (or PODIUM_REDIS_URL)")
    p.add_argument("--redis-prefix", default=os.environ.get("PODIUM_REDIS_PREFIX", "podium"))
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "ctl", help="send a command (token: PODIUM_MODERATOR_TOKEN, else DATA_DIR/moderator.token)"
    )
    p.add_argument("action", help="start_session, next, previous, goto, pause, resume, ...")
    p.add_argument("args", nargs="*", help="the action's fields: by position or name=value")
    p.add_argument("--url", default=url, help=f"the server (default: $PODIUM_URL or {url})")
    p.add_argument("--room")
    p.add_argument("--expected-version", type=int)
    p.add_argument(
        "--data-dir",
        default=os.environ.get("PODIUM_DATA_DIR") or "data",
        help="the server's data dir, whose moderator.token is used when"
        " PODIUM_MODERATOR_TOKEN is not set (default: $PODIUM_DATA_DIR or data)",
    )
    p.set_defaults(func=cmd_ctl)

    p = sub.add_parser("watch", help="the live session, speaker and countdown in a terminal")
    p.add_argument("url", nargs="?", default=url, help=f"the server (default: {url})")
    p.add_argument("--room")
    p.add_argument("--once", action="store_true", help="print the current view once and exit")
    p.set_defaults(func=cmd_watch)
