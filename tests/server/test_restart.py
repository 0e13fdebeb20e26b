"""A server killed mid-speaker comes back with the same version, speaker and ``ends_at``:
the speaker's time kept running while it was down, as it did in the room."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Server
from tests.redis_server import RedisServer


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


def test_a_second_server_on_the_same_data_dir_refuses_until_the_first_dies(
    server: Server,
) -> None:
    server.command("start_session", session_id="session-1")
    second = Server(data_dir=server.data_dir)
    with pytest.raises(RuntimeError, match="server exited") as refused:
        second.start()
    assert second.proc is not None and second.proc.returncode == 2
    message = str(refused.value)
    assert f"the data dir {server.data_dir} is in use by process {server.proc.pid}" in message
    assert "podium serve" in message and "--data-dir" in message
    assert server.state()["version"] == 1  # the first one serves on, untouched

    server.kill()  # kill -9: the kernel drops the lock with the process
    second.start()
    assert second.state()["version"] == 1
    assert second.command("next", expected_version=1)[0] == 200
    second.kill()


def test_servers_on_redis_may_share_a_data_dir(tmp_path: Path, redis_server: RedisServer) -> None:
    """With Redis the data dir holds only the token files, which the processes share."""
    shared = ["--redis", redis_server.url, "--redis-prefix", redis_server.prefix]
    first = Server(data_dir=tmp_path / "tokens", extra_args=shared).start()
    second = Server(data_dir=first.data_dir, extra_args=shared).start()
    try:
        assert first.command("start_session", session_id="session-1")[0] == 200
        assert second.command("next", expected_version=1)[0] == 200
    finally:
        first.kill()
        second.kill()
