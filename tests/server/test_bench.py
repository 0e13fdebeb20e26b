"""``podium bench``: a small run against real servers checks that it counts right.

No timing assertions: the figures depend on the machine; only the counts must be exact.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import multiprocessing
import os
import subprocess
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import Frame, Opcode

from podium.bench.client import Viewer, ViewerConnection, Worker, split_frames, version_of
from podium.bench.report import ratios, summary
from podium.runtime.fanout import MIN_SPREAD
from tests.helpers import TOKEN, Server, free_port, podium
from tests.redis_server import RedisServer

VIEWERS = MIN_SPREAD + 22  # a pass large enough for the fan-out's threads (--fanout-threads)
COMMANDS = 6
QUANTILES = ("p50", "p95", "p99", "max")


def bench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return podium("bench", *args, timeout=120, env=env)


def check_counts(result: dict, viewers: int, commands: int) -> None:
    assert result["viewers_connected"] == viewers
    assert result["join_failed"] == 0
    assert result["commands"] == commands
    assert result["deliveries"] == viewers * commands  # every viewer got every version
    assert result["lost"] == 0
    latency = [result["latency_ms"][q] for q in QUANTILES]
    assert latency == sorted(latency)
    assert [c["version"] for c in result["per_command"]] == sorted(
        c["version"] for c in result["per_command"]
    )
    assert len(result["per_command"]) == commands
    each = sorted(c["p99_ms"] for c in result["per_command"])  # a change's p99 over its viewers
    assert result["change_p99_ms"]["p50"] == each[(len(each) + 1) // 2 - 1]
    assert result["change_p99_ms"]["max"] == each[-1] <= result["latency_ms"]["max"]
    assert result["fanout_ms"]["p50"] is not None
    assert result["ack_ms"]["p50"] is not None
    assert result["frame_bytes"] > 500


@pytest.mark.slow
def test_bench_with_baseline_and_storm_counts_every_delivery(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    args = ["--viewers", str(VIEWERS), "--commands", str(COMMANDS), "--processes", "2"]
    args += ["--idle", "1", "--baseline", "--reconnect-storm", "--json", str(out)]
    done = bench(*args, env={**os.environ, "PODIUM_FANOUT_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    assert "messages lost" in done.stdout and "Podium / baseline" in done.stdout

    report = json.loads(out.read_text())
    assert report["viewers"] == VIEWERS and report["processes"] == 2
    assert report["machine"]["nproc"] >= 1 and report["machine"]["fanout_threads"] == "1"
    for name in ("podium", "baseline"):
        result = report[name]
        check_counts(result, VIEWERS, COMMANDS)
        assert result["storm"]["back"] == VIEWERS and result["storm"]["failed"] == 0
        assert result["idle"]["window_s"] == 1
        assert result["server"]["rss_kib_per_viewer"] is not None
    assert set(report["ratios"]) >= {"latency_ms.p99", "join_s", "server.rss_kib_per_viewer"}


def test_bench_question_storm_times_timer_changes_without_then_during_the_storm(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bench.json"
    args = ["--viewers", "20", "--commands", "2", "--processes", "1", "--idle", "0"]
    args += ["--question-storm", "--storm-questions", "30", "--storm-votes", "60"]
    done = bench(*args, "--storm-seconds", "1", "--storm-rounds", "2", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert "p99 during / without storm" in done.stdout
    result = json.loads(out.read_text())["podium"]
    check_counts(result, 20, 2)  # the storm's timer changes are not in the main figures
    storm = result["question_storm"]
    assert storm["rounds"] == 2 and len(storm["per_round"]) == 2
    for counts in storm["per_round"]:  # each round its own storm, and its own ratio
        assert counts["questions_accepted"] == 30 and counts["approved"] == 3  # one in ten
        assert counts["votes_counted"] == 60 and counts["refused_total"] == 0
        assert counts["p99_ratio"] is not None
    assert storm["per_round"][0]["ended_ns"] < storm["per_round"][1]["started_ns"]
    assert storm["questions_accepted"] == 60 and storm["approved"] == 6  # summed
    assert storm["votes_counted"] == 120 and storm["refused"] == {} and storm["refused_total"] == 0
    assert storm["ended_ns"] > storm["started_ns"]
    for phase in ("without", "with"):
        figures = storm[phase]
        assert figures["commands"] >= 2 and figures["lost"] == 0  # pooled over the rounds
        assert figures["deliveries"] == 20 * figures["commands"]
        assert figures["latency_ms"]["p99"] is not None
    assert storm["p99_ratio"] is not None


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="--pin needs two CPUs")
def test_bench_pinned_gives_the_server_a_cpu_of_its_own(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    args = ["--viewers", "20", "--commands", "2", "--processes", "1", "--idle", "0"]
    done = bench(*args, "--pin", "--baseline", "--json", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    servers, load = report["pinned"]["servers"], report["pinned"]["load"]
    assert len(servers) == 1 and len(servers[0]) == 1 and servers[0][0] not in load
    assert set(servers[0] + load) <= os.sched_getaffinity(0)
    check_counts(report["podium"], 20, 2)
    check_counts(report["baseline"], 20, 2)


def test_bench_against_a_running_server_drives_its_state(server: Server, tmp_path: Path) -> None:
    before = server.state()["version"]
    out = tmp_path / "bench.json"
    args = [server.url, "--token", TOKEN, "--viewers", "20", "--commands", "5"]
    done = bench(*args, "--processes", "1", "--idle", "0", "--json", str(out))
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())["podium"]
    check_counts(result, 20, 5)
    assert result["server"] is None  # no pid given: no /proc figures
    # start_session, then the five commands of the mix, each a new version
    assert server.state()["version"] == before + 1 + 5
    assert server.state()["state"]["phase"] == "live"


@pytest.mark.slow
def test_bench_two_processes_sharing_redis_reach_every_viewer(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    out = tmp_path / "bench.json"
    args = ["--servers", "2", "--redis", redis_server.url, "--viewers", "40", "--commands", "4"]
    done = bench(*args, "--processes", "2", "--idle", "0", "--json", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["servers"] == 2 and report["store"] == "redis"
    check_counts(report["podium"], 40, 4)  # the 20 viewers on the second process too


@pytest.mark.slow
def test_bench_refuses_bad_input_with_a_clear_message(tmp_path: Path) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    many = ["--servers", "64", "--processes", "64", "--viewers", "64", "--pin"]
    refusals = {  # each run on its own: independent processes, started together
        ("--viewers", "0"): "podium: --viewers must be at least 1",
        ("--viewers", "2", "--processes", "3"): "--processes cannot exceed --viewers",
        ("--question-storm", "--storm-votes", "0", "--viewers", "2"): (
            "--storm-votes must be at least 1"
        ),
        ("--question-storm", "--storm-rounds", "0", "--viewers", "2"): (
            "--storm-rounds must be at least 1"
        ),
        ("http://127.0.0.1:1", "--pin", "--token", "x"): "give no URL with it",
        (*many, "--redis", "redis://127.0.0.1:1/0"): "--pin needs a CPU for each server",
        ("--servers", "2", "--viewers", "4"): "only through --redis URL",
        ("ftp://example", "--token", "x"): "is not a server URL",
        (nobody, "--token", "x", "--viewers", "2", "--processes", "1"): "is Podium running?",
    }
    with concurrent.futures.ThreadPoolExecutor(len(refusals)) as pool:
        runs = dict(zip(refusals, pool.map(lambda args: bench(*args), refusals), strict=True))
    for args, said in refusals.items():
        assert runs[args].returncode == 2 and said in runs[args].stderr, args


def test_bench_needs_a_token_for_a_running_server(server: Server) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PODIUM_MODERATOR_TOKEN"}
    done = bench(server.url, "--viewers", "2", "--processes", "1", env=env)
    assert done.returncode == 2 and "--token or PODIUM_MODERATOR_TOKEN" in done.stderr
    done = bench(server.url, "--token", "wrong", "--viewers", "2", "--processes", "1")
    assert done.returncode == 2 and "moderator token was refused" in done.stderr
    assert server.state()["version"] == 0  # nothing changed


def test_a_viewer_missing_a_version_counts_as_lost() -> None:
    reader, writer = multiprocessing.Pipe()
    worker = Worker(writer, "ws://unused", 3, concurrency=1)
    worker.viewers = [
        Viewer(seen={1: 1_000_000, 2: 3_000_000}),
        Viewer(seen={1: 2_000_000}),  # never got version 2
        Viewer(),  # never connected: not counted
    ]
    report = worker.report({1: (0, 0), 2: (2_000_000, 2)})
    assert report["lost"] == 1
    assert report["latencies_ms"] == {1: [1.0, 2.0], 2: [1.0]}
    assert sorted(report["fanout_ms"]) == [1.0, 1.0, 2.0]
    reader.close()
    writer.close()


def test_version_is_read_without_decoding_the_frame() -> None:
    assert version_of(b'{"type":"state","room":"r","version":127,"server_time":1}') == 127
    assert version_of(b'{"type":"snapshot","version":0}') == 0
    assert version_of(b'{"type":"pong","t0":1}') is None
    assert version_of(b'{"version":"x"}') is None


def frame(opcode: Opcode, data: bytes, fin: bool = True) -> bytes:
    return Frame(opcode, data, fin=fin).serialize(mask=False, extensions=[])


def test_frames_are_split_wherever_the_stream_is_cut() -> None:
    texts = [b"a", b"b" * 200, b"c" * 70_000, b"d" * 125, b"e" * 126]  # every length form
    others = [frame(Opcode.PING, b"hi"), frame(Opcode.TEXT, b"part", fin=False),
              frame(Opcode.CONT, b" two")]  # fmt: skip
    stream = b"".join(
        [frame(Opcode.TEXT, texts[0]), others[0], frame(Opcode.TEXT, texts[1]), others[1]]
        + [others[2]]
        + [frame(Opcode.TEXT, t) for t in texts[2:]]
    )
    for cut in [*range(0, 300), *range(70_000, 70_400), len(stream) - 1]:
        got: list[tuple[bool, bytes]] = []
        pending = b""
        for chunk in (stream[:cut], stream[cut:]):
            frames, pending = split_frames(pending + chunk)
            got += frames
        assert pending == b""
        assert [f for text, f in got if text] == texts
        assert [f for text, f in got if not text] == others  # whole, for websockets


async def test_a_bench_viewer_reads_text_itself_and_leaves_pings_to_websockets() -> None:
    pinged = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        await ws.send("first")
        await (await ws.ping())  # answered by websockets, on the viewer's side
        pinged.set()
        await ws.send("second " * 100)
        await ws.wait_closed()

    got: list[bytes] = []
    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        factory = functools.partial(ViewerConnection, on_frame=got.append)
        url = f"ws://127.0.0.1:{port}"
        async with connect(url, compression=None, create_connection=factory) as ws:
            await asyncio.wait_for(pinged.wait(), 5)
            while len(got) < 2:
                await asyncio.sleep(0.01)
            assert isinstance(ws, ViewerConnection) and ws.splitting
    assert got == [b"first", b"second " * 100]


def test_summary_uses_nearest_rank_and_ratios_skip_missing_figures() -> None:
    figures = summary([float(x) for x in range(1, 101)])
    assert figures == {"p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0, "mean": 50.5}
    assert summary([]) == {"p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    podium = {"latency_ms": {"p99": 30.0}, "join_s": 2.0}
    baseline = {"latency_ms": {"p99": 20.0}, "join_s": 0}
    out = ratios(podium, baseline)
    assert out["latency_ms.p99"] == 1.5
    assert out["join_s"] is None and out["storm.back_s"] is None
