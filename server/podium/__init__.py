"""Podium, the live-session controller for hybrid meetings.

The subpackages draw the architecture, each layer importing only those below it (checked by
``lint-imports`` in ``make test``; see docs/architecture.md):

- ``cli``: the ``podium`` command;
- ``bench``: the load generator;
- ``live``: the live server (rooms, fan-out, HTTP and WebSocket, access, serve);
- ``report`` and ``agenda``: the tools around the live hour, independent of each other;
- ``store``: where rooms keep their state and log;
- ``core``: the pure programme model and timing engine.
"""
