"""Every page built from deltas shows exactly what a snapshot shows: the pages' own code
(``web/js/live/delta.js``, in Chromium) applies the server's deltas over random command
sequences and, at every version, holds the lean snapshot a joiner would get and makes from
it, with the programme, the whole state ``/api/state`` would give at that moment (less
the changes' English ``summary``, a line for logs that no page reads)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from playwright.sync_api import Browser, Page, expect

from podium.core import projection
from podium.core.wire.delta import diff, held, unsaid
from podium.core.wire.protocol import delta_message
from tests.helpers import Server
from tests.unit.test_deltas import versions
from tests.unit.test_engine import P
from tests.unit.test_engine_properties import steps
from tests.web.test_web import WAIT, WS, Faces, Withheld, wait_version

REPLAY = """async ([first, changes]) => {
  const { applyDelta, hydrate } = await import("/assets/js/live/delta.js");
  const canonical = (value) => JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v);
  const wrong = [];
  let held = first;  // as /api/first gives it (its "held")
  for (const { delta, snapshot, whole, programme } of changes) {
    const message = JSON.parse(delta);
    held = applyDelta(held, message.patch, message.removed);
    if (canonical(held) !== canonical(snapshot)) wrong.push([message.version, "held"]);
    const shown = hydrate(held, programme, message.server_time);
    if (canonical(shown) !== canonical(whole)) {
      wrong.push([message.version, canonical(shown), canonical(whole)]);
    }
  }
  return wrong;
}"""


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    page = browser.new_page()
    page.goto(server.url + "/")
    yield page
    page.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=steps)
def test_the_pages_state_from_deltas_is_the_whole_state_at_every_version(
    page: Page, sequence: list[tuple[tuple[str, dict], int]]
) -> None:
    made = versions(sequence)
    _, now, state = made[0]
    base = first_held = held(P, state, projection.view(P, state, now))  # /api/first's
    changes: list[dict[str, Any]] = []
    for version, now, state in made[1:]:
        running = state.programme(P)  # the plan as it runs at this version (plan commands)
        whole = projection.view(running, state, now)
        new = held(running, state, whole)
        delta = delta_message(P.id, version, version - 1, now, diff(base, new))
        said = {"undo": unsaid(whole["undo"]), "last_change": unsaid(whole["last_change"])}
        # the programme the page holds: /api/programme's, or the programme message that
        # came just before this version's delta when the plan changed
        programme = json.loads(json.dumps(projection.programme_view(P, state)))
        changes.append(
            {"delta": delta, "snapshot": new, "whole": {**whole, **said}, "programme": programme}
        )
        base = new
    assert page.evaluate(REPLAY, [first_held, changes]) == []


def test_a_page_that_missed_a_change_reconnects_for_a_snapshot(
    faces: Faces, server: Server
) -> None:
    """A delta lost on the way (here: dropped by a proxy in the page's path): the next one
    does not follow the version the page holds, so it opens its socket again naming that
    version and the server sends the snapshot; the page then shows what the server has."""
    dropping = Withheld("delta", on=False, once=True)
    page = faces.context.new_page()
    page.route_web_socket(WS, dropping)
    page.goto(f"{server.url}/screen")
    server.command("start_session", session_id="session-1")
    wait_version(page, 1)
    dropping.on = True
    server.command("next")  # version 2: lost
    server.command("show_message", text="Back in five", target="screen")  # 3: from 2
    wait_version(page, 3)
    assert len(dropping.opened) == 2 and "have=1" in dropping.opened[1]
    expect(page.locator("body")).to_contain_text("Back in five", timeout=WAIT)
    speaker = server.state()["state"]["speaker"]["display_name"]
    expect(page.locator("body")).to_contain_text(speaker, timeout=WAIT)
