"""The outside probes of issues 11 and 23, kept as a command: real servers on loopback,
bounded runs, figures printed as JSON (docs/security.md, "Probe", quotes them with this
command). Run it with ``PYTHONPATH=OTHER/server`` to probe another checkout's server (the
"before" figures): the scenarios speak to the servers only over HTTP.

    .venv/bin/python -m tests.probe slowloris      [--seconds BOUND] [--sockets N] [--fd-limit N]
    .venv/bin/python -m tests.probe hung-redis     [--seconds BOUND]
    .venv/bin/python -m tests.probe idle-hang      [--seconds HANG]
    .venv/bin/python -m tests.probe sigkill        [--seconds BUDGET] [--store files|redis|both]
    .venv/bin/python -m tests.probe automations    [--kills N] [--when retrying|ack|both]
                                                   [--store files|redis|both]
    .venv/bin/python -m tests.probe hung-questions [--seconds BOUND]
    .venv/bin/python -m tests.probe forged-votes   [--votes N] [--limit-loopback]

- slowloris: N sockets send half a request and stop, against a server limited to
  ``--fd-limit`` open files with a header bound of ``--seconds``: how many were closed
  within the bound (plus a second), /healthz answers during the attack, fds before/after.
- hung-redis: SIGSTOP redis-server, send ``add_time`` with a command_id (store bound
  ``--seconds``): the answer, /healthz, and a retry after SIGCONT (applied once?).
- idle-hang: two processes on one Redis and no command at all: SIGSTOP redis-server for
  ``--seconds`` (12), then SIGCONT; /readyz, /healthz and ``podium_store_up`` read on
  both every 0.25 s: when each turned, and turned back.
- sigkill: three moderators send commands at once; SIGKILL at random moments for about
  ``--seconds`` (3 kills at least), restart, check: acked vs lost, files and Redis.
- automations: ``--kills`` rounds of one webhook event each (a message shown): SIGKILL the
  process sending it while it retries a receiver that failed the first attempt
  (``retrying``), or the process that took the command right after its ack (``ack``);
  with Redis the other process must deliver it, with files the restarted one. Delivered,
  lost, duplicates, the Idempotency-Key, how long after the kill.
- hung-questions (issue 23): SIGSTOP redis-server, then at once an ask, a vote and an
  approval with command ids (store bound ``--seconds``), then one more ask: the answers;
  SIGCONT, the same three again: one question with the same id, one vote, one approval?
- forged-votes (issue 23): one address votes ``--votes`` times for one question with
  made-up and altered voter ids, then with every voter id it can get issued, each twice,
  then for its own question (``--limit-loopback``: the per-address limits apply to it).

The scenarios are the tests' own (tests/server/test_guard.py, tests/server/test_faults.py,
tests/server/test_automations_live.py, tests/server/test_questions_probe.py) with bigger
numbers; this file only runs them and prints what they saw.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import ASSISTANT, Server
from tests.redis_server import RedisServer, redis_for_test
from tests.server.test_automations_live import takeover_run
from tests.server.test_faults import hung_redis_run, idle_hang_run, sigkill_run
from tests.server.test_guard import slowloris_run
from tests.server.test_questions_probe import forged_votes_run, hung_questions_run

SECONDS_PER_KILL = 2.0  # a kill round: driving for up to 0.8 s, then a restart


def slowloris(where: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    return [slowloris_run(where, args.sockets, args.seconds, args.fd_limit)]


def on_redis(where: Path, run: Callable[[RedisServer], dict[str, Any]]) -> list[dict[str, Any]]:
    """One scenario against a redis-server of its own, stopped after it."""
    redis = redis_for_test(where / "redis")
    try:
        return [run(redis)]
    finally:
        redis.finish()


def hung_redis(where: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    return on_redis(where, lambda redis: hung_redis_run(where, redis, store_timeout=args.seconds))


def idle_hang(where: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    return on_redis(where, lambda redis: idle_hang_run(where, redis, hang_s=args.seconds))


def automations(where: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for store in ("files", "redis") if args.store == "both" else (args.store,):
        for when in ("retrying", "ack") if args.when == "both" else (args.when,):
            run_dir = where / f"{store}-{when}"
            run_dir.mkdir()
            redis = redis_for_test(run_dir / "redis") if store == "redis" else None
            try:
                figures = asyncio.run(takeover_run(run_dir, redis, args.kills, when))
            finally:
                if redis:
                    redis.finish()
            if not args.rows:
                figures.pop("rows")
            results.append({"store": store, **figures})
    return results


def sigkill(where: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    rounds = max(3, int(args.seconds / SECONDS_PER_KILL))
    results = []
    for store in ("files", "redis") if args.store == "both" else (args.store,):
        run_dir = where / store
        run_dir.mkdir()
        redis = redis_for_test(run_dir / "redis") if store == "redis" else None
        try:
            url = redis.url if redis else None
            rng = random.Random(args.seed)
            figures = asyncio.run(sigkill_run(run_dir, url, rng, rounds=rounds, senders=3))
        finally:
            if redis:
                redis.finish()
        results.append({"store": store, "seed": args.seed, **figures})
    return results


def hung_questions(where: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    return on_redis(
        where, lambda redis: hung_questions_run(where, redis, store_timeout=args.seconds)
    )


def forged_votes(where: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    extra = ["--limit-loopback"] if args.limit_loopback else []
    env = {"PODIUM_QUESTIONS_TOKEN": ASSISTANT}
    server = Server(data_dir=where / "data", extra_args=extra, env=env).start()
    try:
        figures = forged_votes_run(server, args.votes)
        return [{"limit_loopback": args.limit_loopback, **figures}]
    finally:
        server.kill()


SCENARIOS = {
    "slowloris": slowloris,
    "hung-redis": hung_redis,
    "idle-hang": idle_hang,
    "sigkill": sigkill,
    "automations": automations,
    "hung-questions": hung_questions,
    "forged-votes": forged_votes,
}
DEFAULT_SECONDS = {"sigkill": 20.0, "idle-hang": 12.0}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.probe",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--seconds", type=float, default=None,
                        help="slowloris: header bound (2); hung-redis, hung-questions:"
                        " store bound (2); idle-hang: how long Redis hangs (12);"
                        " sigkill: time budget (20)")  # fmt: skip
    parser.add_argument("--sockets", type=int, default=3000, help="slowloris sockets")
    parser.add_argument("--fd-limit", type=int, default=1024, help="the server's open files")
    parser.add_argument("--store", choices=["files", "redis", "both"], default="both")
    parser.add_argument("--votes", type=int, default=400, help="forged-votes: votes sent")
    parser.add_argument("--limit-loopback", action="store_true",
                        help="forged-votes: the server limits loopback clients too")  # fmt: skip
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30),
                        help="sigkill: the seed of the kill points (replays a run)")  # fmt: skip
    parser.add_argument("--kills", type=int, default=10, help="automations: rounds (10)")
    parser.add_argument("--when", choices=["retrying", "ack", "both"], default="both",
                        help="automations: kill the sender while it retries, or the process"
                        " that took the command right after its ack")  # fmt: skip
    parser.add_argument("--rows", action="store_true", help="automations: each round too")
    args = parser.parse_args()
    if args.seconds is None:
        args.seconds = DEFAULT_SECONDS.get(args.scenario, 2.0)
    with tempfile.TemporaryDirectory(prefix="podium-probe-") as tmp:
        for figures in SCENARIOS[args.scenario](Path(tmp), args):
            print(json.dumps({"scenario": args.scenario, **figures}), flush=True)


if __name__ == "__main__":
    main()
