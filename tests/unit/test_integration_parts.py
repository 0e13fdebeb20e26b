"""The parts behind the integrations, with real rooms and stores and an injected clock:
store errors in the metrics, SSE framing, ``podium ctl`` arguments, the ``watch`` view."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any, cast

import pytest
from rich.console import Console

from podium.cli.ctl import CtlError, build_command
from podium.cli.watch import render, ws_url
from podium.core import engine, projection
from podium.core.commands import parse_command
from podium.core.config.programme_file import load
from podium.core.errors import Unavailable
from podium.core.state import initial_state
from podium.live.http.integrations import sse_chunk
from podium.live.http.metrics import Metrics
from podium.live.rooms.hub import Client, Hub
from podium.live.rooms.question_push import SLICE, QuestionPush
from podium.live.rooms.questions import QuestionBook
from podium.live.rooms.room import Room
from podium.runtime.frames import text_frame
from podium.store.files import FileStore
from tests.helpers import SEED

T0 = 1_638_234_000_000  # 2021-11-30 09:00 in Shanghai


async def test_store_errors_and_outcomes_are_counted(tmp_path: Path) -> None:
    programme = load(SEED)
    room = Room(programme, FileStore(tmp_path / "data"), clock=lambda: T0)
    await room.open()
    metrics = Metrics([room], lambda _room: Hub())
    await room.execute(
        parse_command({"action": "start_session", "session_id": "session-1"}), "test"
    )
    folder = tmp_path / "data" / programme.id
    shutil.rmtree(folder)
    folder.write_text("not a directory")  # the store can no longer write, even as root
    with pytest.raises(Unavailable):
        await room.execute(parse_command({"action": "next"}), "test")
    assert room.state.version == 1  # nothing changed
    text = metrics.exposition().decode()
    assert 'podium_store_errors_total{room="itu-miit-2021"} 1.0' in text
    assert (
        'podium_commands_total{action="next",outcome="unavailable",room="itu-miit-2021"} 1.0'
        in text
    )
    assert 'podium_fanout_seconds_count{room="itu-miit-2021"} 1.0' in text
    assert 'podium_store_up{store="files"} 0.0' in text


@pytest.mark.parametrize("size", [10, 125, 126, 65_535, 65_536, 200_000])
def test_an_sse_chunk_carries_the_websocket_payload(size: int) -> None:
    payload = '{"type":"state","x":"' + "y" * size + '"}'
    chunk = sse_chunk(text_frame(payload))
    head, _, rest = chunk.partition(b"\r\n")
    body = rest[: int(head, 16)]
    assert rest[int(head, 16) :] == b"\r\n"
    assert body == b"data: " + payload.encode() + b"\n\n"


def test_ctl_arguments_become_command_fields() -> None:
    assert build_command("add_time", ["60"], 4) == {
        "action": "add_time",
        "seconds": 60,
        "expected_version": 4,
    }
    assert build_command("show_message", ["Wrap up", "screen"], None) == {
        "action": "show_message",
        "text": "Wrap up",
        "target": "screen",
    }
    assert build_command("blackout", ["off"], None) == {"action": "blackout", "on": False}
    assert build_command("show_message", ["Mic off", "screen", "yes"], None)["pinned"] is True
    assert build_command("clear_message", ["viewers"], None)["target"] == "viewers"
    assert build_command("set_plan_date", ["2021-11-30"], None)["date"] == "2021-11-30"
    assert build_command("goto", ["speaker_id=john-omo"], None)["speaker_id"] == "john-omo"
    jump = build_command("start_session", ["session-2", "end_live=yes"], None)
    assert jump == {"action": "start_session", "session_id": "session-2", "end_live": True}
    assert build_command("add_time", ["ten"], None)["seconds"] == "ten"  # the server says why
    with pytest.raises(CtlError, match="no more arguments"):
        build_command("next", ["now"], None)


def test_ctl_sends_the_plans_commands_with_nested_fields() -> None:
    args = ["session-3", "speaker.name=Ana López", "speaker.allocation=8m", "before=jing-sun"]
    assert build_command("add_speaker", args, None) == {
        "action": "add_speaker",
        "session_id": "session-3",
        "speaker": {"name": "Ana López", "allocation": "8m"},
        "before": "jing-sun",
    }
    as_json = build_command("add_speaker", ["session-3", 'speaker={"name": "Ana"}'], None)
    assert as_json["speaker"] == {"name": "Ana"}
    update = build_command("update_speaker", ["jing-sun", "fields.allocation=10m"], 7)
    assert update == {"action": "update_speaker", "speaker_id": "jing-sun",
                      "fields": {"allocation": "10m"}, "expected_version": 7}  # fmt: skip
    moved = build_command("move_speaker", ["xinhui-wang", "jianjun-cheng"], None)
    assert moved == {"action": "move_speaker", "speaker_id": "xinhui-wang",
                     "before": "jianjun-cheng"}  # fmt: skip
    assert build_command("reload", [], None) == {"action": "reload"}
    with pytest.raises(CtlError, match="given as a value already"):
        build_command("update_speaker", ["x", "fields=1", "fields.name=B"], None)


def shown(message: dict, now: int) -> str:
    console = Console(record=True, width=90, color_system=None)
    console.print(render(message, now))
    return console.export_text()


def test_watch_counts_down_from_ends_at() -> None:
    programme = load(SEED)
    state = initial_state(programme, T0)
    start = parse_command({"action": "start_session", "session_id": "session-1"})
    state = engine.apply(programme, state, start, T0).state
    message = {
        "room": "itu-miit-2021",
        "version": 1,
        "state": projection.view(programme, state, T0),
    }
    assert "8:20" in shown(message, T0) and "Mr. Hequan WU  (1/6)" in shown(message, T0)
    assert "8:19" in shown(message, T0 + 1_500)  # counted locally, no push needed
    assert "+00:05" in shown(message, T0 + 505_000)
    assert "next: Mr. Bilel Jamoussi" in shown(message, T0)
    paused = engine.apply(programme, state, parse_command({"action": "pause"}), T0 + 60_000)
    message = {"room": "r", "version": 2, "state": projection.view(programme, paused.state, T0)}
    assert "7:20  paused" in shown(message, T0 + 999_000)  # a paused timer stands still


def test_watch_urls() -> None:
    assert ws_url("http://10.0.0.5:8080", None) == "ws://10.0.0.5:8080/ws?client=watch&full=1"
    assert (
        ws_url("https://podium.example", "r1")
        == "wss://podium.example/ws?client=watch&full=1&room=r1"
    )
    assert ws_url("127.0.0.1:8181", None) == "ws://127.0.0.1:8181/ws?client=watch&full=1"
    assert ws_url("http://h", None, "s3cret") == "ws://h/ws?client=watch&full=1&token=s3cret"


class Recorder:
    """A client's transport that keeps what it is sent."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        self.frames.append(data)

    def get_protocol(self) -> None:
        return None

    def get_extra_info(self, name: str, default: object = None) -> object:
        return default  # no socket: the hub writes through the transport

    def set_write_buffer_limits(self, high: int) -> None:
        pass


async def test_the_public_questions_frame_goes_between_changes_never_ahead(
    tmp_path: Path,
) -> None:
    room = Room(load(SEED), FileStore(tmp_path / "data"), clock=lambda: T0)
    await room.open()
    push = QuestionPush(room)
    viewers = [Recorder() for _ in range(3 * SLICE)]
    for transport in viewers:
        room.hub.add(Client(cast(asyncio.WriteTransport, transport), full=True), b"joined")
    start = parse_command({"action": "start_session", "session_id": "session-1"})
    applying = asyncio.create_task(room.execute(start, "test"))
    await asyncio.sleep(0)  # the command is being applied: its commit is in the store
    spreading = asyncio.create_task(push._spread(b"questions"))
    await asyncio.gather(applying, spreading)
    kinds = {
        tuple("state" if b'"type":"state"' in f else f.decode() for f in t.frames) for t in viewers
    }
    assert kinds == {("joined", "state", "questions")}, "every viewer: the change, then the list"


async def test_a_vote_that_comes_during_a_change_waits_for_its_push(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audience's writes go between the timer's changes: a vote that comes while a
    command is applied is counted and answered after that change reached the viewers."""
    store = FileStore(tmp_path / "data")
    room = Room(load(SEED), store, clock=lambda: T0)
    await room.open()
    book = QuestionBook(room)
    await book.open()
    question, _ = await book.ask("Counted after the change?")
    await book.moderate(question.id, "approve")
    room.hub.add(Client(transport=cast(asyncio.WriteTransport, Recorder())), b"joined")
    order: list[str] = []
    room.hub.listeners.append(lambda _frame, _elapsed: order.append("change pushed"))
    gate = asyncio.Event()
    commit = store.commit

    async def held(*args: Any) -> None:  # a slow disk: the commit waits for the gate
        await gate.wait()
        await commit(*args)

    monkeypatch.setattr(store, "commit", held)
    start = parse_command({"action": "start_session", "session_id": "session-1"})
    applying = asyncio.create_task(room.execute(start, "test"))
    await asyncio.sleep(0)
    voting = asyncio.create_task(book.vote(question.id, "v1"))
    voting.add_done_callback(lambda _: order.append("vote counted"))
    await asyncio.sleep(0.1)  # long enough for a vote that did not wait to be written
    assert order == []
    gate.set()
    await asyncio.gather(applying, voting)
    assert order == ["change pushed", "vote counted"]
    assert voting.result()[0].votes == 1
    await book.close()
