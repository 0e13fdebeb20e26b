"""Where rooms keep their state and action log: files by default, Redis when configured."""

from podium.store.base import LogRecord, Store, Stored

__all__ = ["LogRecord", "Store", "Stored"]
