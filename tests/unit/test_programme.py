"""Programme files: the seed event is faithful, and broken files say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.core.config import programme_file
from podium.core.config.programme import Presence, Programme
from podium.core.errors import ProgrammeError
from tests.helpers import SEED


@pytest.fixture(scope="module")
def seed() -> Programme:
    return programme_file.load(SEED)


def test_seed_sessions_in_order_with_planned_times(seed: Programme) -> None:
    rows = [
        (s.id, f"{s.start:%H:%M}", s.duration_ms // 60_000, len(s.speakers)) for s in seed.sessions
    ]
    assert rows == [
        ("opening-session", "09:00", 30, 3),
        ("session-1", "09:30", 50, 6),
        ("session-2", "10:20", 50, 6),
        ("session-3", "11:10", 50, 4),
        ("appreciation", "12:00", 10, 0),
    ]
    assert seed.event.timezone == "Asia/Shanghai"


def test_seed_allocations_split_the_slot_evenly(seed: Programme) -> None:
    s1, s3 = seed.session("session-1"), seed.session("session-3")
    assert s1 is not None and s3 is not None
    assert {sp.allocation_ms for sp in s1.speakers} == {500_000}  # 8m20s
    assert {sp.allocation_ms for sp in s3.speakers} == {750_000}  # 12m30s


def test_seed_people_as_written(seed: Programme) -> None:
    found = seed.find_speaker("xiquan-yu")
    assert found is not None
    session, index = found
    assert session.speakers[index].affiliation == (
        "Director General, Industry and Information Technology Bureau of"
        " Shenzhen Municipality, China"
    )
    giusti = seed.find_speaker("john-giusti")
    assert giusti is not None and giusti[0].speakers[giusti[1]].presence is Presence.RECORDED
    keynote = seed.session("session-2")
    assert keynote is not None and keynote.moderators[0].name == "Xiaohui YU"
    assert (
        keynote.group_title
        == "Keynote Sessions: Collaboration with ITU for Developing a New Digital World"
    )
    opening = seed.session("opening-session")
    assert opening is not None
    assert [sp.display_name for sp in opening.speakers] == [
        "H.E. Mr. Weizhong QIN", "H.E. Mr. Houlin ZHAO", "H.E. Mr. Zhijun WANG",
    ]  # fmt: skip


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text)
    return path


BASE = """
[event]
id = "e"
title = "T"
timezone = "{tz}"

[[sessions]]
id = "a"
title = "A"
start = "09:00"
duration = "{duration}"
[[sessions.speakers]]
id = "{speaker}"
name = "X"
presence = "{presence}"
allocation = "{allocation}"

[[sessions]]
id = "b"
title = "B"
start = "{b_start}"
duration = "10m"
"""


def _problems(tmp_path: Path, **overrides: str) -> list[str]:
    values = {"tz": "Europe/Zurich", "duration": "30m", "speaker": "x", "presence": "remote",
              "allocation": "10m", "b_start": "09:30"} | overrides  # fmt: skip
    with pytest.raises(ProgrammeError) as err:
        programme_file.load(_write(tmp_path, BASE.format(**values)))
    return err.value.problems


def test_a_good_variant_loads(tmp_path: Path) -> None:
    p = programme_file.load(_write(tmp_path, BASE.format(tz="Europe/Zurich", duration="30m",
        speaker="x", presence="remote", allocation="10m", b_start="09:30")))  # fmt: skip
    assert p.sessions[0].speakers[0].presence is Presence.REMOTE


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"tz": "Mars/Olympus"}, "event.timezone: unknown time zone 'Mars/Olympus'"),
        ({"speaker": "a"}, "sessions[0].speakers[0].id: 'a' is already used"),
        ({"allocation": "40m"}, "sessions[0].speakers: allocations (40m) leave no time"),
        ({"b_start": "09:15"}, "sessions[1].start: b starts at 09:15, before a ends at 09:30"),
        ({"presence": "stage"}, "sessions[0].speakers[0].presence: 'stage' is not one of"),
        ({"duration": "soon"}, "sessions[0].duration: 'soon' is not a duration"),
    ],
)
def test_broken_files_name_the_field_and_the_fix(tmp_path: Path, overrides, expected) -> None:
    problems = _problems(tmp_path, **overrides)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    field_level = _problems(tmp_path, tz="Nowhere/Here", presence="hologram")
    assert len(field_level) == 2
    plan_level = _problems(tmp_path, b_start="09:10", speaker="b")
    assert len(plan_level) == 2


def test_every_text_may_have_a_chinese_version(seed: Programme) -> None:
    assert seed.event.title_zh.startswith("2021年") and seed.event.venue_zh
    assert [s.title_zh for s in seed.sessions][:2] == [
        "开幕式",
        "第一节：协同推进国际信息通信技术标准化",  # noqa: RUF001,
    ]
    assert seed.sessions[1].group_title_zh.startswith("主旨演讲")
    wu = seed.sessions[1].speakers[0]
    assert (wu.name_zh, wu.display_name_zh) == ("", "Mr. Hequan WU")  # names as written

    data = {
        "event": {"id": "e", "title": "E", "title_zh": "活动", "timezone": "UTC"},
        "sessions": [{"id": "s", "title": "S", "title_zh": "会议", "start": "09:00",
                      "duration": "30m", "moderators": [{"name": "M", "name_zh": "主持人"}],
                      "speakers": [{"id": "a", "name": "Ann Lee", "honorific": "Ms.",
                                    "name_zh": "李安", "honorific_zh": "女士"}]}],
    }  # fmt: skip
    programme = programme_file.parse(data)
    assert programme.sessions[0].speakers[0].display_name_zh == "女士 李安"
    assert programme.sessions[0].moderators[0].display_name_zh == "主持人"
    assert programme.public_dict(programme.plan_date_for(0))["sessions"][0]["title_zh"] == "会议"

    data["event"] |= {"theme_zh": "主题"}
    data["sessions"][0]["speakers"][0] |= {"affiliation_zh": "某大学"}
    with pytest.raises(ProgrammeError) as err:
        programme_file.parse(data)
    assert err.value.problems == [
        "event: theme_zh is given without theme; give the text in theme too",
        "sessions[0].speakers[0]: affiliation_zh is given without affiliation;"
        " give the text in affiliation too",
    ]
    data["event"] = {"id": "e", "title": "E", "title_fr": "É", "timezone": "UTC"}
    with pytest.raises(ProgrammeError, match=r"event\.title_fr: unknown field"):
        programme_file.parse(data)
