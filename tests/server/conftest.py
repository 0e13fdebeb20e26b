"""Fixtures shared by the tests of real ``podium serve`` processes (``tests/server/``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import Server


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Servers a test starts itself and appends here; each is killed after the test."""
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()
