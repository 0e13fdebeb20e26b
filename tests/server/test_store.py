"""One store contract, run against both stores (files and a real Redis), then what only
one of them does (torn files; Redis outages, lost data, key names)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from podium.core import commands, engine
from podium.core.captions import Caption
from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.core.errors import (
    AlreadyApplied,
    Conflict,
    InvalidInput,
    InvalidTransition,
    OutcomeUnknown,
    Unavailable,
)
from podium.core.questions import Question
from podium.core.state import State, initial_state
from podium.live.rooms.room import Room
from podium.report import replay as report
from podium.store import LogRecord, Store, files
from podium.store.base import Leased, Stored
from podium.store.files import FileStore
from podium.store.redis import RedisStore
from podium.store.replay import replay
from tests.helpers import SEED
from tests.redis_server import RedisServer, redis_for_test

PROGRAMME = load(SEED)
ROOM = PROGRAMME.id
T0 = 1_634_000_000_000  # 2021-10-12, the seminar's week
SCRIPT: list[dict[str, object]] = [
    {"action": "start_session", "session_id": "session-1"},
    {"action": "next"},
    {"action": "pause"},
    {"action": "add_time", "seconds": 60},
    {"action": "resume"},
    {"action": "next"},
]


def chain(n: int) -> list[tuple[State, LogRecord]]:
    """The room created at T0, then the first ``n`` actions of SCRIPT, a second apart."""
    state = initial_state(PROGRAMME, T0)
    created = LogRecord(version=0, at=T0, actor="podium", command={}, summary="room created")
    steps = [(state, created)]
    for i, command in enumerate(SCRIPT[:n], 1):
        now = T0 + i * 1000
        signed = commands.signed(parse_command(command), "test")  # as a Room does
        applied = engine.apply(PROGRAMME, state, signed, now)
        state = applied.state
        record = LogRecord(
            version=state.version, at=now, actor="test", command=command, summary=applied.summary
        )
        steps.append((state, record))
    return steps


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        await asyncio.sleep(0.05)


@dataclass
class Backend:
    """One store kind, with the ways a test reaches under it (crashes, outages)."""

    kind: str
    make: Callable[[], Store]  # another instance on the same data: a restart, or a peer
    log_only: Callable[[LogRecord], Awaitable[None]]  # a crash between log and state write
    lose_state: Callable[[], Awaitable[None]]
    break_writes: Callable[[], Awaitable[None]]
    mend_writes: Callable[[], Awaitable[None]]
    shared: bool  # several processes may use it at once
    opened: list[Store] = field(default_factory=list)

    async def store(self) -> Store:
        store = self.make()
        await store.open()
        self.opened.append(store)
        return store


def file_backend(data: Path) -> Backend:
    folder = data / ROOM

    async def log_only(record: LogRecord) -> None:
        with (folder / "log.jsonl").open("ab") as f:
            f.write(record.model_dump_json().encode() + b"\n")

    async def lose_state() -> None:
        (folder / "state.json").unlink()

    async def break_writes() -> None:  # the log cannot be opened for appending
        (folder / "log.jsonl").rename(folder / "log.moved")
        (folder / "log.jsonl").mkdir()

    async def mend_writes() -> None:
        (folder / "log.jsonl").rmdir()
        (folder / "log.moved").rename(folder / "log.jsonl")

    return Backend(
        "files", lambda: FileStore(data), log_only, lose_state, break_writes, mend_writes, False
    )


def redis_backend(server: RedisServer) -> Backend:
    def key(kind: str) -> str:
        return f"{server.prefix}:{{{ROOM}}}:{kind}"

    async def raw(*command: object) -> None:
        client = aioredis.from_url(server.url)
        try:
            await client.execute_command(*command)
        finally:
            await client.aclose()

    async def log_only(record: LogRecord) -> None:
        await raw("XADD", key("log"), "*", "record", record.model_dump_json())

    async def lose_state() -> None:
        await raw("DEL", key("state"))

    async def break_writes() -> None:
        server.require_private()
        server.stop()

    async def mend_writes() -> None:
        server.start()

    return Backend(
        "redis",
        lambda: RedisStore(server.url, prefix=server.prefix),
        log_only,
        lose_state,
        break_writes,
        mend_writes,
        True,
    )


@pytest.fixture(params=["files", "redis"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    redis: RedisServer | None = None
    if request.param == "files":
        chosen = file_backend(tmp_path / "data")
    else:
        redis = redis_for_test(tmp_path / "redis", appendonly=True)
        chosen = redis_backend(redis)
    yield chosen
    for store in chosen.opened:
        await store.close()
    if redis is not None:
        redis.finish()


async def committed_to(store: Store, n: int) -> tuple[Store, list[tuple[State, LogRecord]]]:
    """``store`` holding the room created and ``n`` actions applied."""
    steps = chain(n)
    assert await store.create(*steps[0]) == steps[0][0]
    for state, record in steps[1:]:
        await store.commit(state, record)
    return store, steps


async def committed(backend: Backend, n: int) -> tuple[Store, list[tuple[State, LogRecord]]]:
    return await committed_to(await backend.store(), n)


def opened(stored: Stored) -> State | None:
    """The state a room opens to: the checkpoint with the log's records past it replayed
    (the file store's checkpoint may be behind its log: ``store/disk/checkpoints.py``)."""
    base = stored.state.version if stored.state is not None else -1
    assert [r.version for r in stored.pending] == list(
        range(base + 1, base + 1 + len(stored.pending))
    )
    replayed = replay(PROGRAMME, stored.state, stored.pending)
    assert (replayed.problem, stored.problems) == (None, [])
    return replayed.state


# -- the contract both stores keep ----------------------------------------------------------


async def test_an_empty_store_holds_nothing(backend: Backend) -> None:
    store = await backend.store()
    stored = await store.load(ROOM)
    assert (stored.state, stored.pending, stored.problems) == (None, [], [])
    assert await store.read_log(ROOM) == []
    assert store.health()["status"] == "ok"


async def test_create_stores_the_first_state_once(backend: Backend) -> None:
    store = await backend.store()
    first, created = chain(0)[0]
    assert await store.create(first, created) == first
    later = initial_state(PROGRAMME, T0 + 5000)
    again = LogRecord(version=0, at=T0 + 5000, actor="podium", command={}, summary="again")
    assert await (await backend.store()).create(later, again) == first
    assert (await store.load(ROOM)).state == first
    assert await store.read_log(ROOM) == [created]


async def test_commits_are_durable_and_logged_in_order(backend: Backend) -> None:
    _, steps = await committed(backend, len(SCRIPT))
    restarted = await backend.store()
    state = opened(await restarted.load(ROOM))
    assert state == steps[-1][0]
    assert state.live.speaker_index == 2
    assert await restarted.read_log(ROOM) == [record for _, record in steps]


async def test_a_stale_commit_conflicts_and_changes_nothing(backend: Backend) -> None:
    store, steps = await committed(backend, 2)
    stale_state, stale_record = chain(1)[1]
    skipping_state, skipping_record = chain(4)[4]
    for state, record in [(stale_state, stale_record), (skipping_state, skipping_record)]:
        with pytest.raises(Conflict) as caught:
            await store.commit(state, record)
        assert caught.value.current_version == 2
        assert "version 2" in caught.value.message
    assert opened(await store.load(ROOM)) == steps[-1][0]
    assert await store.read_log(ROOM) == [record for _, record in steps]


async def test_of_two_writers_at_one_version_exactly_one_wins(backend: Backend) -> None:
    if not backend.shared:
        pytest.skip("the file store serves one process; its rooms serialize their writers")
    store, steps = await committed(backend, 1)
    peer = await backend.store()
    assert (await peer.load(ROOM)).state == steps[-1][0]
    base = steps[-1][0]
    mine = engine.apply(PROGRAMME, base, parse_command({"action": "next"}), T0 + 9000)
    theirs = engine.apply(PROGRAMME, base, parse_command({"action": "pause"}), T0 + 9000)
    results = await asyncio.gather(
        store.commit(mine.state, LogRecord(version=2, at=T0 + 9000, actor="a",
                                           command={"action": "next"}, summary=mine.summary)),
        peer.commit(theirs.state, LogRecord(version=2, at=T0 + 9000, actor="b",
                                            command={"action": "pause"}, summary=theirs.summary)),
        return_exceptions=True,
    )  # fmt: skip
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    winner = mine.state if results[0] is None else theirs.state
    assert (await (await backend.store()).load(ROOM)).state == winner
    assert [r.version for r in await store.read_log(ROOM)] == [0, 1, 2]


async def test_repair_writes_a_newer_state_and_never_an_older_one(backend: Backend) -> None:
    store, steps = await committed(backend, 1)
    log_before = await store.read_log(ROOM)
    newer = chain(3)[3][0]
    await store.repair(newer)
    assert (await (await backend.store()).load(ROOM)).state == newer
    await store.repair(chain(2)[2][0])
    await store.repair(steps[1][0])
    assert (await (await backend.store()).load(ROOM)).state == newer
    assert await store.read_log(ROOM) == log_before


async def test_a_crash_between_log_and_state_is_replayed_on_open(backend: Backend) -> None:
    await committed(backend, 2)
    steps = chain(4)
    for _, record in steps[3:]:
        await backend.log_only(record)
    stored = await (await backend.store()).load(ROOM)
    assert opened(stored) == steps[4][0]
    assert stored.pending[-2:] == [record for _, record in steps[3:]]
    room = Room(PROGRAMME, await backend.store())
    await room.open()
    try:
        assert room.state == steps[4][0]
        assert room.problems == []
    finally:
        await room.close()
    reopened = await (await backend.store()).load(ROOM)
    assert (reopened.state, reopened.pending) == (steps[4][0], [])


async def test_a_log_that_stops_replaying_leaves_the_room_going_on_from_there(
    backend: Backend,
) -> None:
    """A record that no longer applies (the programme was changed between runs, say): the
    room opens at the state before it and says why; what it does next is its history,
    and a restart opens to that, not to the records that did not apply."""
    _, steps = await committed(backend, 2)
    for version, action in [(3, "resume"), (4, "pause")]:  # running, not paused: no resume
        command: dict[str, object] = {"action": action}
        await backend.log_only(
            LogRecord(
                version=version, at=T0 + version * 1000, actor="t", command=command, summary=""
            )
        )
    room = Room(PROGRAMME, await backend.store())
    await room.open()
    try:
        assert room.state == steps[2][0]
        assert "log record 3 cannot be replayed" in room.problems[-1]
        assert (await room.execute(parse_command({"action": "pause"}), "t")).version == 3
        paused = room.state
    finally:
        await room.close()
    reopened = Room(PROGRAMME, await backend.store())
    await reopened.open()
    try:
        assert (reopened.state, reopened.problems) == (paused, [])
    finally:
        await reopened.close()


async def test_a_lost_state_is_rebuilt_from_the_whole_log(backend: Backend) -> None:
    _, steps = await committed(backend, len(SCRIPT))
    await backend.lose_state()
    room = Room(PROGRAMME, await backend.store())
    await room.open()
    try:
        assert room.state == steps[-1][0]
    finally:
        await room.close()
    assert (await (await backend.store()).load(ROOM)).state == steps[-1][0]


async def test_a_write_that_cannot_be_made_is_unavailable_and_changes_nothing(
    backend: Backend,
) -> None:
    store, steps = await committed(backend, 1)
    state, record = chain(2)[2]
    await backend.break_writes()
    with pytest.raises(Unavailable) as caught:
        await store.commit(state, record)
    assert "the change was not made" in caught.value.message
    assert caught.value.http_status == 503
    health = store.health()
    assert health["status"] == "degraded" and health["detail"]
    await backend.mend_writes()
    assert opened(await store.load(ROOM)) == steps[-1][0]
    assert await store.read_log(ROOM) == [r for _, r in steps]
    await store.commit(state, record)
    assert store.health()["status"] == "ok"
    assert opened(await (await backend.store()).load(ROOM)) == state


async def test_the_callers_work_runs_once_beside_each_write(backend: Backend) -> None:
    """``meanwhile`` (the room builds the change's frames then) runs once for each commit,
    one that cannot be written too; nothing it does is stored."""
    store, _ = await committed(backend, 1)
    state, record = chain(2)[2]
    ran: list[int] = []
    await backend.break_writes()
    with pytest.raises(Unavailable):
        await store.commit(state, record, lambda: ran.append(state.version))
    await backend.mend_writes()
    await store.commit(state, record, lambda: ran.append(state.version))
    assert ran == [2, 2]
    assert opened(await (await backend.store()).load(ROOM)) == state


def with_id(state: State, record: LogRecord, command_id: str) -> tuple[State, LogRecord]:
    return state, record.model_copy(
        update={"command": {**record.command, "command_id": command_id}}
    )


async def test_a_command_id_is_applied_once_and_remembered(backend: Backend) -> None:
    store, _ = await committed(backend, 0)
    steps = chain(3)
    await store.commit(*with_id(*steps[1], "console-1"))
    await store.commit(*steps[2])
    assert await store.made_by(ROOM, "console-1") == 1
    assert await store.made_by(ROOM, "console-2") is None
    with pytest.raises(AlreadyApplied) as caught:  # the same id again, on a later version
        await store.commit(*with_id(*steps[3], "console-1"))
    assert caught.value.version == 1
    assert [r.version for r in await store.read_log(ROOM)] == [0, 1, 2]
    restarted = await backend.store()  # a restart, or another process
    assert opened(await restarted.load(ROOM)) == steps[2][0]
    assert await restarted.made_by(ROOM, "console-1") == 1
    with pytest.raises(AlreadyApplied):
        await restarted.commit(*with_id(*steps[3], "console-1"))
    await restarted.commit(*with_id(*steps[3], "console-3"))
    assert await restarted.made_by(ROOM, "console-3") == 3


async def test_a_retried_command_gets_its_first_result(backend: Backend) -> None:
    """A retry with the same command_id, after others acted, is neither applied again
    nor refused as a conflict: it gets the version it made."""
    room = Room(PROGRAMME, await backend.store())
    await room.open()
    try:
        start = {"action": "start_session", "session_id": "session-1", "expected_version": 0}
        first = await room.execute(parse_command({**start, "command_id": "a-1"}), "t")
        assert (first.version, first.repeated) == (1, False)
        await room.execute(parse_command({"action": "pause"}), "t")
        again = await room.execute(parse_command({**start, "command_id": "a-1"}), "t")
        assert (again.version, again.repeated) == (1, True)
        assert again.state.version == 2
        with pytest.raises(Conflict):  # without the id it is a new command, and stale
            await room.execute(parse_command(start), "t")
        more = parse_command({"action": "add_time", "seconds": 5, "command_id": "b-1"})
        assert (await room.execute(more, "t")).version == 3
        again = await room.execute(more, "t")  # no version named: the store finds the id
        assert (again.version, again.repeated, room.state.version) == (3, True, 3)
        assert room.state.live.timer.added_ms == 5000
    finally:
        await room.close()
    assert [r.command.get("command_id") for r in await room.store.read_log(ROOM)] == [
        None, "a-1", None, "b-1"
    ]  # fmt: skip


async def test_changes_bring_other_writers_states_in_order(backend: Backend) -> None:
    store, _ = await committed(backend, 0)
    follower = await backend.store()
    changes = follower.changes(ROOM)
    if not backend.shared:
        assert changes is None
        return
    assert changes is not None
    seen: list[int] = []

    async def follow() -> None:
        async for state in changes:
            seen.append(state.version)

    await follower.load(ROOM)
    task = asyncio.create_task(follow())
    await asyncio.sleep(0.2)  # let it subscribe; anything it misses it reads on subscribe
    for state, record in chain(3)[1:]:
        await store.commit(state, record)
    try:
        await until(lambda: asyncio.sleep(0, seen[-1:] == [3]), "the follower sees version 3")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert seen == sorted(set(seen)) and seen[-1] == 3


def asked(n: int) -> list[Question]:
    return [Question(id=f"q{i}", text=f"question {i}", asked_at=T0 + i) for i in range(n)]


async def test_of_two_status_changes_from_one_status_exactly_one_wins(backend: Backend) -> None:
    store = await backend.store()
    await store.add_question(ROOM, asked(1)[0])
    moves = (
        store.set_question_status(ROOM, "q0", "pending", s, T0) for s in ("approved", "dismissed")
    )
    results = await asyncio.gather(*moves, return_exceptions=True)
    won = [r for r in results if isinstance(r, Question)]
    assert len(won) == 1, results
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    (stored,) = await (await backend.store()).load_questions(ROOM)
    assert stored.status == won[0].status


async def test_caption_lines_are_kept_in_order_and_read_back_by_another_store(
    backend: Backend,
) -> None:
    store = await backend.store()
    assert await store.load_captions(ROOM) == []
    lines = [
        Caption(id=f"c{n}", text=f"line {n} 字", lang="zh" if n % 2 else None, at=T0 + n,
                session_id="session-1", speaker_id="hequan-wu" if n else None)
        for n in range(40)
    ]  # fmt: skip
    for line in lines[:20]:
        await store.add_caption(ROOM, line)
    await asyncio.gather(*(store.add_caption(ROOM, line) for line in lines[20:]))  # at once
    kept = await (await backend.store()).load_captions(ROOM)  # another process, later
    assert kept[:20] == lines[:20] and sorted(kept[20:], key=lambda c: c.at) == lines[20:]
    assert await store.load_captions("other-room") == []


# -- only the file store --------------------------------------------------------------------


async def test_files_drop_a_torn_last_line_and_set_aside_a_broken_log(tmp_path: Path) -> None:
    files = file_backend(tmp_path / "data")
    store, steps = await committed(files, 2)
    log_path = tmp_path / "data" / ROOM / "log.jsonl"
    with log_path.open("ab") as f:
        f.write(b'{"version": 3, "at": ')  # the crash cut this write short
    assert opened(await FileStore(tmp_path / "data").load(ROOM)) == steps[-1][0]
    assert await FileStore(tmp_path / "data").read_log(ROOM) == [r for _, r in steps]
    await store.close()  # a clean stop: the checkpoint holds what the log does
    lines = log_path.read_bytes().split(b"\n")
    log_path.write_bytes(b"\n".join([lines[0], b"garbage", *lines[1:]]))
    stored = await FileStore(tmp_path / "data").load(ROOM)
    assert stored.state == steps[-1][0]
    assert "line 2 is not a log record" in stored.problems[0]
    assert not log_path.exists()
    assert list(log_path.parent.glob("log.jsonl.corrupt-*"))


# the checkpoint is not fsynced: a power cut may leave it empty or full of zeros
@pytest.mark.parametrize("broken", [b"{not json", b"", b"\0" * 900])
async def test_files_set_aside_a_broken_state_and_replay_the_log(
    tmp_path: Path, broken: bytes
) -> None:
    files = file_backend(tmp_path / "data")
    _, steps = await committed(files, 3)
    (tmp_path / "data" / ROOM / "state.json").write_bytes(broken)
    room = Room(PROGRAMME, FileStore(tmp_path / "data"))
    await room.open()
    assert room.state == steps[-1][0]
    assert "not a valid state" in room.problems[0]
    assert list((tmp_path / "data" / ROOM).glob("state.json.corrupt-*"))


def checkpoint_version(data: Path) -> int:
    return State.model_validate_json((data / ROOM / "state.json").read_bytes()).version


async def test_files_checkpoint_every_n_records_when_idle_and_at_a_clean_stop(
    tmp_path: Path,
) -> None:
    """The log is the durability point: a commit writes its log line only; the checkpoint
    follows every N records, once the room is idle, and at a clean stop, and a restart
    replays the log past it."""
    data = tmp_path / "data"
    steps = chain(6)
    store = FileStore(data, checkpoint_every=4, checkpoint_idle_s=3600)
    await committed_to(store, 3)
    assert checkpoint_version(data) == 0  # the room's first state, written at once
    assert opened(await FileStore(data).load(ROOM)) == steps[3][0]  # a crash loses nothing
    await store.commit(*steps[4])  # the fourth record past the checkpoint
    await until(lambda: asyncio.sleep(0, checkpoint_version(data) == 4), "every 4 records")
    idle = FileStore(data, checkpoint_idle_s=0.05)
    await idle.load(ROOM)
    await idle.commit(*steps[5])
    assert checkpoint_version(data) == 4
    await until(lambda: asyncio.sleep(0, checkpoint_version(data) == 5), "once idle")
    stopping = FileStore(data, checkpoint_idle_s=3600)
    assert opened(await stopping.load(ROOM)) == steps[5][0]
    await stopping.commit(*steps[6])
    assert checkpoint_version(data) == 5
    await stopping.close()
    assert checkpoint_version(data) == 6
    reopened = await FileStore(data).load(ROOM)
    assert (reopened.state, reopened.pending) == (steps[6][0], [])


async def test_files_a_write_that_hangs_is_answered_within_the_bound(tmp_path: Path) -> None:
    """The log replaced by a FIFO: opening it for writing blocks, like a hung disk. The
    command is answered ``OutcomeUnknown`` within the bound and the store is degraded;
    once the write fails for good, the retry with the same id is applied, once."""
    store = FileStore(tmp_path / "data")
    room = Room(PROGRAMME, store, store_timeout=0.3)
    await room.open()
    log = tmp_path / "data" / ROOM / "log.jsonl"
    log.rename(log.with_name("log.moved"))
    os.mkfifo(log)
    start = {"action": "start_session", "session_id": "session-1", "command_id": "f-1"}
    with pytest.raises(OutcomeUnknown) as caught:
        await room.execute(parse_command(start), "t")
    assert caught.value.version == 1 and caught.value.http_status == 503
    assert "may have been made" in caught.value.message
    assert store.health()["status"] == "degraded"
    with pytest.raises(Unavailable, match="still unanswered"):  # the next waits, then says so
        await room.execute(parse_command({"action": "next"}), "t")
    reader = os.open(log, os.O_RDONLY | os.O_NONBLOCK)  # the disk answers: with an error
    log.unlink()  # (the hung write has its FIFO open already)
    log.with_name("log.moved").rename(log)
    try:
        for _ in range(50):
            with contextlib.suppress(Unavailable):
                done = await room.execute(parse_command(start), "t")
                break
    finally:
        os.close(reader)
    assert (done.version, done.repeated, store.health()["status"]) == (1, False, "ok")
    assert [r.command.get("command_id") for r in await store.read_log(ROOM)] == [None, "f-1"]
    await room.close()


async def test_files_the_callers_work_runs_once_the_line_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop waits for the writer thread to reach its fsync before it runs
    ``meanwhile``, so the two do not take turns at the GIL: the line is in the file by
    then (however long the thread takes to start here: the wait is made long)."""
    monkeypatch.setattr(files, "HANDOFF_S", 30.0)
    store, _ = await committed_to(FileStore(tmp_path / "data"), 1)
    log = tmp_path / "data" / ROOM / "log.jsonl"
    lines: list[int] = []
    await store.commit(*chain(2)[2], lambda: lines.append(log.read_bytes().count(b"\n")))
    assert lines == [3]


async def test_files_status_changes_at_once_share_a_write_and_keep_votes_between(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Approvals in a storm of votes: changes to many questions go to the disk together
    (not one at a time behind a lock, each waiting for its own fsync), and a vote counted
    while a status change is written is in the answer that change returns."""
    store = FileStore(tmp_path / "data")
    questions = asked(10)
    for question in questions:
        await store.add_question(ROOM, question)
    await store.set_question_status(ROOM, "q0", "pending", "approved", T0)
    fsyncs: list[int] = []
    fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), fsync(fd))[1])
    voted, answered, *approved = await asyncio.gather(
        store.vote(ROOM, "q0", "v1"),
        store.set_question_status(ROOM, "q0", "approved", "answered", T0 + 1),
        *(store.set_question_status(ROOM, q.id, "pending", "approved", T0) for q in questions[1:]),
    )
    assert len(fsyncs) == 1
    assert voted is not None and (voted.status, voted.votes) == ("approved", 1)
    assert (answered.status, answered.votes) == ("answered", 1)
    assert {q.status for q in approved} == {"approved"}
    reread = {q.id: q for q in await FileStore(tmp_path / "data").load_questions(ROOM)}
    assert (reread["q0"].status, reread["q0"].votes) == ("answered", 1)
    assert all(reread[q.id].status == "approved" for q in questions[1:])


# -- only Redis -----------------------------------------------------------------------------


async def test_redis_keys_are_namespaced_by_prefix(redis_server: RedisServer) -> None:
    first, second = (RedisStore(redis_server.url, prefix=p) for p in ("event-a", "event-b"))
    for store in (first, second):
        await store.open()
    try:
        state, record = chain(0)[0]
        await first.create(state, record)
        assert (await second.load(ROOM)).state is None
        client = aioredis.from_url(redis_server.url, decode_responses=True)
        keys = sorted(await client.keys("event-*"))
        await client.aclose()
        assert keys == [f"event-a:{{{ROOM}}}:log", f"event-a:{{{ROOM}}}:state"]
    finally:
        await first.close()
        await second.close()


async def test_redis_bad_settings_and_no_server_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="prefix"):
        RedisStore("redis://127.0.0.1:1/0", prefix="a{b}")
    with pytest.raises(InvalidInput, match="not a redis URL"):
        RedisStore("http://127.0.0.1/")
    nowhere = RedisStore("redis://:secret@127.0.0.1:1/0")
    with pytest.raises(Unavailable) as caught:
        await nowhere.open()
    await nowhere.close()
    assert "redis at redis://:***@127.0.0.1:1/0 cannot be used" in caught.value.message
    assert "secret" not in caught.value.message


async def test_redis_sets_aside_a_value_that_is_not_a_state(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url, prefix=redis_server.prefix)
    await store.open()
    try:
        await committed_to(store, 2)
        client = aioredis.from_url(redis_server.url, decode_responses=True)
        key = f"{redis_server.prefix}:{{{ROOM}}}:state"
        await client.hset(key, "state", "{not json")
        await client.xadd(f"{redis_server.prefix}:{{{ROOM}}}:log", {"record": "nonsense"})
        room = Room(PROGRAMME, store)
        await room.open()
        await room.close()
        assert room.state == chain(2)[2][0]  # rebuilt from the log
        assert any("not a valid state" in p for p in room.problems)
        assert any("not a log record" in p for p in room.problems)
        assert await client.keys(f"{key}.corrupt-*")
        await client.aclose()
    finally:
        await store.close()


async def test_redis_back_empty_gets_the_newest_state_written_back(
    redis_server: RedisServer,
) -> None:
    """A command after Redis lost everything: the state it builds on goes back first,
    with a log record that notes the gap, and nothing acknowledged is lost."""
    redis_server.require_private()
    store = RedisStore(redis_server.url, prefix=redis_server.prefix)
    await store.open()
    try:
        await committed_to(store, 3)
        redis_server.kill()
        with pytest.raises(Unavailable):
            await store.commit(*chain(4)[4])
        assert store.health()["status"] == "degraded"
        redis_server.start()
        await store.commit(*chain(4)[4])
        log = await store.read_log(ROOM)
        assert [r.version for r in log] == [3, 4]
        assert "redis had lost this room" in log[0].summary and log[0].command == {}
        assert log[0].state == chain(3)[3][0]  # a checkpoint: replays go on from it
        made = report.build(PROGRAMME, log, T0 + 10_000)
        assert made.commands == {"add_time": 1}
        assert [s.live for s in made.sessions if s.id == "session-1"] == [True]
        await redis_backend(redis_server).lose_state()  # and a room rebuilds from it
        room = Room(PROGRAMME, store)
        await room.open()
        await room.close()
        assert room.state == chain(4)[4][0]
        assert (await store.load(ROOM)).state == chain(4)[4][0]
        assert store.health()["status"] == "ok"
    finally:
        await store.close()


async def test_a_following_room_writes_its_state_back_by_itself(
    redis_server: RedisServer,
) -> None:
    redis_server.require_private()
    store = RedisStore(redis_server.url, prefix=redis_server.prefix)
    await store.open()
    room = Room(PROGRAMME, store)
    await room.open()
    try:
        for command in SCRIPT[:3]:
            await room.execute(parse_command(command), "test")
        redis_server.kill()
        await until(
            lambda: asyncio.sleep(0, store.health()["status"] == "degraded"), "health degraded"
        )
        with pytest.raises(Unavailable):
            await room.execute(parse_command({"action": "resume"}), "test")
        assert room.state.version == 3
        redis_server.start()
        probe = RedisStore(redis_server.url, prefix=redis_server.prefix)

        async def written_back() -> bool:
            state = (await probe.load(ROOM)).state
            return state is not None and state.version == 3

        await until(written_back, "the room's state is back in Redis")
        await probe.close()
        assert room.state.version == 3
        await until(lambda: asyncio.sleep(0, store.health()["status"] == "ok"), "health ok")
        assert (await room.execute(parse_command({"action": "resume"}), "t")).version == 4
    finally:
        await room.close()
        await store.close()


async def test_a_room_behind_a_shared_store_catches_up_before_refusing(
    redis_server: RedisServer,
) -> None:
    """Another process's change whose notice has not arrived (here: never sent) must not
    make this process refuse a command as invalid or as a conflict."""
    store = RedisStore(redis_server.url, prefix=redis_server.prefix)
    await store.open()
    room = Room(PROGRAMME, store)
    await room.open()
    try:
        started, _ = chain(1)[1]
        client = aioredis.from_url(redis_server.url)
        channel = f"{redis_server.prefix}:{{{ROOM}}}:changes"

        async def subscribed() -> bool:
            return dict(await client.pubsub_numsub(channel))[channel.encode()] > 0

        await until(subscribed, "the room follows its channel")
        await asyncio.sleep(0.2)  # and has read the state after subscribing
        key = f"{redis_server.prefix}:{{{ROOM}}}:state"
        await client.hset(key, mapping={"version": 1, "state": started.model_dump_json()})
        await client.aclose()
        moved = await room.execute(parse_command({"action": "next"}), "test")
        assert moved.version == 2 and moved.state.live.speaker_index == 1
        named = parse_command({"action": "pause", "expected_version": 2})
        assert (await room.execute(named, "test")).version == 3
        with pytest.raises(Conflict):
            await room.execute(parse_command({"action": "resume", "expected_version": 2}), "t")
        assert room.state.version == 3
    finally:
        await room.close()
        await store.close()


async def test_a_batch_is_claimed_once_and_taken_over_when_its_lease_lapses(
    backend: Backend,
) -> None:
    """The automations' outbox: one claim wins; the holder renews and notes parts done; a
    lease that lapses is taken over by another process (files: the same one, restarted),
    without the parts done; a batch done is never taken over and its key refused."""
    first = await backend.store()
    assert await first.claim(ROOM, "change:1", "one", 60_000)
    assert not await first.claim(ROOM, "change:1", "one", 60_000)  # pending: refused
    assert await first.claim("other-room", "change:1", "one", 60_000)  # another room
    await first.done_part(ROOM, "change:1", "a#0")
    assert await first.renew(ROOM, ["change:1", "change:9"], 60_000) == {"change:1"}
    assert await first.claim(ROOM, "change:2", "two", 1)  # its holder stops renewing
    assert await first.claim(ROOM, "change:3", "three", 60_000)
    await first.done(ROOM, "change:3")
    await asyncio.sleep(0.05)

    other = await backend.store()  # another process; for the file store, a restart
    taken = sorted(await other.lapsed(ROOM, 60_000, 10), key=lambda leased: leased.key)
    if backend.shared:
        assert not await other.claim(ROOM, "change:1", "one", 60_000)
        assert taken == [Leased("change:2", "two", frozenset())]  # change:1 is still leased
        assert await first.renew(ROOM, ["change:1", "change:2"], 60_000) == {"change:1"}
    else:  # a restart finds every batch the previous run left pending, with its parts done
        assert taken == [
            Leased("change:1", "one", frozenset({"a#0"})),
            Leased("change:2", "two", frozenset()),
        ]
    assert await other.lapsed(ROOM, 60_000, 10) == []  # leased to ``other`` now
    assert not await other.claim(ROOM, "change:3", "three", 60_000)  # done: refused
    await other.done(ROOM, "change:2")
    assert await other.renew(ROOM, ["change:2"], 60_000) == set()  # done: no lease

    holder = first if backend.shared else other
    await holder.renew(ROOM, ["change:1"], 0)  # let go at once (a graceful stop)
    later = await backend.store()  # files: restarted once more, from the rewritten file
    assert await later.lapsed(ROOM, 60_000, 10) == [Leased("change:1", "one", frozenset({"a#0"}))]
    for key in ("change:1", "change:2", "change:3"):
        assert not await later.claim(ROOM, key, "again", 60_000)


async def test_a_torn_outbox_line_is_skipped_and_its_step_done_again(tmp_path: Path) -> None:
    """A crash that cut an outbox line short: the part it noted is sent again (at least
    once), the rest of the file is read."""
    store = FileStore(tmp_path)
    assert await store.claim(ROOM, "change:1", "one", 60_000)
    await store.done_part(ROOM, "change:1", "a#0")
    path = tmp_path / ROOM / "outbox.jsonl"
    path.write_bytes(path.read_bytes() + b'{"part":"change:1","id":"b')  # torn
    taken = await FileStore(tmp_path).lapsed(ROOM, 60_000, 10)
    assert taken == [Leased("change:1", "one", frozenset({"a#0"}))]
    assert b'"id":"b' not in path.read_bytes()  # rewritten without it
