"""Running the server: build the store and the rooms, serve until SIGTERM or Ctrl-C,
then finish the command in flight, say "going away" to every client, and stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from podium.app import create_app
from podium.auth import Tokens
from podium.limits import raise_open_file_limit
from podium.programme import Programme
from podium.room import Room
from podium.store import Store
from podium.store.files import FileStore

log = logging.getLogger("podium")

# Connections the kernel queues before we accept them; aiohttp's default of 128 overflows
# when thousands of viewers reconnect at once (docs/performance.md).
LISTEN_BACKLOG = 4096


@dataclass
class ServeOptions:
    programmes: list[Programme]
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("data")
    redis_url: str | None = None
    redis_prefix: str = "podium"
    ready: asyncio.Event = field(default_factory=asyncio.Event)


def make_store(options: ServeOptions) -> Store:
    if options.redis_url:
        from podium.store.redis import RedisStore

        return RedisStore(options.redis_url, prefix=options.redis_prefix)
    return FileStore(options.data_dir)


def banner(options: ServeOptions, rooms: list[Room], tokens: Tokens, port: int) -> str:
    base = f"http://{options.host}:{port}"
    lines = [f"Podium is serving {len(rooms)} room(s) at {base}  (store: {rooms[0].store.name})"]
    for i, room in enumerate(rooms):
        query = "" if i == 0 else f"?room={room.id}"
        lines.append(f"  {room.programme.event.title}  [{room.id}]  version {room.state.version}")
        lines.append(f"    viewers   {base}/viewer{query}")
        lines.append(f"    screen    {base}/screen{query}")
        lines.append(f"    overlay   {base}/overlay{query}")
        console = f"{base}/console{query}"
        lines.append(
            f"    console   {console}#token={tokens.moderator}"
            if tokens.generated
            else f"    console   {console}  (token: $PODIUM_MODERATOR_TOKEN)"
        )
        lines += [f"    warning: {problem}" for problem in room.problems]
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


async def serve(options: ServeOptions) -> None:
    store = make_store(options)
    await store.open()
    rooms = [Room(p, store) for p in options.programmes]
    for room in rooms:
        await room.open()
    tokens = Tokens.load(options.data_dir)
    app = create_app(rooms, tokens)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, options.host, options.port, backlog=LISTEN_BACKLOG)
    await site.start()
    port = options.port
    server = getattr(site, "_server", None)
    if server is not None and server.sockets:
        port = server.sockets[0].getsockname()[1]
    print(banner(options, rooms, tokens, port), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    options.ready.set()
    try:
        await stop.wait()
    finally:
        log.info("stopping: finishing commands in flight, closing connections")
        for room in rooms:
            await room.close()
        await runner.cleanup()
        await store.close()


def run(options: ServeOptions) -> None:
    raise_open_file_limit()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    factory = None
    with contextlib.suppress(ImportError):
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        try:
            runner.run(serve(options))
        except OSError as exc:
            print(f"podium: cannot serve on {options.host}:{options.port}: {exc.strerror}",
                  file=sys.stderr)  # fmt: skip
            raise SystemExit(2) from None
