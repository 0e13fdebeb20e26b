"""``podium bench``: fan-out at scale, measured.

Connect N viewers spread over P client processes (``podium.bench.client``), wait until every
one has its snapshot, then have a moderator issue M commands (a realistic mix: next, pause,
resume, add_time, show_message) one after the other. For every viewer and every command
the delay from the command being sent to that viewer first holding the new version is
measured on one clock (``time.time_ns``, shared by all processes of the machine). Then a
timer runs with nothing happening, to count idle bytes; optionally every viewer is dropped
at once and the bench times until all are back with the current version.

Without a URL the bench starts its own ``podium serve`` for the seed event (temporary data
dir, known moderator token, a free loopback port) and reads the server's CPU time and
memory from ``/proc``. ``--baseline`` then measures, the same way and in the same run, two
broadcast servers sending Podium's whole state on every change, as Podium did before it
sent deltas: a minimal Python one (``podium.bench.baseline``) and uWebSockets, a native
one (``podium.bench.native``), and reports Podium's ratios to each.

This module runs the whole: the servers, then the commands in turn on each (so a burst of
load from elsewhere hits Podium and the baseline alike), then the report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from podium.bench.measurement import SETTLE_S, Measurement, progress_task
from podium.bench.options import Options, check_options
from podium.bench.questions import Storm
from podium.bench.report import ratios, table
from podium.bench.servers import (
    Target,
    http_json,
    local_server,
    pick_session,
    pin_cpus,
    ws_and_http,
)
from podium.core.errors import InvalidInput
from podium.runtime.eventloop import new_runner
from podium.runtime.fdlimit import raise_open_file_limit


async def measure(runs: list[Measurement], opts: Options, storm: Storm | None) -> None:
    """Commands in turn on every server, then the idle window, then the storms (the
    question storm on Podium only)."""
    show = progress_task(opts, "commands" + (" (in turn)" if len(runs) > 1 else ""), opts.commands)
    for i in range(opts.commands):
        for run in runs:
            await run.command(i)
            await asyncio.sleep(SETTLE_S)
        show(i + 1)
    if opts.idle_s > 0:
        for run in runs:
            await run.run_timer()
        first = [await run.wire_bytes() for run in runs]
        for run in runs:
            run.sample("idle_start")
        await asyncio.sleep(opts.idle_s)
        for run in runs:
            run.sample("idle_end")
        last = [await run.wire_bytes() for run in runs]
        for run, a, b in zip(runs, first, last, strict=True):
            run.idle(a, b, opts.idle_s)
    if storm is not None:
        await runs[0].question_storm(storm)
    if opts.storm:
        for run in runs:
            await run.storm()


REFERENCES = ("baseline", "native")  # --baseline: the bare Python server, uWebSockets


def machine() -> dict[str, Any]:
    mem = Path("/proc/meminfo")
    total = mem.read_text().split("\n", 1)[0].split()[1] if mem.exists() else None
    return {
        "nproc": os.cpu_count(),
        "mem_total_kib": int(total) if total else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_before": list(os.getloadavg()),
        # what the local servers were told (``podium serve --fanout-threads``); "auto":
        # one helper per further CPU each may use (none with --pin)
        "fanout_threads": os.environ.get("PODIUM_FANOUT_THREADS", "auto"),
    }


def baseline_payload(state: dict[str, Any]) -> dict[str, Any]:
    """Podium's live state with a message shown: the size of a typical state frame."""
    message = {"text": "Please take your seats (0)", "target": "viewers", "at": 0}
    return {**state, "message": state.get("message") or message}


def podium_target(
    args: argparse.Namespace,
    workdir: Path,
    stack: contextlib.ExitStack,
    cpus: list[set[int]] | None,
) -> Target:
    """The server at URL, or one started here for the seed event (each on its ``cpus``)."""
    if args.url:
        ws, http = ws_and_http(args.url, args.room)
        token = args.token or os.environ.get("PODIUM_MODERATOR_TOKEN", "")
        if not token:
            raise InvalidInput("give the moderator token: --token or PODIUM_MODERATOR_TOKEN")
        pids = [args.server_pid] if args.server_pid else []
        assistant = args.questions_token or os.environ.get("PODIUM_QUESTIONS_TOKEN", "")
        return Target("podium", [ws], http, token, pids, assistant or token)
    token, assistant = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    env = {"PODIUM_MODERATOR_TOKEN": token, "PODIUM_QUESTIONS_TOKEN": assistant}
    shared = ["--redis", args.redis, "--redis-prefix", f"bench-{secrets.token_hex(4)}"]
    target = Target("podium", [], "", token, questions_token=assistant)
    for i in range(args.servers):
        serve = ["podium.cli", "serve", "--data-dir", str(workdir / f"data-{i}")]
        name = "podium" if args.servers == 1 else f"podium-{i + 1}"
        port, pid = stack.enter_context(
            local_server(
                name,
                serve + (shared if args.redis else []),
                workdir,
                env,
                cpus[i] if cpus else None,
            )
        )
        ws, http = ws_and_http(f"http://127.0.0.1:{port}", args.room)
        target.ws_urls.append(ws)
        target.pids.append(pid)
        target.http_url = target.http_url or http
    return target


async def run_bench(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    opts = Options(
        viewers=args.viewers,
        commands=args.commands,
        processes=args.processes,
        concurrency=args.concurrency,
        idle_s=args.idle,
        storm=args.reconnect_storm,
    )
    report: dict[str, Any] = {
        "viewers": args.viewers,
        "commands": args.commands,
        "processes": args.processes,
        "servers": args.servers,
        "store": "redis" if args.redis else ("files" if not args.url else None),
        "command_line": "podium bench " + " ".join(sys.argv[2:]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "url": args.url,
    }
    cpus = pin_cpus(args.servers) if args.pin else None
    if cpus:
        load = sorted(os.sched_getaffinity(0))
        report["pinned"] = {"servers": [sorted(c) for c in cpus], "load": load}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        tempfile.TemporaryDirectory(prefix="podium-bench-") as tmp,
        Progress(*columns, console=console, transient=False) as progress,
    ):
        opts.progress = progress
        workdir = Path(tmp)
        runs: list[Measurement] = []
        with contextlib.ExitStack() as stack:
            try:
                podium = Measurement(podium_target(args, workdir, stack, cpus), opts)
                runs.append(podium)
                opts.session_id = pick_session(podium.target.http_url, args.room)
                await podium.join()
                if args.baseline:
                    state = http_json(f"{podium.target.http_url}/api/state")["state"]
                    state_file = workdir / "state.json"
                    state_file.write_text(json.dumps(baseline_payload(state)))
                    for name in REFERENCES:
                        base = [f"podium.bench.{name}", "--state", str(state_file)]
                        port, pid = stack.enter_context(
                            local_server(name, base, workdir, {}, cpus[0] if cpus else None)
                        )
                        ws, http = ws_and_http(f"http://127.0.0.1:{port}", None)
                        reference = Measurement(Target(name, [ws], http, name, [pid]), opts)
                        runs.append(reference)
                        await reference.join()
                storm = None
                if args.question_storm:
                    storm = Storm(
                        podium.target.http_url,
                        podium.target.ws_url,
                        args.room,
                        podium.target.questions_token,
                        args.storm_questions,
                        args.storm_votes,
                        args.storm_seconds,
                        args.storm_rounds,
                    )
                await measure(runs, opts, storm)
                for run in runs:
                    report[run.target.name] = await run.finish()
            finally:
                for run in runs:
                    await run.close()
        if args.baseline:
            report["ratios"] = ratios(report["podium"], report["baseline"])
            report["native_ratios"] = ratios(report["podium"], report["native"])
    report["machine"]["load_after"] = list(os.getloadavg())
    return report


def cmd_bench(args: argparse.Namespace) -> int:
    check_options(args)
    raise_open_file_limit()
    console = Console(stderr=True)
    with new_runner() as runner:
        report = runner.run(run_bench(args, console))
    # five columns with --baseline: wide enough for them where no terminal says its width
    Console(width=None if sys.stdout.isatty() else 160).print(table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    podium = report["podium"]
    questions = podium["question_storm"] or {}
    phases = [questions[k] for k in ("without", "with") if k in questions]
    lost = podium["lost"] + sum(p["lost"] + len(p["refused"]) for p in phases)
    return 0 if lost == 0 and podium["join_failed"] == 0 and not questions.get("refused") else 1
