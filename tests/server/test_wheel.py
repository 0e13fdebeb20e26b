"""The wheel is the whole product: built from the checkout, installed into a fresh virtual
environment outside it, its ``podium`` serves the seed event with every page from any
folder, and refuses to start, saying where it looked, when its pages are missing.

The build uses the test environment's setuptools (no build isolation) and the install
takes no dependencies from an index: the fresh environment reads them from the test
environment's site packages (a ``.pth`` line), so the test needs no network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT, Server

pytestmark = pytest.mark.slow
PY = f"python{sys.version_info.major}.{sys.version_info.minor}"


def build_wheel(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(out)],
        check=True, timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("podium-*.whl")
    return wheel


def install(wheel: Path, venv: Path) -> Path:
    """A fresh environment with ``wheel`` installed; its site packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)],
        check=True, timeout=300,
    )  # fmt: skip
    site = venv / "lib" / PY / "site-packages"
    # the dependencies, from the test environment (appended to sys.path: its own .pth
    # files, the checkout's editable install among them, are not read)
    (site / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return site


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_the_wheel_serves_the_seed_and_its_pages_from_any_folder(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    names = set(zipfile.ZipFile(wheel).namelist())
    for packed in ("podium/web/viewer.html", "podium/web/js/connection.js",
                   "podium/seed/itu-miit-2021.toml", "podium/seed/itu-miit-2021-logo.svg",
                   "podium/seed/samples/itu-miit-2021-agenda.txt"):  # fmt: skip
        assert packed in names, f"{packed} is not in the wheel"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), sorted(names)[:20]

    site = install(wheel, tmp_path / "venv")
    podium = tmp_path / "venv" / "bin" / "podium"
    elsewhere = tmp_path / "elsewhere"  # no checkout here, nor above
    elsewhere.mkdir()
    where = subprocess.run(
        [tmp_path / "venv" / "bin" / "python", "-c", "import podium; print(podium.__file__)"],
        cwd=elsewhere, env=clean_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip() == str(site / "podium" / "__init__.py")
    helped = subprocess.run([podium, "--help"], capture_output=True, text=True, check=True)
    assert "The podium command" in helped.stdout and "``" not in helped.stdout

    # no programme named: the seed, from the package
    srv = Server(data_dir=elsewhere / "data", programmes=[], podium=[str(podium)], cwd=elsewhere)
    srv.env = {k: v for k, v in clean_env().items() if k.startswith("PODIUM_")}
    srv.start()
    try:
        status, page = srv.request("GET", "/viewer")
        assert status == 200 and isinstance(page, bytes) and b"<html" in page
        modules = re.findall(rb'rel="modulepreload" href="([^"]+)"', page)
        assert modules, page[:400]
        for module in modules:
            status, body = srv.request("GET", module.decode())
            assert status == 200 and len(body) > 100, module
        status, programme = srv.request("GET", "/api/programme")
        assert status == 200 and programme["id"] == "itu-miit-2021"
        status, logo = srv.request("GET", "/branding/itu-miit-2021/logo.svg")
        assert status == 200 and b"<svg" in logo
    finally:
        srv.kill()

    # an install whose pages are gone: refused, saying where it looked
    (site / "podium" / "web" / "viewer.html").unlink()
    refused = subprocess.run(
        [podium, "serve", "--port", "0", "--data-dir", elsewhere / "data2"],
        cwd=elsewhere, env=clean_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "the pages are missing" in refused.stderr
    assert str(site / "podium" / "web") in refused.stderr
