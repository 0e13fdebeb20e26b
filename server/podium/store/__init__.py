"""Where rooms keep their state and action log: one interface (``base``), two stores:
files by default (``files``), Redis when configured (``redis``; its Lua scripts in
``redis_scripts``).

May import: ``podium.core``.
"""

from podium.store.base import LogRecord, Store, Stored

__all__ = ["LogRecord", "Store", "Stored"]
