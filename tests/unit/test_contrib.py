"""``contrib/podium.service``, the systemd unit docs/deploy.md installs: systemd accepts
it, and it says what the doc says it does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

UNIT = ROOT / "contrib" / "podium.service"


def test_systemd_analyze_verify_passes_on_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("needs systemd-analyze: sudo apt-get install systemd")
    podium = Path(sys.executable).with_name("podium")  # the install the unit would run
    unit = tmp_path / "podium.service"
    unit.write_text(UNIT.read_text().replace("/opt/podium/bin/podium", str(podium)))
    done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    said = [line for line in done.stderr.splitlines() if "podium.service" in line]
    assert done.returncode == 0 and not said, done.stderr


def test_the_unit_runs_podium_as_the_doc_says() -> None:
    lines = set(UNIT.read_text().splitlines())
    for line in (
        "DynamicUser=yes",
        "StateDirectory=podium",
        "EnvironmentFile=-/etc/podium/podium.env",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
    ):
        assert line in lines, line
