"""``podium bench``, the load generator: the runner (``runner``: the whole run, servers in
turn), what it is asked for (``options``), the servers under test (``servers``), the viewer
client processes (``client``, driven as a ``fleet``), the ``moderator`` console, one server's
``measurement``, the bare broadcast ``baseline`` it is measured against, and the ``report``
of the figures.

May import: ``podium.runtime`` (the event loop, the open-file limit, the frames the hub
sends, which the baseline sends too) and ``podium.core``.
Only the CLI imports it.
"""
