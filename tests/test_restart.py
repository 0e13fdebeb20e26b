"""A server killed mid-speaker comes back with the same version, speaker and ``ends_at``:
the speaker's time kept running while it was down, as it did in the room."""

from __future__ import annotations

from tests.helpers import Server


def test_kill_and_restart_keeps_the_live_state(server: Server) -> None:
    server.command("start_session", session_id="session-1")
    server.command("next")
    server.command("add_time", seconds=90)
    before = server.state()
    server.kill()
    server.start()
    after = server.state()
    assert after["version"] == before["version"] == 3
    assert after["state"]["speaker"]["id"] == "bilel-jamoussi"
    assert after["state"]["timer"]["ends_at"] == before["state"]["timer"]["ends_at"]
    assert after["state"]["timer"]["remaining_ms"] < before["state"]["timer"]["remaining_ms"]
    status, body = server.command("next", expected_version=3)
    assert status == 200 and body["version"] == 4


def test_a_paused_timer_stays_paused_across_a_restart(server: Server) -> None:
    server.command("start_session", session_id="session-2")
    server.command("pause")
    left = server.state()["state"]["timer"]["remaining_ms"]
    server.kill()
    server.start()
    timer = server.state()["state"]["timer"]
    assert timer["status"] == "paused" and timer["remaining_ms"] == left


def test_sigterm_stops_cleanly_and_the_state_survives(server: Server) -> None:
    server.command("start_session", session_id="session-1")
    assert server.terminate() == 0
    server.start()
    assert server.state()["version"] == 1
