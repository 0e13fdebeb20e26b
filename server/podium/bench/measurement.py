"""One server under test measured: its viewers join, each command is timed until every viewer
holds it, the idle window, the reconnect storm, the question storm, and the figures
collected at the end."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from podium.bench.fleet import Fleet
from podium.bench.moderator import TIMER_MIX, Moderator, plan
from podium.bench.options import BenchFailed, Options
from podium.bench.questions import Storm, run_storm, warm_up
from podium.bench.report import summary
from podium.bench.servers import (
    Target,
    proc_sample,
)
from podium.core.errors import present

SETTLE_S = 0.05  # pause between commands, so each is measured on its own
TIMER_EVERY_S = 0.2  # the question storm's timer changes: at most 5 a second, under the
# server's limit of commands per moderator connection (60 in 10 s)

# a phase of the question storm: version -> (sent, acked) in time_ns, the refusals, its
# seconds and the server's CPU seconds in it (None when the server is not local)
Phase = tuple[dict[int, tuple[int, int]], list[str], float, float | None]
SUMMED = ("questions", "questions_accepted", "approved", "votes", "votes_counted",
          "refused_total", "storm_cpu_s")  # fmt: skip


def progress_task(opts: Options, label: str, total: int) -> Callable[[int], None]:
    progress = opts.progress
    if progress is None:
        return lambda done: None
    task = progress.add_task(label, total=total)
    return lambda done: progress.update(task, completed=done)


def _after(deadline: float) -> Callable[[], bool]:
    return lambda: time.monotonic() > deadline


def _pooled(a: Phase, b: Phase) -> Phase:
    cpu = None if a[3] is None or b[3] is None else a[3] + b[3]
    return {**a[0], **b[0]}, a[1] + b[1], a[2] + b[2], cpu


def _ratio(without: dict[str, Any], with_storm: dict[str, Any]) -> float | None:
    a, b = without["latency_ms"]["p99"], with_storm["latency_ms"]["p99"]
    return round(b / a, 2) if a and b else None


def _summed(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The storms' counts over the rounds: sums, the slowest round's seconds."""
    refused: dict[str, int] = {}
    for counts in rounds:
        for kind, n in counts["refused"].items():
            refused[kind] = refused.get(kind, 0) + n
    return {
        "started_ns": rounds[0]["started_ns"],
        "ended_ns": rounds[-1]["ended_ns"],
        "seconds": max(r["seconds"] for r in rounds),
        "sent_in_s": max(r["sent_in_s"] for r in rounds),
        "phones": rounds[0]["phones"],
        **{key: round(sum(r[key] for r in rounds), 2) for key in SUMMED},
        "refused": refused,
    }


class Measurement:
    """One server under test: its viewers, its moderator, and what was measured.

    The bench drives several of these in step (Podium and the baseline take turns, command
    by command), so a burst of load from elsewhere on a shared machine hits both alike.
    """

    def __init__(self, target: Target, opts: Options) -> None:
        self.target = target
        self.opts = opts
        self.fleet: Fleet | None = None
        self.moderator: Moderator | None = None
        self.joined = 0
        self.samples: dict[str, tuple[float, int] | None] = {}
        self.sent: dict[int, int] = {}
        self.acks: list[float] = []
        self.per_command: list[dict[str, Any]] = []
        self.command_cpu_s = 0.0  # server CPU from each command sent until all have it
        self.result: dict[str, Any] = {
            "viewers": opts.viewers,
            "idle": None,
            "storm": None,
            "question_storm": None,
        }

    def sample(self, name: str) -> None:
        self.samples[name] = proc_sample(self.target.pids)

    def connected(self) -> tuple[Fleet, Moderator]:
        """The viewers' fleet and the moderator, which ``join`` opened."""
        before_join = f"{self.target.name}: measured before join()"
        return present(self.fleet, before_join), present(self.moderator, before_join)

    async def _everyone_has(self, version: int) -> None:
        fleet, joined = self.connected()[0], self.joined
        await fleet.until(lambda: fleet.have(version) >= joined, timeout=10 + joined / 500)

    async def join(self) -> None:
        """Start the client processes, connect every viewer, then the moderator."""
        n = self.opts.viewers
        self.fleet = fleet = await Fleet.start(self.target.ws_urls, self.opts)
        self.sample("before")
        show = progress_task(self.opts, f"{self.target.name}: joining", n)
        started = time.time_ns()
        fleet.send(("join",))
        await fleet.until(
            lambda: fleet.joined + fleet.failed >= n, 60 + n / 50, lambda: show(fleet.joined)
        )
        self.result["join_s"] = round((time.time_ns() - started) / 1e9, 3)
        self.joined = fleet.joined
        if self.joined == 0:
            raise BenchFailed(f"no viewer could connect to {self.target.ws_url}")
        self.sample("joined")
        self.moderator = moderator = await Moderator.open(self.target.ws_url, self.target.token)
        if moderator.state.get("phase") != "live":
            start = {"action": "start_session", "session_id": self.opts.session_id}
            version, _, _ = await moderator.send(start)
            await self._everyone_has(version)

    async def command(self, index: int) -> None:
        """The ``index``-th command of the mix, timed until every viewer has it."""
        moderator = self.connected()[1]
        await moderator.caught_up(max(self.sent, default=0))
        before = proc_sample(self.target.pids)
        command = plan(index, moderator.state)
        version, sent_at, acked_at = await moderator.send(command)
        self.sent[version] = sent_at
        self.acks.append((acked_at - sent_at) / 1e6)
        await self._everyone_has(version)
        after = proc_sample(self.target.pids)
        if before is not None and after is not None:
            self.command_cpu_s += after[0] - before[0]
        await moderator.caught_up(version)
        self.per_command.append(
            {
                "version": version,
                "action": command["action"],
                "ack_ms": round((acked_at - sent_at) / 1e6, 2),
                "stamped_after_ms": moderator.stamped[version] - sent_at // 1_000_000,
            }
        )

    async def run_timer(self) -> None:
        """Make sure a speaker's timer runs (for the idle window)."""
        moderator = self.connected()[1]
        await moderator.caught_up(max(self.sent, default=0))
        if (moderator.state.get("timer") or {}).get("status") == "paused":
            version, _, _ = await moderator.send({"action": "resume"})
            await self._everyone_has(version)

    async def wire_bytes(self) -> int:
        return sum(r[1] for r in await self.connected()[0].ask(("mark",), 30))

    def idle(self, first: int, last: int, seconds: float) -> None:
        per_min = (last - first) / self.joined * 60 / seconds
        start, end = self.samples.get("idle_start"), self.samples.get("idle_end")
        cpu = round((end[0] - start[0]) * 100 / seconds, 1) if start and end else None
        self.result["idle"] = {
            "window_s": seconds,
            "bytes_per_viewer_per_min": round(per_min, 2),
            "server_cpu_percent": cpu,
        }

    async def storm(self) -> None:
        """Drop every viewer at once; time until all are back with the current version."""
        fleet, moderator = self.connected()
        show = progress_task(self.opts, f"{self.target.name}: reconnect storm", 1)
        dropped_at = time.time_ns()
        answers = await fleet.ask(("storm", moderator.version), 120 + self.joined / 50)
        last_back = max(a[1] for a in answers)
        self.result["storm"] = {
            "back": sum(a[2] for a in answers),
            "failed": sum(a[3] for a in answers),
            "back_s": round((last_back - dropped_at) / 1e9, 3) if last_back else None,
        }
        show(1)

    async def _timer_changes(
        self, until: Callable[[], bool]
    ) -> tuple[dict[int, tuple[int, int]], list[str]]:
        """Timer changes one after the other, each until every viewer has it, as long as
        ``until()`` is false: version -> (sent, acked) in time_ns, and the refusals (e.g.
        the store not answering in time), which the bench counts and goes on after."""
        moderator = self.connected()[1]
        done: dict[int, tuple[int, int]] = {}
        refused: list[str] = []
        while not until():
            await moderator.caught_up(max(done, default=0))
            command = plan(len(done) + len(refused), moderator.state, TIMER_MIX)
            try:
                version, sent_at, acked_at = await moderator.send(command)
            except (BenchFailed, TimeoutError) as exc:
                refused.append(str(exc) or "no answer within 60 s")
                await asyncio.sleep(TIMER_EVERY_S)
                continue
            done[version] = (sent_at, acked_at)
            await self._everyone_has(version)
            await asyncio.sleep(max(SETTLE_S, TIMER_EVERY_S - (time.time_ns() - sent_at) / 1e9))
        return done, refused

    async def _phase(self, phase: Phase) -> dict[str, Any]:
        """The figures of a phase of the question storm: its timer changes' delivery."""
        fleet, moderator = self.connected()
        done, refused, seconds, cpu_s = phase
        await moderator.caught_up(max(done, default=0))
        commands = {v: (sent, moderator.stamped[v]) for v, (sent, _) in done.items()}
        reports = [r[1] for r in await fleet.ask(("report", commands), 120)]
        latencies = [x for r in reports for xs in r["latencies_ms"].values() for x in xs]
        return {
            "commands": len(done),
            "refused": refused,
            "deliveries": len(latencies),
            "lost": sum(r["lost"] for r in reports),
            "latency_ms": summary(latencies),
            "fanout_ms": summary([x for r in reports for x in r["fanout_ms"]]),
            "ack_ms": summary([(acked - sent) / 1e6 for sent, acked in done.values()]),
            "server_cpu_percent": None if cpu_s is None else round(cpu_s * 100 / seconds, 1),
        }

    def _cpu_since(self, before: tuple[float, int] | None) -> float | None:
        after = proc_sample(self.target.pids)
        return None if before is None or after is None else after[0] - before[0]

    async def question_storm(self, storm: Storm) -> None:
        """``storm.rounds`` times: timer changes for ``storm.seconds`` without a storm, then
        while a process of its own asks, approves and votes (``questions.run_storm``). The
        figures pool each kind of phase over the rounds (``per_round`` has each alone): a
        10 s phase holds only 20-45 changes at 10,000 viewers, so its p99 is nearly its
        slowest change, and the rounds, taking turns, share the machine's moods."""
        show = progress_task(self.opts, f"{self.target.name}: question storm", 2 * storm.rounds)
        loop = asyncio.get_running_loop()
        calm: Phase = ({}, [], 0.0, 0.0)
        stormy: Phase = ({}, [], 0.0, 0.0)
        rounds: list[dict[str, Any]] = []
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            await loop.run_in_executor(pool, warm_up)
            for n in range(storm.rounds):
                before, started = proc_sample(self.target.pids), time.monotonic()
                done = await self._timer_changes(_after(started + storm.seconds))
                this_calm = (*done, time.monotonic() - started, self._cpu_since(before))
                show(2 * n + 1)
                before, started = proc_sample(self.target.pids), time.monotonic()
                running = loop.run_in_executor(pool, run_storm, storm)
                done = await self._timer_changes(running.done)
                counts = await running
                kept = {v: t for v, t in done[0].items() if t[0] <= counts["ended_ns"]}
                this_storm = (kept, done[1], time.monotonic() - started, self._cpu_since(before))
                ratio = _ratio(await self._phase(this_calm), await self._phase(this_storm))
                rounds.append({**counts, "p99_ratio": ratio})
                calm, stormy = _pooled(calm, this_calm), _pooled(stormy, this_storm)
                show(2 * n + 2)
        without, with_storm = await self._phase(calm), await self._phase(stormy)
        self.result["question_storm"] = {
            **_summed(rounds),
            "rounds": storm.rounds,
            "without": without,
            "with": with_storm,
            "p99_ratio": _ratio(without, with_storm),
            "per_round": rounds,
        }

    async def finish(self) -> dict[str, Any]:
        """Collect every viewer's figures and stop the client processes."""
        fleet, moderator = self.connected()
        stamped = moderator.stamped
        commands = {v: (sent, stamped[v]) for v, sent in self.sent.items()}
        reports = [r[1] for r in await fleet.ask(("report", commands), 120)]
        by_version = {v: [x for r in reports for x in r["latencies_ms"][v]] for v in self.sent}
        latencies = [x for values in by_version.values() for x in values]
        for row in self.per_command:
            figures = summary(by_version[row["version"]])
            row |= {"p50_ms": figures["p50"], "p99_ms": figures["p99"], "max_ms": figures["max"]}
        self.result |= {
            "viewers_connected": self.joined,
            "join_failed": self.opts.viewers - self.joined,
            "connect_ms": summary([x for r in reports for x in r["connect_ms"]]),
            "commands": len(self.sent),
            "deliveries": len(latencies),
            "lost": sum(r["lost"] for r in reports),
            "latency_ms": summary(latencies),
            # each change's own p99 over its viewers, then across the changes: one slow
            # change moves the pooled p99 above; here it moves only the worst change
            "change_p99_ms": summary([row["p99_ms"] for row in self.per_command]),
            "fanout_ms": summary([x for r in reports for x in r["fanout_ms"]]),
            "ack_ms": summary(self.acks),
            "frame_bytes": moderator.frame_bytes,
            "change_bytes": summary([moderator.change_bytes[v] for v in self.sent]),
            "server": self._server_figures(),
            "per_command": self.per_command,
        }
        await self.close()
        return self.result

    async def close(self) -> None:
        if self.moderator is not None:
            await self.moderator.close()
            self.moderator = None
        if self.fleet is not None:
            self.fleet.stop()
            self.fleet = None

    def _server_figures(self) -> dict[str, Any] | None:
        s = self.samples
        before, joined = s.get("before"), s.get("joined")
        if before is None or joined is None:
            return None
        cpu = self.command_cpu_s
        commands = max(1, len(self.sent))
        return {
            "rss_mib": round(joined[1] / 2**20, 1),
            "rss_kib_per_viewer": round((joined[1] - before[1]) / 1024 / self.joined, 2),
            "cpu_join_s": round(joined[0] - before[0], 2),
            "cpu_us_per_join": round((joined[0] - before[0]) * 1e6 / self.joined, 1),
            "cpu_commands_s": round(cpu, 3),
            "cpu_ms_per_command": round(cpu * 1000 / commands, 2),
            "cpu_us_per_delivery": round(cpu * 1e6 / (commands * self.joined), 3),
        }
