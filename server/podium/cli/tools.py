"""The ``podium`` subcommands around the live hour: check, import, export, report, token,
schema."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tomllib
from pathlib import Path

from podium.agenda import plausible
from podium.agenda.spreadsheet import CsvError, export_csv, import_csv
from podium.agenda.text import import_text
from podium.agenda.toml import to_toml
from podium.core.captions import Caption
from podium.core.config import programme_file, values
from podium.core.config.branding import contrast_warnings
from podium.core.config.programme import Programme
from podium.core.errors import InvalidInput, NotFound, ProgrammeError
from podium.core.questions import Question
from podium.core.wire.protocol import json_schemas
from podium.live.access.auth import SECRETS, Rotated, rotate
from podium.live.access.keeper import FileKeeper, Keeper
from podium.live.rooms.clock import wall_clock_ms
from podium.report.formats import render
from podium.report.replay import build
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


def summary(p: Programme) -> str:
    e = p.event
    plan = p.event.date.isoformat() if e.date else "the day it is served (no date set)"
    if len(p.days) > 1:
        plan = f"{p.days[0]} to {p.days[-1]} ({len(p.days)} days)"
    lines = [
        e.title,
        f"  zh: {e.title_zh}" if e.title_zh else "",
        f"  {e.theme}" if e.theme else "",
        f"  time zone {e.timezone}; plan date: {plan}",
        f"  languages: {', '.join(e.languages)} (floor language by default: {e.languages[0]})",
    ]
    if e.branding:
        b = e.branding
        lines.append(f"  branding: logo {b.logo_path.name}, primary {b.primary}, accent {b.accent}")
    total, day = 0, ""
    for s in p.sessions:
        if (title := p.day_title(s, p.plan_date_for(0))) != day:
            day = title
            lines += ["", f"  {day}"]
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
                f"    {values.format_duration(sp.allocation_ms):>7}  {sp.display_name}"
                f" ({sp.presence.value}) - {sp.affiliation}"
                + ("  [advances by itself at its end]" if sp.on_end else "")
                + (f"  [{sp.language}]" if len(e.languages) > 1 else "")
                + (f"  [script {sp.script_path.name}]" if sp.script_path else "")
            )
            if sp.display_name_zh != sp.display_name or sp.affiliation_zh:
                lines.append(f"             zh: {sp.display_name_zh} - {sp.affiliation_zh}")
        if not s.speakers:
            kind = "a break" if s.kind == "break" else "no speakers"
            lines.append(
                f"    {values.format_duration(s.duration_ms):>7}  ({kind}; the slot timer runs)"
            )
        total += len(s.speakers)
    lines.append("")
    zh = sum(bool(s.title_zh) for s in p.sessions)
    for automation in p.automations:
        signed = " (signed)" if automation.secret is not None else ""
        lines.append(f"  automation: {', '.join(automation.on)} -> {automation.target}{signed}")
    lines.append(f"  {len(p.sessions)} sessions ({zh} with a Chinese title), {total} speakers. OK")
    return "\n".join(line for line in lines if line is not None)


def cmd_check(args: argparse.Namespace) -> int:
    failed = False
    for path in args.file:
        try:
            programme = programme_file.load(path)
        except ProgrammeError as exc:
            failed = True
            print(f"{exc.path}: {len(exc.problems)} problem(s)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            continue
        print(summary(programme))
        warnings = contrast_warnings(programme.event.branding)
        warnings += plausible.warnings(programme, Path(path).read_text(encoding="utf-8"))
        if warnings:  # the event runs; the colours are hard to read where listed
            print(f"{path}: {len(warnings)} warning(s)", file=sys.stderr)
            for warning in warnings:
                print(f"  - {warning}", file=sys.stderr)
    return 1 if failed else 0


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
    toml = to_toml(imported.data, comments, imported.guessed)
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

    programmes = [programme_file.load(p) for p in args.programme]
    chosen = next((p for p in programmes if args.room in (None, p.id)), None)
    if chosen is None:
        raise NotFound(f"no programme for room {args.room!r}; rooms: "
                       + ", ".join(p.id for p in programmes))  # fmt: skip
    options = ServeOptions(programmes=programmes, data_dir=Path(args.data_dir),
                           redis_url=args.redis or os.environ.get("PODIUM_REDIS_URL") or None,
                           redis_prefix=args.redis_prefix)  # fmt: skip

    async def records() -> tuple[list[LogRecord], list[Question], list[Caption]]:
        store = make_store(options)
        await store.open()
        try:
            room = chosen.id
            return (await store.read_log(room), await store.load_questions(room),
                    await store.load_captions(room))  # fmt: skip
        finally:
            await store.close()

    log, asked, said = asyncio.run(records())
    if not log:
        raise NotFound(f"room {chosen.id!r} has no action log in {args.data_dir}; point"
                       " --data-dir (or --redis) at the store the server used")  # fmt: skip
    text, _ = render(build(chosen, log, wall_clock_ms(), asked, said), args.format)
    _write(text, args.output)
    return 0


def cmd_token_rotate(args: argparse.Namespace) -> int:
    role: Rotated = (
        "speaker"
        if args.speakers
        else "viewer"
        if args.viewer
        else "questions"
        if args.questions
        else "interpreter"
        if args.interpreter
        else "captioner"
        if args.captions
        else "moderator"
    )
    env = SECRETS[role].env
    if os.environ.get(env):
        raise InvalidInput(
            f"{env} is set, so the {role} token comes from the environment: change it there"
            " and restart, or unset it to let podium keep (and rotate) the token"
        )
    redis_url = args.redis or os.environ.get("PODIUM_REDIS_URL")
    if redis_url:  # the processes sharing that Redis share their secrets there
        from podium.store.secrets import SharedSecrets

        keeper: Keeper = SharedSecrets(redis_url, prefix=args.redis_prefix)
    else:
        keeper = FileKeeper(Path(args.data_dir))
    token = asyncio.run(_rotated(keeper, role))
    print(token)
    print(
        f"new {role} token written to {keeper.where(SECRETS[role].name)}; every running"
        f" server using it adopts it within a second and disconnects every {role}"
        " connection that used the old one",
        file=sys.stderr,
    )
    return 0


async def _rotated(keeper: Keeper, role: Rotated) -> str:
    try:
        return await rotate(keeper, role)
    finally:
        await keeper.close()


def cmd_schema(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (out / f"{name}.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(json_schemas())} schemas to {out}")
    return 0
