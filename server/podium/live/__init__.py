"""The live server: the room (the one writer), the hub (one-pass fan-out), the aiohttp
application and what it is made of, tokens and the access policy, rate limits, the
connection guard, metrics, and ``serve`` (the run loop).

- ``room``: the one writer per room; ``hub``: one-pass fan-out to every client's transport;
  ``clock``: the wall clock in Unix milliseconds the rooms take; ``autoadvance``: one
  timer per room that advances an item that ends itself (``on_end``) at its end.
- ``app``: ``create_app``, which puts together ``middleware`` (error answers, security
  headers), ``routes`` (health, rooms, programme, state, commands, pages), ``websocket``
  (the connection, heartbeats, token rotation) and ``integrations`` (plain-text fields,
  Server-Sent Events, metrics, the report); ``request``: the app keys and what every
  route reads from a request (the room, may it read); ``speakers``: each speaker's link
  (its QR code, the page's own check) and the readiness routes; ``readiness``: who of
  the speakers is connected and ready, pushed to moderators only and shared between
  processes.
- ``auth``: tokens and roles; ``bearer``: the token a request carries; ``policy``: the
  Origin allowlist, per-address limits, heartbeat; ``ratelimit``: the token buckets;
  ``accesslog``: the access log with tokens redacted.
- ``guard``: every connection before aiohttp reads it; ``metrics``: Prometheus;
  ``serve``: the run loop; ``collector``: the cycle collector kept off a change's path;
  ``datalock``: one server per data dir; ``fdlimit``: the
  open-file limit.

May import: ``podium.core``, ``podium.store``, ``podium.report`` (served at /api/report).
Never imports the CLI or the bench.
"""
