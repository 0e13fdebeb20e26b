"""The ``podium`` command as a user runs it: output, exit codes, and no tracebacks."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import SEED, podium


def test_check_prints_the_plan_of_the_seed_event() -> None:
    result = podium("check", str(SEED))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Annual ITU-MIIT Seminar 2021" in out and "time zone Asia/Shanghai" in out
    assert "09:30-10:20  Session 1: Coordinated Efforts" in out
    assert "8m20s  Mr. Hequan WU (in_room)" in out
    assert "12m30s  Mr. John Giusti (recorded)" in out
    assert "5 sessions (5 with a Chinese title), 19 speakers. OK" in out
    assert "zh: 第一节" in out


def test_check_lists_every_problem_of_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[event]\nid = "Bad Id"\ntitle = "x"\ntimezone = "Moon/Base"\n'
        '[[sessions]]\nid = "a"\ntitle = "A"\nstart = "25:00"\nduration = "10m"\n'
        '[[sessions.speakers]]\nid = "s"\nname = "S"\npresence = "hologram"\n'
    )
    result = podium("check", str(broken))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "4 problem(s)" in result.stderr
    for fragment in [
        "event.id: 'Bad Id' is not a valid id",
        "sessions[0].start: '25:00' is not a time of day",
        "sessions[0].speakers[0].presence: 'hologram' is not one of in_room, remote, recorded",
    ]:
        assert fragment in result.stderr


def test_check_reports_unreadable_and_non_toml_files(tmp_path: Path) -> None:
    missing = podium("check", str(tmp_path / "nope.toml"))
    assert missing.returncode == 1 and "cannot read the file" in missing.stderr
    garbage = tmp_path / "garbage.toml"
    garbage.write_bytes(b"[event\n\xff")
    result = podium("check", str(garbage))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "UTF-8" in result.stderr or "not valid TOML" in result.stderr


def test_serve_refuses_a_broken_programme_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "b.toml"
    broken.write_text("[event]\n")
    result = podium("serve", str(broken), "--data-dir", str(tmp_path / "d"), "--port", "1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "event.id: required field is missing" in result.stderr


def test_check_refuses_bad_automations_with_what_to_do(tmp_path: Path) -> None:
    bad = tmp_path / "hooks.toml"
    bad.write_text(
        SEED.read_text()
        + '\n[[automations]]\non = ["speaker_started", "overrun"]\nurl = "mixer.local/podium"\n'
        + '\n[[automations]]\non = ["cue"]\nosc = "127.0.0.1"\naddress = "podium/{event}"\n'
    )
    result = podium("check", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for fragment in [
        "automations[0].on: 'overrun' is not an event; use one of: session_started,",
        "automations[0].url: 'mixer.local/podium' is not an http or https URL",
        "automations[1].osc: '127.0.0.1' is not host:port",
        "automations[1].address: 'podium/{event}' is not an OSC address",
    ]:
        assert fragment in result.stderr, result.stderr


def test_token_rotate_in_redis_says_what_is_wrong_with_it() -> None:
    """Bad input changes nothing and says what to do: not a Redis URL, or no Redis there."""
    bad = podium("token", "rotate", "--redis", "http://podium.example.org")
    assert bad.returncode == 2 and "write redis://HOST:PORT/DB" in bad.stderr, bad.stderr
    away = podium("token", "rotate", "--redis", "redis://127.0.0.1:1/0")
    assert away.returncode == 2 and "cannot write moderator.token to Redis" in away.stderr
    assert "Traceback" not in bad.stderr + away.stderr and not away.stdout


def test_serve_refuses_a_number_of_fanout_threads_it_cannot_use(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    for args, env in ((["--fanout-threads", "9"], {}), ([], {"PODIUM_FANOUT_THREADS": "two"})):
        result = podium(
            "serve", "--data-dir", data, "--port", "0", *args, env={**os.environ, **env}
        )
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert (
            "--fanout-threads: " in result.stderr and "is not a number from 0 to 3" in result.stderr
        )
