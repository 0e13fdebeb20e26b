"""Health from an active check, on every process: a background task, run with the app
(``cleanup_ctx``), pings the store every ``PING_EVERY_S``, each ping bounded by the
store timeout and at most ``PING_BOUND_S`` (Redis: ``PING`` on a connection of its own;
files: a small write in the data dir). The store's ``pulse`` keeps the last answer, so
``/healthz``, ``podium_store_up`` and ``/readyz`` all say what the store does now, with
no command needed: a Redis that hangs with nothing in flight shows within seconds.

``GET /readyz`` is for a load balancer, which reads status codes: ``200`` while this
process can apply a command and hear the other processes' changes now (the store
answered a ping within its bound in the last ``PING_FRESH_S``, and a shared store's
followers are connected), ``503`` otherwise, and from the moment the process starts
shutting down. ``GET /healthz`` stays the detailed report, answered ``200`` while the
process serves.
"""

from __future__ import annotations

import asyncio
import logging
import time

from podium.core.errors import Unavailable
from podium.store import Store
from podium.store.base import Pulse

log = logging.getLogger("podium.live.health")

PING_EVERY_S = 1.0
PING_BOUND_S = 1.0  # the longest a ping may take to count (less if --store-timeout is)


async def ping_once(store: Store, pulse: Pulse) -> None:
    """One ping, its answer (or failure) kept in ``pulse``; an answer also clears a stall
    a room reported (the store answers again)."""
    started = time.monotonic()
    try:
        await asyncio.wait_for(store.ping(), pulse.bound_s)
    except TimeoutError:
        failure = f"the {store.name} store did not answer a ping within {pulse.bound_s:g} s"
    except Unavailable as exc:
        failure = exc.message
    except Exception as exc:  # a bug of ours: say so, keep checking
        log.exception("pinging the %s store failed", store.name)
        failure = f"pinging the {store.name} store failed: {exc.__class__.__name__}"
    else:
        now = time.monotonic()
        if pulse.failure is not None:
            log.info("the %s store answers again", store.name)
        pulse.answered_at, pulse.took_ms, pulse.failure = now, (now - started) * 1000, None
        store.stalled = None
        return
    if pulse.failure is None:
        log.warning("%s; this process is not ready (GET /readyz answers 503)", failure)
    pulse.failure = failure


async def keep_checking(store: Store, pulse: Pulse) -> None:
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await ping_once(store, pulse)
        await asyncio.sleep(max(PING_EVERY_S - (loop.time() - started), 0))
