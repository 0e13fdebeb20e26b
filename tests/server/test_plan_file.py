"""The programme file edited between two runs (issue 25): the server starts on its own
plan, the log replays to its end, ``GET /api/programme/file`` lists what the file
changed, and ``POST /api/programme/reload`` applies exactly that, as one undoable change;
a file ``podium check`` refuses, or one that would remove the live speaker, changes
nothing."""

from __future__ import annotations

from pathlib import Path

from podium.core.config.programme_file import load
from tests.clients import log_records
from tests.helpers import SEED, Server, podium, seed_with

RENAMED = ('name = "Hequan WU"', 'name = "Hequan WU-Renamed"')  # spoke in session-1
REMOVED = "ran-xiao"  # session-1, never on
ADDED = """
[[sessions.speakers]]
id = "new-speaker"
name = "New Speaker"
affiliation = "Added between runs"
"""


def edited(seed: str) -> str:
    """The seed with Hequan WU renamed, Ran XIAO removed and a speaker added to
    session-1 (six speakers still, so the shared allocations stay as they were)."""
    text = seed.replace(*RENAMED)
    start = text.index(f'id = "{REMOVED}"')
    block = text.rindex("[[sessions.speakers]]", 0, start)
    end = text.index("[[sessions.speakers]]", start)
    text = text[:block] + text[end:]
    at = text.index("[[sessions]]", text.index('id = "session-1"'))
    return text[:at] + ADDED.lstrip() + "\n" + text[at:]


def seeded(tmp_path: Path, servers: list[Server]) -> tuple[Path, Server]:
    """A copy of the seed (and its logo) and a server started on it."""
    path = seed_with(tmp_path, "")
    server = Server(data_dir=tmp_path / "data", programmes=[path]).start()
    servers.append(server)
    return path, server


def expected_changes() -> set[tuple[str, str]]:
    return {("hequan-wu", "renamed"), (REMOVED, "removed"), ("new-speaker", "added")}


def test_a_file_edited_between_runs_is_offered_and_reloaded_as_one_change(
    tmp_path: Path, servers: list[Server]
) -> None:
    path, server = seeded(tmp_path, servers)
    assert server.command("start_session", session_id="session-1")[0] == 200
    assert server.command("next")[0] == 200  # Hequan WU has spoken
    status, _ = server.command("add_speaker", session_id="session-2", speaker={"name": "Live"})
    assert status == 200
    server.kill()
    records = log_records(server)
    assert [r["version"] for r in records] == [0, 1, 2, 3]

    path.write_text(edited(SEED.read_text()))
    server.start()
    banner = server.log.read_text()
    assert "the programme file changed: 1 speaker added, 1 removed, 1 renamed" in banner
    assert server.state()["version"] == 3 and server.state()["state"]["speaker"]["id"] == (
        "bilel-jamoussi"
    )
    assert log_records(server) == records  # nothing in the log lost
    status, report = server.request("GET", "/api/report", token=server.token)
    assert status == 200 and report["commands"]["add_speaker"] == 1
    _, programme = server.request("GET", "/api/programme")
    s1 = next(s for s in programme["sessions"] if s["id"] == "session-1")
    assert REMOVED in [sp["id"] for sp in s1["speakers"]]  # the running plan stands

    status, offered = server.request("GET", "/api/programme/file", token=server.token)
    assert status == 200 and offered["differs"] is True
    assert offered["summary"] == "1 speaker added, 1 removed, 1 renamed"
    assert {(c["id"], c["kind"]) for c in offered["changes"]} == expected_changes()
    assert server.request("GET", "/api/programme/file")[0] == 401

    status, reloaded = server.request("POST", "/api/programme/reload", token=server.token)
    assert status == 200 and reloaded["version"] == 4
    assert {(c["id"], c["kind"]) for c in reloaded["changes"]} == expected_changes()
    _, programme = server.request("GET", "/api/programme")
    s1 = next(s for s in programme["sessions"] if s["id"] == "session-1")
    assert [sp["id"] for sp in s1["speakers"]] == [
        "hequan-wu", "bilel-jamoussi", "duo-liu", "luis-romero", "heung-youl-youm",
        "new-speaker",
    ]  # fmt: skip
    assert s1["speakers"][0]["name"] == "Hequan WU-Renamed"
    s2 = next(s for s in programme["sessions"] if s["id"] == "session-2")
    assert s2["speakers"][-1]["id"] == "live"  # the live edit stays
    assert server.request("GET", "/api/programme/file", token=server.token)[1]["differs"] is False

    assert server.command("undo")[0] == 200  # one change, one undo
    status, offered = server.request("GET", "/api/programme/file", token=server.token)
    assert {(c["id"], c["kind"]) for c in offered["changes"]} == expected_changes()


def test_a_reload_the_file_or_the_live_speaker_refuses_changes_nothing(
    tmp_path: Path, servers: list[Server]
) -> None:
    path, server = seeded(tmp_path, servers)
    assert server.command("start_session", session_id="session-1")[0] == 200

    path.write_text(SEED.read_text().replace('timezone = "Asia/Shanghai"', 'timezone = "Mars"'))
    status, body = server.request("POST", "/api/programme/reload", token=server.token)
    assert status == 422 and "podium check" in body["error"]["message"]
    assert "unknown time zone" in body["error"]["message"]

    start = SEED.read_text().index('id = "hequan-wu"')  # the live speaker, gone from the file
    text = SEED.read_text()
    block = text.rindex("[[sessions.speakers]]", 0, start)
    path.write_text(text[:block] + text[text.index("[[sessions.speakers]]", start) :])
    status, body = server.request("POST", "/api/programme/reload", token=server.token)
    assert status == 422 and "on now" in body["error"]["message"]
    status, body = server.request("POST", "/api/programme/reload", {"command_id": 5},
                                  token=server.token)  # fmt: skip
    assert status == 400
    assert server.request("POST", "/api/programme/reload")[0] == 401
    assert server.state()["version"] == 1


def test_export_writes_the_running_plan_that_podium_check_accepts(
    tmp_path: Path, servers: list[Server]
) -> None:
    path, server = seeded(tmp_path, servers)
    steps = [
        ("start_session", {"session_id": "session-1"}),
        ("add_speaker", {"session_id": "session-3", "speaker": {"name": "Ana López",
                         "allocation": "9m", "presence": "remote"}, "before": "jing-sun"}),
        ("move_speaker", {"speaker_id": "xinhui-wang", "before": "jianjun-cheng"}),
        ("update_session", {"session_id": "session-2", "fields": {"duration": "1h"}}),
        ("remove_speaker", {"speaker_id": "john-giusti"}),
    ]  # fmt: skip
    for action, fields in steps:
        assert server.command(action, **fields)[0] == 200
    _, running = server.request("GET", "/api/programme")

    out = tmp_path / "tomorrow.toml"  # beside the file: its logo is found there
    done = podium("export", str(path), "--data-dir", str(server.data_dir), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "The running plan" in out.read_text()
    checked = podium("check", str(out))
    assert checked.returncode == 0, checked.stderr
    tomorrow = load(out)
    assert [(s.id, [sp.id for sp in s.speakers]) for s in tomorrow.sessions] == [
        (s["id"], [sp["id"] for sp in s["speakers"]]) for s in running["sessions"]
    ]
    s3 = {sp.id: sp for s in tomorrow.sessions for sp in s.speakers}
    assert s3["ana-lopez"].allocation_ms == 540_000 and s3["ana-lopez"].presence == "remote"
    assert tomorrow.sessions[2].duration_ms == 3_600_000
    assert tomorrow.automations == load(path).automations

    as_csv = podium("export", str(path), "--data-dir", str(server.data_dir), "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    assert "ana-lopez" in as_csv.stdout and "john-giusti" not in as_csv.stdout
