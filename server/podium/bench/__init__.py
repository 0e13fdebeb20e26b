"""``podium bench``, the load generator: the runner, the viewer client processes, the bare
broadcast baseline it is measured against, and the report of the figures.

May import: ``podium.live`` (the baseline sends frames as the hub does), ``podium.core``.
Only the CLI imports it.
"""
