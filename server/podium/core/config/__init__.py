"""The programme: what its file says and may say, and what it resolves to.
``programme_file``: the TOML file validated, every problem at once; ``values``: durations,
times of day, ids, ``on_end``, thresholds; ``branding``: ``[event.branding]``;
``automations``: an ``[[automations]]`` entry; ``programme``: the resolved programme
(times back to back, shared allocations, inherited moderators, lookups)."""
