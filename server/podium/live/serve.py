"""Running the server: build the store and the rooms, serve until SIGTERM or Ctrl-C,
then finish the command in flight, say "going away" to every client, and stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from podium.core.config.programme import Programme
from podium.core.errors import PodiumError, present
from podium.live.access.auth import (
    SECRETS,
    TOKEN_FILE,
    Tokens,
)
from podium.live.access.guard import (
    HEADER_TIMEOUT_S,
    MAX_PER_ADDRESS,
    Guard,
    default_max_connections,
)
from podium.live.access.keeper import FileKeeper, Keeper
from podium.live.access.policy import Policy
from podium.live.http import assets
from podium.live.http.accesslog import BadRequestsInOneLine, RedactingAccessLogger
from podium.live.http.app import create_app
from podium.live.http.request import GUARD, STOPPING
from podium.live.rooms.hub import FANOUT
from podium.live.rooms.room import STORE_TIMEOUT_S, Room
from podium.runtime.collector import Collector
from podium.runtime.datalock import locked
from podium.runtime.eventloop import new_runner
from podium.runtime.fdlimit import raise_open_file_limit
from podium.store import Store
from podium.store.files import FileStore

log = logging.getLogger("podium")

# Connections the kernel queues before we accept them; aiohttp's default of 128 overflows
# when thousands of viewers reconnect at once (docs/performance.md).
LISTEN_BACKLOG = 4096
# The pages' compressed copies (``assets.py``), in the data dir; a room id has no dot.
WEB_CACHE_DIR = "web.cache"
# The pages a server cannot do without: one missing means an install without its pages.
PAGES = ("viewer.html", "screen.html", "console.html")


@dataclass
class ServeOptions:
    programmes: list[Programme]
    sources: dict[str, Path] = field(default_factory=dict)  # each room's programme file
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("data")
    redis_url: str | None = None
    redis_prefix: str = "podium"
    policy: Policy = field(default_factory=Policy)
    store_timeout: float = STORE_TIMEOUT_S
    header_timeout: float = HEADER_TIMEOUT_S
    max_connections: int | None = None  # None: the open-file limit less a reserve
    max_per_address: int = MAX_PER_ADDRESS
    fanout_threads: int | None = None  # None: one per further CPU (``default_helpers``)
    ready: asyncio.Event = field(default_factory=asyncio.Event)


def make_store(options: ServeOptions) -> Store:
    if options.redis_url:
        from podium.store.redis import RedisStore

        return RedisStore(options.redis_url, prefix=options.redis_prefix)
    return FileStore(options.data_dir)


def make_keeper(options: ServeOptions) -> Keeper:
    """Where the secrets live: Redis when the rooms are there (one copy for every process
    sharing it), else the data dir."""
    if options.redis_url:
        from podium.store.secrets import SharedSecrets

        return SharedSecrets(options.redis_url, prefix=options.redis_prefix)
    return FileKeeper(options.data_dir)


def banner(options: ServeOptions, rooms: list[Room], tokens: Tokens, port: int) -> str:
    listening = f"http://{options.host}:{port}"
    lines = [
        f"Podium is serving {len(rooms)} room(s) at {listening}  (store: {rooms[0].store.name})"
    ]
    base = options.policy.public_origin or listening  # the links people open
    if options.policy.public_origin:
        lines.append(f"  viewers open {base} (--public-url); the links below are there")
    where = tokens.keeper.where if tokens.keeper else str
    for i, room in enumerate(rooms):
        query = "" if i == 0 else f"?room={room.id}"
        lines.append(f"  {room.programme.event.title}  [{room.id}]  version {room.state.version}")
        lines.append(f"    viewers   {base}/viewer{query}")
        lines.append(f"    screen    {base}/screen{query}")
        lines.append(f"    overlay   {base}/overlay{query}")
        console = f"{base}/console{query}"
        if not tokens.generated:
            lines.append(f"    console   {console}  (token: $PODIUM_MODERATOR_TOKEN)")
        elif sys.stdout.isatty():
            lines.append(f"    console   {console}#token={tokens.moderator}")
        else:  # stdout is a log: keep the token out of it, say where it is
            lines.append(f"    console   {console}  (moderator token: in {where(TOKEN_FILE)})")
        for label, role in (("questions", "questions"), ("booth", "interpreter")):
            token = getattr(tokens, role)
            if token is not None:
                lines.append(_role_link(label, f"{base}/{label}{query}", token, role, where))
        if tokens.captions is not None:  # an API, not a page: say where its token is
            url = f"POST {base}/api/captions{query}"
            lines.append(
                _role_link("captions", url, tokens.captions, "captioner", where, page=False)
            )
        lines += [f"    warning: {problem}" for problem in room.problems]
    if tokens.private:
        lines.append("  private event: viewer, screen and overlay links need the viewer token")
    lines += [
        f"  warning: the {role} token is short; use at least 22 random characters"
        for role in tokens.weak()
    ]
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _role_link(
    label: str, url: str, token: str, role: str, where: Callable[[str], str], page: bool = True
) -> str:
    """A staff page's link: with its token on a terminal; in a log (or for an API, whose
    URL a token in the fragment does not serve), where the token is."""
    if page and sys.stdout.isatty():
        return f"    {label:<9} {url}#token={token}"
    secret = SECRETS[role]
    return f"    {label:<9} {url}  (token: in {where(secret.name)} or ${secret.env})"


class StartupError(PodiumError):
    code = "startup"


async def open_rooms(options: ServeOptions) -> tuple[Store, list[Room], Tokens]:
    """The store, its rooms and the tokens; a ``StartupError`` saying what is wrong."""
    store = make_store(options)
    try:
        await store.open()
        rooms = [Room(p, store, store_timeout=options.store_timeout) for p in options.programmes]
        for room in rooms:
            room.plan.source = options.sources.get(room.id)
            await room.open()
            await _file_changed(room)
        return store, rooms, await load_tokens(make_keeper(options))
    except OSError as exc:
        raise data_dir_error(exc) from None


async def _file_changed(room: Room) -> None:
    """Say in the room's warnings (the banner) when its programme file differs from the
    plan the room last took from it: the running plan stands until a reload."""
    if room.plan.source is None or not room.state.plans:
        return
    try:
        changes = await room.plan.changes(room.state)
    except PodiumError as exc:
        room.problems.append(exc.message)
        return
    if changes["differs"]:
        room.problems.append(
            f"the programme file changed: {changes['summary']}; the room runs its own plan"
            " until a moderator reloads it (the console, or POST /api/programme/reload)"
        )


async def load_tokens(keeper: Keeper) -> Tokens:
    """The tokens, those made here settled with the other processes' (the first one made
    of each is the one everyone uses)."""
    await keeper.refresh()
    tokens = Tokens.load(keeper)
    await keeper.settle()
    tokens.reload()
    return tokens


def data_dir_error(exc: OSError) -> StartupError:
    where = f" {exc.filename}" if exc.filename else ""
    return StartupError(f"cannot use the data dir{where}: {exc.strerror}")


def web_files(options: ServeOptions) -> Path:
    """The pages' files, compressed, under the data dir (``assets.py``); a
    ``StartupError`` naming where the pages were looked for when they are not there."""
    source = assets.WEB_DIR
    missing = [page for page in PAGES if not (source / page).is_file()]
    if missing:
        raise StartupError(
            f"the pages are missing: no {', '.join(missing)} in {source}; reinstall podium"
            " (a wheel built from a checkout with `pip wheel .` carries them) or run it from"
            " a checkout with `make run`"
        )
    try:
        return assets.prepare(options.data_dir / WEB_CACHE_DIR, source)
    except OSError as exc:
        raise data_dir_error(exc) from None


async def serve(options: ServeOptions) -> None:
    """Serve until stopped; with the file store, holding the data dir's lock throughout
    (with Redis the data dir holds only the pages' compressed copy, which several processes
    may share: the tokens are in Redis)."""
    with contextlib.nullcontext() if options.redis_url else locked(options.data_dir):
        await _serve(options)


async def _serve(options: ServeOptions) -> None:
    store, rooms, tokens = await open_rooms(options)
    app = create_app(rooms, tokens, web_files(options), options.policy)
    runner = web.AppRunner(
        app,
        access_log=logging.getLogger("podium.live.access"),
        access_log_class=RedactingAccessLogger,
        handle_signals=False,
        keepalive_timeout=options.header_timeout,  # idle between requests: the same bound
    )
    await runner.setup()
    try:
        await _listen(options, app, runner, rooms, tokens)
    finally:  # stopped, or it could not listen (the port taken): nothing left running
        await runner.cleanup()  # the auto-advancers and every background task stop here
        for room in rooms:
            await room.close()
        await store.close()
        if tokens.keeper is not None:
            await tokens.keeper.close()


async def _listen(
    options: ServeOptions,
    app: web.Application,
    runner: web.AppRunner,
    rooms: list[Room],
    tokens: Tokens,
) -> None:
    """Listen on the port, say so, and serve until SIGINT or SIGTERM."""
    guard = Guard(
        max_connections=options.max_connections or default_max_connections(),
        max_per_address=options.max_per_address,
        header_timeout_s=options.header_timeout,
        # a trusted proxy carries many clients: ``proxied.py`` caps each of them instead
        exempt=lambda peer: options.policy.exempt(peer) or options.policy.trusted.trusts(peer),
    )
    app[GUARD] = guard
    loop = asyncio.get_running_loop()
    server = present(runner.server, "the aiohttp runner has no server after setup()")
    listener = await loop.create_server(
        guard.factory(server), options.host, options.port, backlog=LISTEN_BACKLOG
    )
    port = listener.sockets[0].getsockname()[1]
    print(banner(options, rooms, tokens, port), flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    collector = Collector(lambda: (sum(r.hub.added for r in rooms), sum(len(r.hub) for r in rooms)))
    collecting = asyncio.create_task(collector.run())
    options.ready.set()
    try:
        await stop.wait()
    finally:
        log.info("stopping: finishing commands in flight, closing connections")
        app[STOPPING].set()  # GET /readyz answers 503 from now on
        collecting.cancel()
        listener.close()


def run(options: ServeOptions) -> None:
    raise_open_file_limit()
    if options.fanout_threads is not None:  # one setting for the process: every hub's
        FANOUT.helpers = options.fanout_threads
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.server").addFilter(BadRequestsInOneLine())
    with new_runner() as runner:
        try:
            runner.run(serve(options))
        except OSError as exc:
            print(f"podium: cannot serve on {options.host}:{options.port}: {exc.strerror}",
                  file=sys.stderr)  # fmt: skip
            raise SystemExit(2) from None
        except PodiumError as exc:
            print(f"podium: {exc.message}", file=sys.stderr)
            raise SystemExit(2) from None
