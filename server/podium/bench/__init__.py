"""``podium bench``, the load generator: the runner (``runner``: the whole run, servers in
turn), what it is asked for (``options``), the servers under test (``servers``), the viewer
client processes (``client``, driven as a ``fleet``), the ``moderator`` console, one server's
``measurement``, the bare broadcast ``baseline`` it is measured against, and the ``report``
of the figures.

May import: ``podium.live`` (the baseline sends frames as the hub does), ``podium.core``.
Only the CLI imports it.
"""
