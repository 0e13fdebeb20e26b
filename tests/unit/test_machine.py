"""The suite tells what it did not run: where it finds Chromium, how a run without Chromium
or redis-server ends (a summary, or a failure under PODIUM_REQUIRE_*), and how a failing
randomised test names the seed that replays it. Each case runs pytest in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow  # most cases run a pytest of their own: 3-25 s each

PARTS_FILE = """
import pytest

from tests.machine import chromium_or_skip


def test_needs_the_browser():
    chromium_or_skip()


def test_needs_the_browser_too():
    chromium_or_skip()


def test_needs_redis(redis_server):
    pass


def test_not_here():
    pytest.skip("not on this platform")


def test_runs():
    pass
"""

RANDOM_FILE = """
from hypothesis import given, strategies as st


def test_draws(rng):
    print(f"drew {rng.randrange(10**9)}")
    assert False


@given(st.integers())
def test_any_integer(n):
    assert False
"""


def bare_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """This environment without redis-server or a browser: PATH is an empty dir and
    PODIUM_CHROMIUM names a file that is not there; no PODIUM_* from outside."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    (tmp_path / "bin").mkdir(exist_ok=True)
    hidden = {"PATH": str(tmp_path / "bin"), "PODIUM_CHROMIUM": str(tmp_path / "no-chromium")}
    return keep | hidden | env


def pytest_on(
    tmp_path: Path, source: str, env: dict[str, str], *more: str
) -> subprocess.CompletedProcess[str]:
    """Our pytest set-up (pyproject, tests/conftest.py) on one small file of tests."""
    test_file = tmp_path / "test_example.py"
    test_file.write_text(source)
    conftest = ["-c", str(ROOT / "pyproject.toml"), "-p", "tests.conftest"]
    conftest += ["-p", "no:cacheprovider"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *conftest, *more, str(test_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def summary(out: str) -> list[str]:
    """The lines from our closing summary to the end."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if "what this run did not test" in line)
    return lines[start + 1 :]


def test_a_run_without_browser_or_redis_ends_saying_what_it_skipped(tmp_path: Path) -> None:
    result = pytest_on(tmp_path, PARTS_FILE, bare_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    no_chromium = tmp_path / "no-chromium"
    *ours, last = summary(result.stdout)
    assert ours == [
        f"2 tests need Chromium: PODIUM_CHROMIUM={no_chromium} is not an executable file",
        "    to enable: sudo apt-get install chromium"
        " (or: .venv/bin/python -m playwright install chromium)",
        "1 test needs redis-server: not on PATH,"
        " and no PODIUM_TEST_REDIS_URL=redis://HOST:PORT/DB to share",
        "    to enable: sudo apt-get install redis-server",
        "1 test skipped on purpose: not on this platform",
        "to install them all: sudo apt-get install chromium redis-server",
    ]
    assert "1 passed, 4 skipped" in last


def test_required_parts_fail_instead_of_skipping(tmp_path: Path) -> None:
    env = bare_env(tmp_path, PODIUM_REQUIRE_BROWSER="1", PODIUM_REQUIRE_REDIS="1")
    result = pytest_on(tmp_path, PARTS_FILE, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PODIUM_REQUIRE_BROWSER=1 makes this a failure" in result.stdout
    assert "PODIUM_REQUIRE_REDIS=1 makes this a failure" in result.stdout
    assert "2 failed, 1 passed, 1 skipped, 1 error" in result.stdout.splitlines()[-1]


def python_says(script: str, env: dict[str, str]) -> str:
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def fake_executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_chromium_is_found_on_path_or_where_podium_chromium_says(tmp_path: Path) -> None:
    env = bare_env(tmp_path)
    browser = fake_executable(tmp_path / "bin" / "chromium-browser")
    find = "from tests.machine import find_chromium; print(find_chromium()[0])"
    on_path = {k: v for k, v in env.items() if k != "PODIUM_CHROMIUM"}
    assert python_says(find, on_path) == str(browser)
    assert python_says(find, env | {"PODIUM_CHROMIUM": str(browser)}) == str(browser)
    assert python_says(find, env) == "None"  # named, but not there: no other is tried


PLAYWRIGHT = """
from playwright.sync_api import sync_playwright
from tests.machine import playwrights_own

print(playwrights_own())
with sync_playwright() as pw:
    print(pw.chromium.executable_path)
"""


def test_chromium_is_found_where_playwright_downloads_it(tmp_path: Path) -> None:
    env = bare_env(tmp_path, PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "ms-playwright"))
    nothing, where = python_says(PLAYWRIGHT, env).splitlines()
    assert nothing == "None" and where.startswith(str(tmp_path / "ms-playwright"))
    fake_executable(Path(where))  # as `playwright install chromium` would put it
    assert python_says(PLAYWRIGHT, env).splitlines() == [where, where]


def test_a_failing_randomised_test_names_the_seed_that_replays_it(tmp_path: Path) -> None:
    first = pytest_on(tmp_path, RANDOM_FILE, bare_env(tmp_path))
    seed = first.stdout.split("random seed: ")[1].split()[0]  # drawn for this run
    replay = pytest_on(tmp_path, RANDOM_FILE, bare_env(tmp_path, PODIUM_TEST_SEED=seed))
    for run in (first, replay):
        assert run.returncode == 1, run.stdout + run.stderr
        lines = run.stdout.splitlines()
        assert lines.count(f"{seed}: replay with PODIUM_TEST_SEED={seed}") == 2  # rng, Hypothesis
        assert summary(run.stdout)[:2] == [
            "nothing was skipped",
            f"2 randomised tests failed: replay with PODIUM_TEST_SEED={seed}",
        ]
    drawn = [
        [x for x in run.stdout.splitlines() if x.startswith("drew ")] for run in (first, replay)
    ]
    assert len(drawn[0]) == 1 and drawn[0] == drawn[1]  # the same seed, the same draws


DRAWS_FILE = """
import pytest


@pytest.mark.parametrize("n", range(4))
def test_draws(rng, n):
    print(f"drew {rng.randrange(10**9)}")
    assert False
"""


def test_parallel_workers_share_the_one_seed_of_the_run(tmp_path: Path) -> None:
    run = pytest_on(tmp_path, DRAWS_FILE, bare_env(tmp_path), "-n", "2", "--dist", "load")
    assert run.returncode == 1, run.stdout + run.stderr
    seed = run.stdout.split("random seed: ")[1].split()[0]  # drawn by the controller
    drawn = {x for x in run.stdout.splitlines() if x.startswith("drew ")}
    assert len(drawn) == 1, drawn  # four tests on two workers: the same seed, the same draw
    lines = run.stdout.splitlines()
    assert lines.count(f"{seed}: replay with PODIUM_TEST_SEED={seed}") == 4
    assert run.stdout.count("what this run did not test") == 1  # once, by the controller
    assert summary(run.stdout)[:2] == [
        "nothing was skipped",
        f"4 randomised tests failed: replay with PODIUM_TEST_SEED={seed}",
    ]
    replay = pytest_on(tmp_path, DRAWS_FILE, bare_env(tmp_path, PODIUM_TEST_SEED=seed), "-n", "2")
    assert {x for x in replay.stdout.splitlines() if x.startswith("drew ")} == drawn
