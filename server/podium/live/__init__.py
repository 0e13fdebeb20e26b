"""The live server, in three subpackages under ``serve`` (the run loop):

- ``http``: the HTTP and WebSocket surface; ``app.create_app`` builds everything in one
  place, every background task a ``cleanup_ctx`` (``lifecycle``);
- ``rooms``: what a room does while it is live (the one writer, fan-out, the clock, the
  auto-advancer, questions, readiness, automations and their delivery, the store's health),
  with no HTTP server in it;
- ``access``: who may do what (tokens and roles, the bearer, the policy, rate limits, the
  connection guard).

``http`` imports ``rooms`` and ``access``, which do not import each other (the ``live``
contract in pyproject.toml). May import: ``podium.core``, ``podium.store``,
``podium.report`` (served at /api/report), ``podium.runtime``. Never imports the CLI or the
bench.
"""
