"""What a bench run is asked for (``Options``, checked from the command line), and how a
run fails (``BenchFailed``)."""

from __future__ import annotations

import argparse
import importlib.util
from dataclasses import dataclass

from rich.progress import Progress

from podium.core.errors import InvalidInput, PodiumError


class BenchFailed(PodiumError):
    code = "bench_failed"


@dataclass
class Options:
    viewers: int
    commands: int
    processes: int
    concurrency: int
    idle_s: float
    storm: bool
    session_id: str = ""
    progress: Progress | None = None


def check_options(args: argparse.Namespace) -> None:
    if args.viewers < 1:
        raise InvalidInput("--viewers must be at least 1")
    if args.commands < 1:
        raise InvalidInput("--commands must be at least 1")
    if not 1 <= args.processes <= 256:
        raise InvalidInput("--processes must be between 1 and 256")
    if args.processes > args.viewers:
        raise InvalidInput("--processes cannot exceed --viewers; use fewer processes")
    if args.concurrency < 1:
        raise InvalidInput("--concurrency must be at least 1")
    if args.idle < 0:
        raise InvalidInput("--idle must be 0 (skip) or more seconds")
    if args.servers < 1:
        raise InvalidInput("--servers must be at least 1")
    if args.servers > 1 and not args.redis:
        raise InvalidInput("several --servers share one event only through --redis URL")
    if args.url and (args.servers > 1 or args.redis):
        raise InvalidInput("--servers and --redis start local servers; give no URL with them")
    if args.question_storm and min(args.storm_questions, args.storm_votes) < 1:
        raise InvalidInput("--storm-questions and --storm-votes must be at least 1")
    if args.question_storm and args.storm_seconds <= 0:
        raise InvalidInput("--storm-seconds must be more than 0")
    if args.question_storm and args.storm_rounds < 1:
        raise InvalidInput("--storm-rounds must be at least 1")
    if args.pin and args.url:
        raise InvalidInput("--pin places the servers it starts; give no URL with it")
    if args.baseline and importlib.util.find_spec("socketify") is None:
        raise InvalidInput(
            "--baseline measures uWebSockets too, through socketify: pip install 'podium[bench]'"
        )
    if args.processes < args.servers:
        raise InvalidInput("give at least one client --processes per server")
