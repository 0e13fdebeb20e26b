"""The Chromium every page test drives, and the faces of one server in it; every test in
``tests/web/`` is marked ``browser`` (``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browsers import KEPT
from tests.helpers import Server
from tests.web.test_web import FONTS, SHORT, Faces, make_faces


@pytest.fixture(scope="module")
def browser() -> Browser:
    """The headless Chromium a module's tests share, kept for the next browser module
    (``tests/browsers.py``)."""
    return KEPT.browser()


@pytest.fixture
def faces(browser: Browser, server: Server) -> Iterator[Faces]:
    yield from make_faces(browser, server)


@pytest.fixture
def short_server(tmp_path: Path) -> Iterator[Server]:
    """The seed's short programme (``tests/programmes/short.toml``) on a server of its own."""
    srv = Server(data_dir=tmp_path / "data", programmes=[SHORT]).start()
    yield srv
    srv.kill()


@pytest.fixture
def short_faces(browser: Browser, short_server: Server) -> Iterator[Faces]:
    yield from make_faces(browser, short_server)


@pytest.fixture(params=sorted(FONTS))
def font(request: pytest.FixtureRequest) -> str:
    """Each of ``FONTS`` in turn: a layout test renders with DejaVu and with Noto Sans CJK."""
    return str(request.param)
