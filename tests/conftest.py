from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Server
from tests.redis_server import RedisServer, redis_for_test


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A real server for the seed event, on a free port, with its own data dir."""
    srv = Server(data_dir=tmp_path / "data").start()
    yield srv
    srv.kill()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis without persistence (see ``tests/redis_server.py``)."""
    srv = redis_for_test(tmp_path / "redis")
    yield srv
    srv.finish()


@pytest.fixture
def redis_aof(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis with AOF persistence: a stop and start keeps every write."""
    srv = redis_for_test(tmp_path / "redis", appendonly=True)
    yield srv
    srv.finish()
