"""Automations on a real ``podium serve``: a real HTTP receiver (aiohttp, in the test) and
a real OSC server (UDP, decoded with python-osc) get every event once, in order, signed;
receivers that are down, hang or answer 500 change nothing for the moderator and are
retried; two processes on one real Redis send each event once; and a process killed while
it delivers leaves the event to another (or, with files, to itself restarted)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pythonosc.osc_message import OscMessage

from tests.helpers import TOKEN, Server, free_port
from tests.redis_server import RedisServer

SECRET = "hook-secret-0123456789"
WAIT_S = 20.0  # bounds a hung test; times nothing
PROGRAMME = """
[event]
id = "hooks"
title = "Automations Test"
timezone = "UTC"

[[sessions]]
id = "s1"
title = "Session One"
start = "09:00"
duration = "10m"

[[sessions.speakers]]
id = "ann"
name = "Ann ONE"
allocation = "5s"
warning = "3s"
danger = "1s"

[[sessions.speakers]]
id = "bo"
name = "Bo TWO"
presence = "remote"
allocation = "5m"
"""
EVERY = [
    "session_started", "session_ended", "speaker_started", "speaker_ended", "warning",
    "danger", "overtime", "message_shown", "cue",
]  # fmt: skip


@dataclass
class Receiver:
    """A webhook receiver: ``/ok`` answers 200, ``/fail`` 500 (with markup in its answer),
    ``/missing`` 404, ``/hang`` never answers; every request is kept."""

    port: int = 0  # the port it bound, once listening
    got: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)  # wall clock, epoch ms
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}"

    async def handle(self, request: web.Request) -> web.Response:
        mode = request.match_info["mode"]
        self.got.append((mode, dict(request.headers), await request.read()))
        self.arrived.append(time.time() * 1000)
        if mode == "hang":
            await self.release.wait()
        if mode == "fail":
            return web.Response(status=500, text="<script>alert('x')</script>")
        if mode == "missing":
            return web.Response(status=404, text="no such button")
        return web.Response(text="ok")

    def bodies(self, mode: str = "ok") -> list[dict[str, Any]]:
        return [json.loads(body) for m, _, body in self.got if m == mode]


class OscServer(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.got: list[tuple[str, list[Any]]] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        message = OscMessage(data)
        self.got.append((message.address, list(message.params)))


@contextlib.asynccontextmanager
async def receivers() -> AsyncIterator[tuple[Receiver, OscServer, int]]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{mode}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    listening = socket.create_server(("127.0.0.1", 0))  # a port of its own, no race for one
    receiver.port = listening.getsockname()[1]
    await web.SockSite(runner, listening).start()
    osc = OscServer()
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: osc, local_addr=("127.0.0.1", 0)
    )
    osc_port = transport.get_extra_info("sockname")[1]
    try:
        yield receiver, osc, osc_port
    finally:
        receiver.release.set()
        transport.close()
        await runner.cleanup()


def programme(tmp_path: Path, *automations: str) -> Path:
    path = tmp_path / "hooks.toml"
    path.write_text(PROGRAMME + "".join(f"\n[[automations]]\n{a}\n" for a in automations))
    return path


async def command(server: Server, action: str, **fields: Any) -> dict[str, Any]:
    """A command over HTTP, awaited without blocking the receivers in this loop."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{server.url}/api/commands",
            json={"action": action, **fields},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response,
    ):
        body = await response.json()
        assert response.status == 200, body
        return body


async def get(server: Server, path: str, token: str | None = TOKEN) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.url}{path}", headers=headers) as response,
    ):
        text = await response.text()
        return response.status, json.loads(text) if text.startswith("{") else text


async def until(check: Any, what: str, bound_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + bound_s
    while not check():
        assert time.monotonic() < deadline, f"never: {what}"
        await asyncio.sleep(0.05)


async def noted_delivered(server: Server, count: int) -> None:
    """Until ``count`` deliveries are delivered and noted done in the store (a delivery
    shows as delivered only once its part is noted done)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        _, shown = await get(server, "/api/automations?room=hooks")
        if shown["counts"]["delivered"] >= count:
            return
        assert time.monotonic() < deadline, shown
        await asyncio.sleep(0.05)


def signed_right(headers: dict[str, str], body: bytes) -> bool:
    mac = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Podium-Signature"], f"sha256={mac}")


@pytest.mark.slow
async def test_every_event_arrives_once_in_order_signed_and_at_its_moment(
    tmp_path: Path, servers: list[Server]
) -> None:
    async with receivers() as (receiver, osc, osc_port):
        path = programme(
            tmp_path,
            f'on = {json.dumps(EVERY)}\nurl = "{receiver.url("ok")}"\nsecret = "{SECRET}"',
            f'on = ["speaker_started", "warning", "overtime"]\nosc = "127.0.0.1:{osc_port}"\n'
            'address = "/podium/{event}"',
        )
        server = Server(data_dir=tmp_path / "data", programmes=[path]).start()
        servers.append(server)
        started = await command(server, "start_session", session_id="s1")
        paused = await command(server, "pause")  # before ann's warning (2 s in)
        await asyncio.sleep(2.5)
        # each change's events come in order from the one process that claimed it; two
        # processes may send different changes side by side: the version orders them
        in_order = sorted(receiver.bodies(), key=lambda b: b["version"])
        assert [b["event"] for b in in_order] == ["session_started", "speaker_started"]
        resumed = (await command(server, "resume"))["state"]["timer"]["ends_at"]
        await until(lambda: len(receiver.bodies()) >= 3, "the warning after resume")
        longer = (await command(server, "add_time", seconds=1))["state"]["timer"]["ends_at"]
        assert longer == resumed + 1000
        await until(lambda: "overtime" in [b["event"] for b in receiver.bodies()], "overtime")
        await command(server, "next")
        await command(server, "show_message", text="Five minutes <left>", target="all")
        await command(server, "cue", kind="wrap_up")
        ended = await command(server, "end_session")
        await until(lambda: len(receiver.bodies()) >= 11, "every event")
        await asyncio.sleep(0.5)  # nothing more comes

        bodies = receiver.bodies()
        assert [(b["event"], (b["speaker"] or {}).get("id")) for b in bodies] == [
            ("session_started", "ann"),
            ("speaker_started", "ann"),
            ("warning", "ann"),
            ("danger", "ann"),
            ("overtime", "ann"),
            ("speaker_ended", "ann"),
            ("speaker_started", "bo"),
            ("message_shown", "bo"),
            ("cue", "bo"),
            ("speaker_ended", "bo"),
            ("session_ended", "bo"),
        ]
        at = {b["event"]: b["at"] for b in bodies if (b["speaker"] or {}).get("id") == "ann"}
        assert at["warning"] == resumed - 3000  # moved by the pause, from the resumed ends_at
        assert at["danger"] == longer - 1000 and at["overtime"] == longer  # and the added second
        assert bodies[0]["version"] == started["version"] and bodies[0]["room"] == "hooks"
        assert bodies[-1]["version"] == ended["version"] and paused["version"] == 2
        assert bodies[6]["speaker"] == {"id": "bo", "name": "Bo TWO", "display_name": "Bo TWO",
                                        "presence": "remote"}  # fmt: skip
        assert bodies[7]["message"]["text"] == "Five minutes <left>"
        assert len({b["id"] for b in bodies}) == len(bodies)  # each once
        for _, headers, body in receiver.got:
            assert signed_right(headers, body)
            assert headers["Idempotency-Key"] == json.loads(body)["id"]

        await until(lambda: len(osc.got) >= 4, "the OSC messages")
        assert [(address, params[0], params[5]) for address, params in osc.got] == [
            ("/podium/speaker_started", "speaker_started", "ann"),
            ("/podium/warning", "warning", "ann"),
            ("/podium/overtime", "overtime", "ann"),
            ("/podium/speaker_started", "speaker_started", "bo"),
        ]
        assert osc.got[0][1][:3] == ["speaker_started", "hooks", started["version"]]

        status, seen = await get(server, "/api/automations?room=hooks")
        assert status == 200
        assert seen["counts"] == {"delivered": 15, "failed": 0, "pending": 0}
        assert seen["automations"][0]["signed"] is True
        assert SECRET not in json.dumps(seen)
        assert (await get(server, "/api/automations", token=None))[0] == 401
        assert (await get(server, "/api/automations?room=nope"))[0] == 404
        _, metrics = await get(server, "/metrics")
        delivered = 'podium_automation_deliveries_total{kind="webhook",outcome="delivered"'
        assert f'{delivered},room="hooks"}} 11.0' in metrics
        _, public = await get(server, "/api/programme")
        assert SECRET not in json.dumps(public) and "automations" not in public
    assert SECRET not in server.log.read_text()


@pytest.mark.slow
async def test_receivers_that_are_down_hang_or_fail_change_nothing_and_are_retried(
    tmp_path: Path, servers: list[Server]
) -> None:
    async with receivers() as (receiver, _, _):
        dead = f"http://127.0.0.1:{free_port()}/gone"
        path = programme(
            tmp_path,
            *(f'on = ["speaker_started"]\nurl = "{url}"'
              for url in (dead, receiver.url("hang"), receiver.url("fail"), receiver.url("ok"),
                          receiver.url("missing"))),
        )  # fmt: skip
        server = Server(data_dir=tmp_path / "data", programmes=[path]).start()
        servers.append(server)
        await command(server, "start_session", session_id="s1")
        for _ in range(3):  # every command is answered as before
            await command(server, "next")
            await command(server, "previous")
        await until(lambda: len(receiver.bodies("ok")) == 7, "the good receiver's events")

        def attempts() -> dict[int, int]:
            return {d["automation"]: d["attempts"] for d in shown["deliveries"]
                    if d["event_id"].endswith("ann@" + str(first_at))}  # fmt: skip

        first_at = receiver.bodies("ok")[0]["at"]
        deadline = time.monotonic() + WAIT_S
        while True:
            _, shown = await get(server, "/api/automations?room=hooks")
            if all(attempts().get(i, 0) > 1 for i in range(3)):
                break
            assert time.monotonic() < deadline, shown
            await asyncio.sleep(0.2)
        first = {d["automation"]: d for d in shown["deliveries"]
                 if d["event_id"].endswith("ann@" + str(first_at))}  # fmt: skip
        assert first[3]["status"] == "delivered" and first[3]["attempts"] == 1
        assert first[4]["status"] == "failed" and first[4]["attempts"] == 1  # 404: final
        assert first[4]["error"] == "404 no such button"
        assert first[2]["status"] == "retrying"
        assert first[2]["error"] == "500 <script>alert('x')</script>"  # kept as text
        assert "no answer within" in first[1]["error"]
        assert "ClientConnectorError" in first[0]["error"]
        assert len([b for m, _, b in receiver.got if m == "fail"]) > 1
        _, metrics = await get(server, "/metrics")
        assert 'outcome="retried"' in metrics


@pytest.mark.slow
async def test_two_processes_on_one_redis_send_each_event_once(
    tmp_path: Path, servers: list[Server], redis_server: RedisServer
) -> None:
    async with receivers() as (receiver, _, _):
        path = programme(tmp_path, f'on = {json.dumps(EVERY)}\nurl = "{receiver.url("ok")}"')
        args = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
        pair = [
            Server(data_dir=tmp_path / f"data-{i}", programmes=[path], extra_args=args).start()
            for i in range(2)
        ]
        servers.extend(pair)
        await command(pair[0], "start_session", session_id="s1")
        await until(lambda: "overtime" in [b["event"] for b in receiver.bodies()], "overtime")
        await command(pair[1], "next")
        await command(pair[0], "end_session")
        await until(lambda: len(receiver.bodies()) >= 8, "every event")
        # either process shows every delivery, whichever process sent it; with nothing
        # pending on either, a second copy would have come by now
        for server in pair:
            deadline = time.monotonic() + WAIT_S
            while (await get(server, "/api/automations?room=hooks"))[1]["counts"] != {
                "delivered": 9, "failed": 0, "pending": 0,
            }:  # fmt: skip
                shown = (await get(server, "/api/automations?room=hooks"))[1]
                assert time.monotonic() < deadline, shown
                await asyncio.sleep(0.1)
        # each change's events come in order from the one process that claimed it; two
        # processes may send different changes side by side: the version orders them
        in_order = sorted(receiver.bodies(), key=lambda b: b["version"])
        assert [b["event"] for b in in_order] == [
            "session_started", "speaker_started", "warning", "danger", "overtime",
            "speaker_ended", "speaker_started", "speaker_ended", "session_ended",
        ]  # fmt: skip
        assert len(receiver.bodies()) == 9
        _, metrics = await get(pair[0], "/metrics")
        _, metrics_b = await get(pair[1], "/metrics")
        assert 'outcome="skipped"' in metrics + metrics_b


@pytest.mark.slow
async def test_a_restart_mid_turn_sends_nothing_twice_and_the_rest_on_time(
    tmp_path: Path, servers: list[Server]
) -> None:
    async with receivers() as (receiver, _, _):
        path = programme(tmp_path, f'on = {json.dumps(EVERY)}\nurl = "{receiver.url("ok")}"')
        longer = path.read_text().replace('allocation = "5s"\nwarning = "3s"',
                                          'allocation = "12s"\nwarning = "10s"')  # fmt: skip
        path.write_text(longer)
        server = Server(data_dir=tmp_path / "data", programmes=[path]).start()
        servers.append(server)
        ends_at = (await command(server, "start_session", session_id="s1"))["state"]["timer"][
            "ends_at"
        ]
        await until(lambda: len(receiver.bodies()) == 3, "the warning, 2 s in")
        await noted_delivered(server, 3)  # and noted so: a kill before that sends it again
        server.kill()  # mid-turn, after the warning: the restart must not send it again
        server.start()
        # the restart (seconds on a loaded machine), then the rest of the 12 s turn
        await until(
            lambda: "overtime" in [b["event"] for b in receiver.bodies()],
            "overtime",
            bound_s=WAIT_S + 12,
        )
        await asyncio.sleep(0.5)
        events = [b["event"] for b in receiver.bodies()]
        assert events == ["session_started", "speaker_started", "warning", "danger", "overtime"]
        assert receiver.bodies()[-1]["at"] == ends_at


# -- at least once: a sender killed mid-delivery ------------------------------------------

TAKEOVER_BOUND_S = 15.0  # a lease (5 s) and a look (1 s), with room: bounds the wait only
KILL_AFTER_FIRST_S = 0.2  # the sender then waits for its retry (0.5 s after the first)


@dataclass
class Attempt:
    process: str  # which process sent it: each names its own path to the receiver
    key: str | None  # the Idempotency-Key header
    event_id: str
    text: str  # the message shown: which round it belongs to
    status: int
    at: float  # time.monotonic()


@dataclass
class Flaky:
    """A webhook receiver that answers 500 until ``healthy``; every attempt is kept."""

    port: int = field(default_factory=free_port)
    healthy: bool = False
    attempts: list[Attempt] = field(default_factory=list)

    def url(self, process: str) -> str:
        return f"http://127.0.0.1:{self.port}/hook/{process}"

    async def handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        status = 200 if self.healthy else 500
        self.attempts.append(
            Attempt(request.match_info["process"], request.headers.get("Idempotency-Key"),
                    body["id"], body["message"]["text"], status, time.monotonic())
        )  # fmt: skip
        return web.Response(status=status, text="ok" if status == 200 else "down for now")

    async def first(self, text: str, bound: float = WAIT_S, ok: bool = False) -> Attempt | None:
        """The first attempt of round ``text`` (``ok``: the first answered 200), waiting
        up to ``bound`` seconds for it."""
        deadline = time.monotonic() + bound
        while True:
            for attempt in self.attempts:
                if attempt.text == text and (attempt.status == 200 or not ok):
                    return attempt
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def flaky_receiver() -> AsyncIterator[Flaky]:
    receiver = Flaky()
    app = web.Application()
    app.router.add_post("/hook/{process}", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", receiver.port).start()
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def takeover_run(
    where: Path, redis: RedisServer | None, rounds: int = 1, when: str = "retrying"
) -> dict[str, Any]:
    """Each round a moderator shows a message (one ``message_shown`` event) and the process
    sending it is SIGKILLed: ``when="retrying"``, while it retries a receiver that failed
    its first attempt; ``when="ack"``, the process that took the command, right after its
    ack. The receiver fails every attempt until the kill, so what the victim sent cannot
    have been delivered (a kill between a delivery and its "done" would send it twice:
    at least once, docs/security.md), and is well from the kill on. With Redis two processes serve
    (the command goes to each in turn) and the other must deliver the event; with the file
    store the killed one is restarted at once and must. Then the killed one is started
    again. Returns the figures (for the probe): delivered, lost, duplicates, the key."""
    names = ["a", "b"] if redis else ["a"]
    rows: list[dict[str, Any]] = []
    async with flaky_receiver() as receiver:
        servers: dict[str, Server] = {}
        for name in names:
            folder = where / name
            folder.mkdir(parents=True, exist_ok=True)
            path = programme(folder, f'on = ["message_shown"]\nurl = "{receiver.url(name)}"')
            args = ["--redis", redis.url, "--redis-prefix", redis.prefix] if redis else []
            servers[name] = Server(data_dir=folder / "data", programmes=[path], extra_args=args)
        try:
            for server in servers.values():
                await asyncio.to_thread(server.start)
            for n in range(rounds):
                text = f"round {n}"
                receiver.healthy = False  # nothing is delivered before the kill
                taker = servers[names[n % len(names)]]
                answer = await asyncio.to_thread(taker.command, "show_message", text=text)
                assert answer[0] == 200, answer
                first = None
                if when == "ack":
                    victim = taker
                else:
                    first = await receiver.first(text)
                    assert first is not None, f"{text}: no first attempt"
                    victim = servers[first.process]
                    await asyncio.sleep(KILL_AFTER_FIRST_S)
                await asyncio.to_thread(victim.kill)  # the receiver answers meanwhile
                killed_at = time.monotonic()
                receiver.healthy = True
                if redis is None:  # the file store's one process: the restart must send it
                    await asyncio.to_thread(victim.start)
                done = await receiver.first(text, TAKEOVER_BOUND_S, ok=True)
                if redis is not None:
                    await asyncio.to_thread(victim.start)
                first = first or await receiver.first(text, bound=0)
                rows.append(
                    {
                        "text": text,
                        "victim": next(k for k, s in servers.items() if s is victim),
                        "by": done.process if done else None,
                        "key": done.key if done else None,
                        "event_id": first.event_id if first else None,
                        "first_key": first.key if first else None,
                        "after_kill_s": round(done.at - killed_at, 2) if done else None,
                        "keys": {a.key for a in receiver.attempts if a.text == text},
                    }
                )
            await asyncio.sleep(1.0)  # a second copy would come now
        finally:
            for server in servers.values():
                server.kill()
    successes = {
        row["text"]: sum(a.text == row["text"] and a.status == 200 for a in receiver.attempts)
        for row in rows
    }
    delivered = [row for row in rows if row["by"] is not None]
    waits = sorted(row["after_kill_s"] for row in delivered)
    return {
        "kills": rounds,
        "when": when,
        "delivered": len(delivered),
        "lost": rounds - len(delivered),
        "duplicates": sum(max(count - 1, 0) for count in successes.values()),
        "by_another_process": sum(row["by"] != row["victim"] for row in delivered),
        "same_key": all(row["key"] == row["event_id"] == row["first_key"] for row in delivered),
        "after_kill_s": {"median": waits[len(waits) // 2], "max": waits[-1]} if waits else None,
        "rows": rows,
    }


async def test_a_sender_killed_while_retrying_leaves_the_event_to_the_other_process(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """Two processes on one Redis; the receiver fails the first attempt; the process
    sending the event is SIGKILLed while it retries: the other delivers it, once, with the
    same Idempotency-Key."""
    seen = await takeover_run(tmp_path, redis_server, rounds=1, when="retrying")
    (row,) = seen["rows"]
    assert row["by"] is not None, f"the event was never delivered: {seen}"
    assert row["by"] != row["victim"], seen  # the other process sent it
    assert row["key"] == row["first_key"] == row["event_id"], seen
    assert seen["duplicates"] == 0, seen


async def test_a_restarted_process_delivers_what_it_held_when_killed(tmp_path: Path) -> None:
    """The file store, one process: SIGKILLed while it retries a receiver, started again,
    it delivers the event it held (from DATA/ROOM/outbox.jsonl), with the same key."""
    seen = await takeover_run(tmp_path, None, rounds=1, when="retrying")
    (row,) = seen["rows"]
    assert row["by"] == "a", f"the event was never delivered: {seen}"
    assert row["key"] == row["first_key"] == row["event_id"], seen
    assert seen["duplicates"] == 0, seen


async def test_a_process_killed_right_after_the_ack_sends_the_event_when_restarted(
    tmp_path: Path,
) -> None:
    """The file store, one process, SIGKILLed the moment the command is acknowledged
    (before it could claim the event): the restarted process derives the change's event
    again from the log and sends it, once."""
    seen = await takeover_run(tmp_path, None, rounds=1, when="ack")
    (row,) = seen["rows"]
    assert row["by"] == "a", f"the event was never delivered: {seen}"
    assert row["key"] == row["event_id"], seen
    assert row["keys"] == {row["event_id"]}, seen  # every attempt says it is the same event
    assert seen["duplicates"] == 0, seen
