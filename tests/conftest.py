"""Fixtures shared by every tier, the run's random seed (one for all xdist workers), the
markers a test gets from what it uses, and the closing summary of what this run did not
test (see ``tests/machine.py`` and docs/testing.md)."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import is_hypothesis_test

from tests.browsers import KEPT
from tests.helpers import ASSISTANT, AUTO, Server
from tests.machine import PARTS
from tests.redis_server import RedisServer, redis_for_test

SEED_VAR = "PODIUM_TEST_SEED"
SEED = pytest.StashKey[int]()
SEED_SECTION = "random seed"  # the report section a failing randomised test adds
TIERS = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's plugin reads its seed option
def pytest_configure(config: pytest.Config) -> None:
    """One seed per run, from PODIUM_TEST_SEED or drawn; the ``rng`` fixture and Hypothesis
    both start from it, so a failing run is replayed with PODIUM_TEST_SEED=N."""
    given = os.environ.get(SEED_VAR, "")
    if given and not given.isdigit():
        raise pytest.UsageError(f"{SEED_VAR}={given!r}: give a whole number, e.g. {SEED_VAR}=42")
    worker = getattr(config, "workerinput", None)  # an xdist worker takes the controller's
    if worker is not None and SEED_VAR in worker:
        seed = int(worker[SEED_VAR])
    else:
        seed = int(given) if given else random.randrange(1 << 30)
    config.stash[SEED] = seed
    if config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(seed)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: absent without it
def pytest_configure_node(node: Any) -> None:
    """Each xdist worker gets the controller's seed: one seed for the whole run."""
    node.workerinput[SEED_VAR] = str(node.config.stash[SEED])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers from what a test uses: ``browser`` for ``tests/web/`` and any test taking the
    ``browser`` or ``chromium`` fixture, ``redis`` for a test on a real Redis (its fixtures
    or a ``redis`` parameter). ``slow`` is set by hand on the tests that take longest."""
    web = TIERS / "web"
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if item.path.is_relative_to(web) or names & {"browser", "chromium"}:
            item.add_marker(pytest.mark.browser)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if names & {"redis_server", "redis_aof"} or "redis" in params.values():
            item.add_marker(pytest.mark.redis)
    # The longest files first: ``make test`` hands whole files to its workers in this order
    # (``--dist loadfile --no-loadscope-reorder``; xdist's own order is by count of tests),
    # so the run ends on short files, not on one long one begun last.
    rank: dict[Path, int] = {}
    for item in items:
        weight = (
            0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("browser") else 2
        )
        rank[item.path] = min(weight, rank.get(item.path, 2))
    items.sort(key=lambda item: rank[item.path])


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that does not take the ``browser`` fixture runs with the kept Chromium closed:
    the sync Playwright holds the thread's event loop (``tests/browsers.py``)."""
    if "browser" not in getattr(item, "fixturenames", ()):
        KEPT.close()


def pytest_sessionfinish() -> None:
    KEPT.close()


def pytest_report_header(config: pytest.Config) -> str:
    return f"random seed: {config.stash[SEED]} (replay with {SEED_VAR}={config.stash[SEED]})"


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """Random choices a failing test can replay: its report names the seed."""
    return random.Random(request.config.stash[SEED])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A randomised test that fails says which seed replays it, in its own report."""
    report = yield
    randomised = "rng" in getattr(item, "fixturenames", ()) or is_hypothesis_test(
        getattr(item, "obj", None)
    )
    if report.failed and randomised:
        seed = item.config.stash[SEED]
        report.sections.append((SEED_SECTION, f"{seed}: replay with {SEED_VAR}={seed}"))
    return report


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@pytest.hookimpl(wrapper=True, tryfirst=True)  # after pytest's short summary: the last lines
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> Generator[None]:
    """What this run did not test, why, and how to make it: skips grouped by reason."""
    yield
    write = terminalreporter.write_line
    reasons = Counter(_skip_reason(r) for r in terminalreporter.stats.get("skipped", []))
    terminalreporter.write_sep("=", "what this run did not test", bold=True)
    if not reasons:
        write("nothing was skipped")
    installs = []
    for part in PARTS:
        mine = {r: n for r, n in reasons.items() if r.startswith(part.prefix)}
        if mine:
            why = "; ".join(sorted({r.removeprefix(part.prefix) for r in mine}))
            n = sum(mine.values())
            write(f"{_plural(n, 'test')} need{'s' * (n == 1)} {part.name}: {why}", yellow=True)
            write(f"    to enable: {part.install}")
            installs.append(part)
            reasons -= Counter(mine)
    for reason, n in reasons.most_common():
        write(f"{_plural(n, 'test')} skipped on purpose: {reason}")
    apt = [part.apt for part in installs if part.apt]
    if len(apt) > 1:
        write(f"to install them all: sudo apt-get install {' '.join(apt)}", bold=True)
    failed = {  # under xdist the reports come from the workers: their sections say it
        r.nodeid
        for r in terminalreporter.stats.get("failed", [])
        if SEED_SECTION in dict(r.sections)
    }
    if failed:
        seed = config.stash[SEED]
        write(f"{_plural(len(failed), 'randomised test')} failed: replay with {SEED_VAR}={seed}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A real server for the seed event, on a free port, with its own data dir."""
    srv = Server(data_dir=tmp_path / "data").start()
    yield srv
    srv.kill()


@pytest.fixture
def qserver(tmp_path: Path) -> Iterator[Server]:
    """A server taking the audience's questions, with the assistant's token ``ASSISTANT``."""
    srv = Server(data_dir=tmp_path / "data", env={"PODIUM_QUESTIONS_TOKEN": ASSISTANT}).start()
    yield srv
    srv.kill()


@pytest.fixture
def auto_server(tmp_path: Path) -> Iterator[Server]:
    """The programme of items that end themselves (``tests/programmes/auto.toml``)."""
    srv = Server(data_dir=tmp_path / "data", programmes=[AUTO]).start()
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
