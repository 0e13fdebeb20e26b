"""The process a busy server or load generator runs as, with no room in it: the event loop
(``eventloop``), the open-file limit (``fdlimit``), one server per data dir (``datalock``)
Python's cycle collector kept off a change's path (``collector``), the threads that write
a fan-out's frames on several CPUs (``fanout``) and the files that travel in the package
(``bundled``).

May import: ``podium.core``. Imported by ``podium.live`` and ``podium.bench``.
"""
