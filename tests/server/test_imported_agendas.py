"""Real agendas imported with ``podium import`` and served by ``podium serve``: the
programme's days and breaks over HTTP, a break started and ended like a session, a
session started on the next day, and bad input refused without a change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, Server, podium

CORPUS = ROOT / "tests" / "data" / "agendas"


def imported(name: str, folder: Path) -> Path:
    out = folder / f"{Path(name).stem}.toml"
    run = [sys.executable, "-m", "podium.cli", "import", str(CORPUS / name), "-o", str(out)]
    subprocess.run(run, check=True, capture_output=True)
    check = podium("check", str(out))
    assert check.returncode == 0, check.stderr
    return out


def test_two_imported_agendas_serve_their_days_and_breaks(
    tmp_path: Path, servers: list[Server]
) -> None:
    icbea = imported("icbea-2020.txt", tmp_path)
    wtim = imported("wtim-2012-bangkok.txt", tmp_path)
    srv = Server(data_dir=tmp_path / "data", programmes=[icbea, wtim])
    servers.append(srv.start())
    status, programme = srv.request("GET", "/api/programme?room=event")
    assert status == 200
    rows = [(s["day"], s["kind"], s["planned_start"]) for s in programme["sessions"]]
    assert rows[:3] == [
        (1, "break", "2020-05-22T10:00:00+00:00"),
        (1, "session", "2020-05-22T14:00:00+00:00"),
        (2, "session", "2020-05-23T09:00:00+00:00"),
    ]
    status, bangkok = srv.request("GET", "/api/programme?room=wtim-2012")
    assert bangkok["timezone"] == "Asia/Bangkok"
    assert bangkok["sessions"][2]["planned_start"] == "2012-09-25T09:45:00+07:00"

    def command(action: str, **fields: str) -> tuple[int, dict]:
        body = {"action": action, **fields}
        return srv.request("POST", "/api/commands?room=event", body, srv.token)

    # the registration desk (a break) starts and ends like a session
    assert (
        command(
            "start_session",
            session_id="participant-onsite-registration-conference-material-collection",
        )[0]
        == 200
    )
    _, state = srv.request("GET", "/api/state?room=event")
    assert state["state"]["session"]["duration_ms"] == 4 * 3600_000
    assert command("end_session")[0] == 200
    # the second day's keynote starts as any session does
    assert command("start_session", session_id="keynote-speech")[0] == 200
    _, state = srv.request("GET", "/api/state?room=event")
    version = state["version"]
    assert state["state"]["session"]["id"] == "keynote-speech"
    # a session that is not in the programme is refused and changes nothing
    status, body = command("start_session", session_id="day-9-keynote")
    assert status == 422 and "day-9-keynote" in body["error"]["message"]
    assert srv.request("GET", "/api/state?room=event")[1]["version"] == version
