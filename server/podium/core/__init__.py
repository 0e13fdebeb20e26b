"""The pure core: the live state and the timing engine, the errors and time formatting
here; the programme in ``config``, the wire messages in ``wire``.

No I/O and no clock of its own: nothing here imports asyncio, aiohttp, redis, websockets,
sockets or subprocesses, and nothing of Podium outside ``podium.core``. ``apply(programme,
state, command, now)`` is the one way a state changes; the caller passes the clock in.
"""
