"""The event loop a busy process runs on (the server, and the load generator's processes):
uvloop where it is installed (a dependency everywhere but Windows), else asyncio's own."""

from __future__ import annotations

import asyncio
import contextlib


def new_runner() -> asyncio.Runner:
    """An ``asyncio.Runner`` on uvloop when it can be imported."""
    factory = None
    with contextlib.suppress(ImportError):
        import uvloop

        factory = uvloop.new_event_loop
    return asyncio.Runner(loop_factory=factory)
