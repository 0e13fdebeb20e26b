"""Who may do what: ``auth`` (tokens and roles), ``bearer`` (the token a request carries),
``policy`` (Origin and per-address limits), ``ratelimit`` (token buckets) and ``guard``
(every connection before aiohttp reads it)."""
