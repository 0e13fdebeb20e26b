"""Not a test: the figures behind the file store's checkpoint rule (docs/performance.md,
"The checkpoint rule"). One room of the seed event, 200 commands of a moderator's mix:
each commit timed as the ack waits for it (the log line, and on main the checkpoint too),
the bytes a commit writes, a checkpoint's own cost, and a record's replay. Run it with
the interpreter of the code to measure (``/work/main/.venv/bin/python`` for main), in
turns, on the disk the data dir lives on:

    .venv/bin/python tests/measure_checkpoint.py [DIR]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import podium
from podium.core import engine
from podium.core.commands import parse_command, signed
from podium.core.config.programme_file import load
from podium.core.state import State, initial_state
from podium.store.base import LogRecord
from podium.store.files import FileStore
from podium.store.replay import replay

ROOT = Path(podium.__file__).resolve().parents[2]
PROGRAMME = load(ROOT / "config" / "itu-miit-2021.toml")
MIX: list[dict[str, object]] = [
    {"action": "pause"},
    {"action": "resume"},
    {"action": "add_time", "seconds": 30},
    {"action": "show_message", "text": "Coffee after this", "target": "screen"},
    {"action": "next"},
    {"action": "previous"},
]
SCRIPT = [{"action": "start_session", "session_id": "session-1"}, *MIX * 34][:201]
FULL_UNDO = 21  # from this command on the state holds its 20 undo copies


def ms(seconds: float) -> float:
    return seconds * 1000


async def measure(where: str) -> None:
    with tempfile.TemporaryDirectory(dir=where) as data:
        store = FileStore(data)
        now = 1_700_000_000_000
        first = initial_state(PROGRAMME, now)
        created = LogRecord(version=0, at=now, actor="podium", command={}, summary="created")
        state: State = await store.create(first, created)
        commits: list[float] = []
        records: list[LogRecord] = []
        for command in SCRIPT:
            now += 1000
            applied = engine.apply(PROGRAMME, state, signed(parse_command(command), "m"), now)
            record = LogRecord(
                version=applied.state.version,
                at=now,
                actor="m",
                command=command,
                summary=applied.summary,
            )
            started = time.perf_counter()
            await store.commit(applied.state, record)
            commits.append(ms(time.perf_counter() - started))
            records.append(record)
            state = applied.state
        await store.close()
        took = sorted(commits[FULL_UNDO:])
        line = statistics.mean(len(r.model_dump_json(exclude_none=True)) + 1 for r in records)
        started = time.perf_counter()
        state.model_dump_json()
        dump = ms(time.perf_counter() - started)
        started = time.perf_counter()
        replayed = replay(PROGRAMME, first, records)
        per_record = ms(time.perf_counter() - started) / len(records)
        assert replayed.state == state
    code = "main" if "/work/main/" in podium.__file__ else podium.__file__
    print(
        f"{code}: commit p50 {took[len(took) // 2]:.2f} ms, p99 {took[int(len(took) * 0.99)]:.2f}"
        f" ms, mean {statistics.mean(took):.2f} ms ({len(took)} commits with 20 undo copies);"
        f" log line {line:.0f} B, state {len(state.model_dump_json())} B (dumped in"
        f" {dump:.2f} ms); replay {per_record * 1000:.0f} us a record"
    )


if __name__ == "__main__":
    asyncio.run(measure(sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()))
