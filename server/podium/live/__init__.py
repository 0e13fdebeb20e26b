"""The live server: the room (the one writer), the hub (one-pass fan-out), the aiohttp
application and its routes, tokens and the access policy, rate limits, the connection
guard, metrics, and ``serve`` (the run loop).

May import: ``podium.core``, ``podium.store``, ``podium.report`` (served at /api/report).
Never imports the CLI or the bench.
"""
