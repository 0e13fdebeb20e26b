"""One projection rule: the engine and the pages against the same cases.

``tests/data/projection-cases.json`` (made by ``tests/projection_cases.py``, its expected
values checked by hand) gives a state, a moment and the schedule and drift expected then.
The engine must give exactly that; so must the pages' ``scheduleAt`` in
``web/js/schedule.js``, given the view the server pushed earlier (at ``pushed_at``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser

from podium.core import projection
from podium.core.state import State
from tests.helpers import Server
from tests.projection_cases import CASES, PROGRAMME, SCENARIOS, written

CASE_LIST: list[dict[str, Any]] = json.loads(CASES.read_text(encoding="utf-8"))
NAMES = [case["name"] for case in CASE_LIST]


def test_the_case_file_has_every_scenario() -> None:
    assert [name for name, *_ in SCENARIOS] == NAMES


@pytest.mark.parametrize("case", CASE_LIST, ids=NAMES)
def test_the_engine_projects_each_case(case: dict[str, Any]) -> None:
    state = State.model_validate(case["state"])
    shown = projection.view(PROGRAMME, state, case["now"])
    assert written(shown["drift_ms"], shown["schedule"]) == case["expected"]


SCHEDULE_AT = """async ([pushed, serverTime, now]) => {
  const { scheduleAt } = await import("/assets/js/schedule.js");
  const { rows, drift } = scheduleAt(pushed, serverTime, now);
  return { drift_ms: drift, schedule: rows };
}"""


def test_the_pages_extrapolate_each_case_from_the_pushed_view(
    browser: Browser, server: Server
) -> None:
    page = browser.new_page()
    page.goto(server.url + "/")
    wrong: dict[str, Any] = {}
    for case in CASE_LIST:
        state = State.model_validate(case["state"])
        pushed = projection.view(PROGRAMME, state, case["pushed_at"])
        got = page.evaluate(SCHEDULE_AT, [pushed, case["pushed_at"], case["now"]])
        if written(got["drift_ms"], got["schedule"]) != case["expected"]:
            wrong[case["name"]] = written(got["drift_ms"], got["schedule"])
    page.close()
    assert wrong == {}
