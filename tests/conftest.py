from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A real server for the seed event, on a free port, with its own data dir."""
    srv = Server(data_dir=tmp_path / "data").start()
    yield srv
    srv.kill()
