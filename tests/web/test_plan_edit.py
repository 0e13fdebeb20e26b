"""The plan changed on the day, from the console's rundown editor (issue 25): the seed's
Session 3 announces six speakers and names four; the moderator adds the two missing ones
(placeholders, marked as such), swaps two and shortens one, live, with a restart of the
server in the middle; the venue screen, the viewer page and a speaker's page follow without
a reload. The same by keyboard alone, a speaker's page seeing its speaker renamed and taken
off, and the programme file changed on disk, offered and reloaded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import Server, seed_with
from tests.web.test_web import (
    READY,
    WAIT,
    WS,
    Faces,
    Withheld,
    clocks_at,
    make_faces,
    save,
    wait_version,
)
from tests.web.test_web_speakers import links

# Session 3's two speakers the agenda announces but does not name: placeholders
LAN = {"honorific": "Ms.", "name": "Lan ZHOU (placeholder)", "affiliation": "To be confirmed"}
WEI = {"name": "Wei CHEN (placeholder)", "affiliation": "To be confirmed"}


def session_3(server: Server) -> list[dict[str, Any]]:
    status, programme = server.request("GET", "/api/programme")
    assert status == 200, programme
    session = next(s for s in programme["sessions"] if s["id"] == "session-3")
    return list(session["speakers"])


def order(server: Server) -> list[str]:
    return [speaker["name"] for speaker in session_3(server)]


def row(console: Page, name: str) -> Any:
    """A speaker's row (its button) in the rundown."""
    return console.locator(".rd-speaker-button", has_text=name)


def edit_form(console: Page) -> Any:
    form = console.locator("form.plan-form")
    expect(form).to_be_visible()
    return form


def fill(form: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        field = form.locator(f"[name='{name}']")
        if name == "presence":
            field.select_option(value)
        else:
            field.fill(value)


def add_after(console: Page, after: str, fields: dict[str, str]) -> None:
    row(console, after).click()  # editing: a click selects the row and opens its fields
    console.locator("#plan-tools [data-plan='add']").click()
    form = edit_form(console)
    expect(form).to_have_attribute("data-plan-form", "new")
    fill(form, fields)
    form.get_by_role("button", name="Add").click()
    expect(form).to_be_hidden(timeout=WAIT)


def test_console_edits_session_3_live_and_every_page_follows(faces: Faces, server: Server) -> None:
    server.command("start_session", session_id="session-3")
    console = faces.console()
    screen = faces.open("/screen")
    viewer = faces.open("/viewer")
    jing = faces.open(links(server)["jing-sun"])
    xinhui = faces.open(links(server)["xinhui-wang"])
    expect(screen.locator("#next-speaker")).to_contain_text("Jing SUN")
    expect(jing.locator("#headline")).to_have_text("You\u2019re next")
    projected = console.locator(".rd-session.is-live .rd-moved")
    before_end = projected.text_content()

    console.locator("#plan-edit").click()
    expect(console.locator("#plan-tools")).to_be_visible()
    add_after(console, "Xinhui WANG", {**LAN, "presence": "in_room", "allocation": "8m"})
    add_after(console, LAN["name"], {**WEI, "presence": "remote", "allocation": "8m"})
    for name in (LAN["name"], WEI["name"]):
        expect(row(console, name).locator("[data-mark='added']")).to_be_visible()
        expect(viewer.locator(".v-speakers")).to_contain_text(name, timeout=WAIT)
    # two speakers of 8 min more: the live session's projected end moves with the plan
    expect(projected).not_to_have_text(before_end or "")
    assert order(server) == [
        "Jianjun CHENG", "Jing SUN", "John Giusti", "Xinhui WANG", LAN["name"], WEI["name"],
    ]  # fmt: skip

    server.kill()  # a restart in the middle: every edit so far is kept
    expect(console.locator("#podium-status")).to_have_attribute("data-state", "reconnecting")
    server.start()
    expect(console.locator("#podium-status")).to_have_attribute(
        "data-state", "live", timeout=15_000
    )
    assert order(server)[-2:] == [LAN["name"], WEI["name"]]

    # swap Jing SUN and John Giusti: the venue screen's next speaker follows
    row(console, "Jing SUN").click()
    edit_form(console).get_by_role("button", name="Cancel").click()
    console.locator("#plan-tools [data-plan='down']").click()
    expect(screen.locator("#next-speaker")).to_contain_text("John Giusti", timeout=WAIT)
    expect(jing.locator("#headline")).to_have_text("1 speaker before you", timeout=WAIT)
    swapped = console.locator(
        ".rd-speaker-button:is([data-speaker='jing-sun'], [data-speaker='john-giusti'])"
    )
    expect(swapped.locator("[data-mark='moved']")).to_have_count(1)  # the one out of order

    # shorten Xinhui WANG from 12 min 30 s to 6 min: his own page says so
    expect(xinhui.locator("#allocation")).to_have_text("12 min 30 s")
    row(console, "Xinhui WANG").click()
    form = edit_form(console)
    expect(form.locator("[name='allocation']")).to_have_value("12m30s")
    fill(form, {"allocation": "6m"})
    form.get_by_role("button", name="Save").click()
    expect(xinhui.locator("#allocation")).to_have_text("6 min", timeout=WAIT)
    expect(row(console, "Xinhui WANG")).to_contain_text("6 min")
    expect(row(console, "Xinhui WANG").locator("[data-mark='changed']")).to_be_visible()

    speakers = session_3(server)
    assert [s["name"] for s in speakers] == [
        "Jianjun CHENG", "John Giusti", "Jing SUN", "Xinhui WANG", LAN["name"], WEI["name"],
    ]  # fmt: skip
    assert [s["allocation_ms"] for s in speakers][3:] == [360_000, 480_000, 480_000]
    for page in (screen, viewer, jing, xinhui):  # none of them was reloaded
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    expect(viewer.locator(".v-speakers")).to_contain_text(WEI["name"])


def test_the_plan_is_edited_by_keyboard_alone(faces: Faces, server: Server) -> None:
    console = faces.console()
    cheng = faces.open(links(server)["jianjun-cheng"])
    xinhui = faces.open(links(server)["xinhui-wang"])
    expect(cheng.locator("#name")).to_have_text("Mr. Jianjun CHENG")
    keys = console.keyboard
    keys.press("r")
    expect(console.locator("#plan-tools")).to_be_visible()
    focused = "document.activeElement.dataset.speaker ?? document.activeElement.dataset.session"
    for _ in range(40):  # ↓ through the rundown to Session 3's first speaker
        keys.press("ArrowDown")
        if console.evaluate(focused) == "jianjun-cheng":
            break
    assert console.evaluate(focused) == "jianjun-cheng"

    keys.press("Enter")  # his fields, the name first: rename him
    expect(console.locator("#plan-name")).to_be_focused()
    keys.press("ControlOrMeta+a")
    keys.type("Jian-jun CHENG")
    keys.press("Enter")
    expect(cheng.locator("#name")).to_have_text("Mr. Jian-jun CHENG", timeout=WAIT)
    expect(row(console, "Jian-jun CHENG").locator("[data-mark='changed']")).to_be_visible()

    keys.press("a")  # a speaker after him
    expect(console.locator("#plan-name")).to_be_focused()
    keys.type(LAN["name"])
    keys.press("Tab")  # her time
    keys.type("8m")
    keys.press("Tab")
    keys.type(LAN["affiliation"])
    keys.press("Enter")
    expect(row(console, LAN["name"])).to_be_visible(timeout=WAIT)
    assert order(server)[:2] == ["Jian-jun CHENG", LAN["name"]]

    keys.press("Shift+ArrowDown")  # he is still selected: one down, after her
    expect(console.locator(".rd-speaker-button.is-selected")).to_contain_text("Jian-jun CHENG")
    names = console.locator(".rd-session:has([data-session='session-3']) .rd-name")
    expect(names.nth(1)).to_have_text("Mr. Jian-jun CHENG", timeout=WAIT)
    assert order(server)[:2] == [LAN["name"], "Jian-jun CHENG"]

    for _ in range(3):  # down to Xinhui WANG, and take him off the plan
        keys.press("ArrowDown")
    assert console.evaluate(focused) == "xinhui-wang"
    keys.press("Delete")
    expect(console.locator("#confirm")).to_contain_text("Take Mr. Xinhui WANG off the plan?")
    keys.press("Enter")
    expect(row(console, "Xinhui WANG")).to_have_count(0, timeout=WAIT)
    expect(xinhui.locator("#removed")).to_be_visible(timeout=WAIT)
    expect(xinhui.locator("#main")).to_be_hidden()
    expect(xinhui.locator("#refused")).to_be_hidden()  # his link went with his turn: said once

    keys.press("u")  # undone: he is back, and so is his page
    expect(row(console, "Xinhui WANG")).to_be_visible(timeout=WAIT)
    expect(xinhui.locator("#removed")).to_be_hidden(timeout=WAIT)
    expect(xinhui.locator("#main")).to_be_visible(timeout=WAIT)
    expect(xinhui.locator("#name")).to_have_text("Mr. Xinhui WANG")

    keys.press("Escape")  # the editor is left; a click jumps again
    expect(console.locator("#plan-tools")).to_be_hidden()
    assert order(server) == [
        LAN["name"],
        "Jian-jun CHENG",
        "Jing SUN",
        "John Giusti",
        "Xinhui WANG",
    ]


def test_a_refused_edit_says_why_and_changes_nothing(faces: Faces, server: Server) -> None:
    console = faces.console()
    version = server.state()["version"]
    console.locator("#plan-edit").click()
    row(console, "Jing SUN").click()
    form = edit_form(console)
    fill(form, {"allocation": "soon"})
    form.get_by_role("button", name="Save").click()
    expect(console.locator("#feedback")).to_contain_text("allocation")
    expect(form).to_be_visible()  # kept, to be corrected
    assert server.state()["version"] == version
    assert session_3(server)[1]["allocation_ms"] == 750_000


def test_a_page_that_missed_the_plan_asks_for_it_and_every_face_follows(
    faces: Faces, server: Server
) -> None:
    server.command("start_session", session_id="session-3")
    lost = Withheld("programme")  # the viewer's link loses the programme messages
    viewer = faces.context.new_page()
    viewer.route_web_socket(WS, lost)
    viewer.goto(f"{server.url}/viewer")
    viewer.wait_for_selector(READY, state="attached")
    overlay = faces.open("/overlay?preview=1")
    questions = faces.open(f"/questions#token={server.token}")
    expect(overlay.locator("#lt-name")).to_have_text("Mr. Jianjun CHENG")
    expect(viewer.locator(".v-speakers")).to_contain_text("Mr. Jianjun CHENG")

    server.command("update_speaker", speaker_id="jianjun-cheng", fields={"name": "Jian-jun CHENG"})
    retitled = "Session 3: Spectrum, retitled"
    server.command("update_session", session_id="session-3", fields={"title": retitled})
    # the viewer learnt of it only from the states' plan_revision, and asked once
    expect(viewer.locator(".v-speakers")).to_contain_text("Mr. Jian-jun CHENG", timeout=WAIT)
    expect(viewer.locator(".v-session-title", has_text=retitled)).to_be_visible()
    # ... and the states it builds from deltas take their texts from it too
    expect(viewer.locator("#now-name")).to_have_text("Mr. Jian-jun CHENG", timeout=WAIT)
    assert lost.held
    # the overlay corrects the name on air in place; the assistant's sessions follow
    expect(overlay.locator("#lt-name")).to_have_text("Mr. Jian-jun CHENG", timeout=WAIT)
    expect(questions.locator("#session option", has_text=retitled)).to_have_count(1)


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[Server]:
    """A server of the seed from a programme file of its own, to be edited meanwhile."""
    srv = Server(data_dir=tmp_path / "data", programmes=[seed_with(tmp_path, "")]).start()
    yield srv
    srv.kill()


def test_the_console_offers_the_changed_programme_file_and_reloads_it(
    browser: Browser, file_server: Server
) -> None:
    path = file_server.programmes[0]
    text = path.read_text()
    renamed = text.replace('name = "Jing SUN"', 'name = "Jing SUN (renamed in the file)"')
    added = 'name = "Xinhui WANG"\naffiliation = "Vice President of ZTE"\n'
    assert renamed.count(added) == 1
    path.write_text(
        renamed.replace(
            added,
            added + '\n[[sessions.speakers]]\nid = "lan-zhou"\nname = "Lan ZHOU (placeholder)"\n',
        )
    )
    status, diff = file_server.request("GET", "/api/programme/file", token=file_server.token)
    assert status == 200 and diff["differs"], diff
    # she shares the session's time with the others, so theirs change too
    assert diff["summary"] == "1 speaker added, 1 renamed, 3 changed"
    for faces in make_faces(browser, file_server):
        console = faces.console()
        line = console.locator("#plan-file-news")
        expect(line).to_have_text(
            "On disk, the programme file changed: 1 speaker added, 1 renamed, 3 changed Reload",
            timeout=WAIT,
        )
        version = file_server.state()["version"]
        console.locator("#plan-file-reload").click()
        done = console.locator("#plan-file-list li")
        expect(done).to_have_count(5, timeout=WAIT)
        expect(done.filter(has_text="Lan ZHOU (placeholder)")).to_have_text(
            "speaker Lan ZHOU (placeholder): added"
        )
        expect(done.filter(has_text="Jing SUN")).to_have_text(
            "speaker Mr. Jing SUN (renamed in the file): renamed"
        )
        expect(line).to_be_hidden()
        assert order(file_server)[1] == "Jing SUN (renamed in the file)"
        assert order(file_server)[-1] == "Lan ZHOU (placeholder)"
        assert file_server.state()["version"] == version + 1  # one change, undone with U
        expect(row(console, "Lan ZHOU (placeholder)")).to_be_visible()
        console.keyboard.press("u")
        expect(row(console, "Lan ZHOU (placeholder)")).to_have_count(0, timeout=WAIT)
        assert order(file_server)[1] == "Jing SUN"


def test_a_session_is_cut_to_40_minutes_and_starts_later(faces: Faces, server: Server) -> None:
    console = faces.console()
    viewer = faces.open("/viewer")
    head = console.locator(".rd-session-head[data-session='session-3']")
    expect(head.locator(".rd-planned")).to_have_text("11:10\u201312:00")
    console.keyboard.press("r")
    head.click()
    form = edit_form(console)
    expect(form).to_have_attribute("data-plan-form", "session")
    expect(form.locator("[name='duration']")).to_have_value("50m")
    fill(form, {"start": "11:20", "duration": "40m"})
    form.get_by_role("button", name="Save").click()
    expect(head.locator(".rd-planned")).to_have_text("11:20\u201312:00", timeout=WAIT)
    expect(head.locator("[data-mark='changed']")).to_be_visible()
    agenda = viewer.locator(".v-session", has_text="Session 3")
    expect(agenda.locator(".v-time-event")).to_have_text("11:20", timeout=WAIT)
    expect(agenda.locator(".v-session-facts")).to_contain_text("40 min")

    closing = console.locator(".rd-session-head[data-session='appreciation']")
    closing.focus()  # the closing segment, selected: taken off the plan, then back
    console.keyboard.press("Delete")
    expect(console.locator("#confirm-text")).to_have_text(
        "Take the session \u201cAppreciation for the Contributions by Chinese Entities to the Work"
        " of ITU\u201d off the plan? (U brings it back.)"
    )
    console.keyboard.press("Enter")
    expect(closing).to_have_count(0, timeout=WAIT)
    expect(viewer.locator(".v-session", has_text="Appreciation")).to_have_count(0, timeout=WAIT)
    console.keyboard.press("u")
    expect(viewer.locator(".v-session", has_text="Appreciation")).to_have_count(1, timeout=WAIT)


def test_an_edit_right_after_another_consoles_edit_is_held_and_asked_about(
    faces: Faces, server: Server
) -> None:
    a, b = faces.console(), faces.console()
    for console in (a, b):
        console.keyboard.press("r")
        row(console, "Jing SUN").focus()  # selected in both
    a.keyboard.press("Shift+ArrowDown")  # A moves him down ...
    wait_version(b, 1)
    b.keyboard.press("Shift+ArrowDown")  # ... and B, a moment later, would too: it asks
    expect(b.locator("#confirm-text")).to_have_text(
        re.compile(
            r"^Another console just changed the plan"
            r" \(Move a speaker: Mr\. (Jing SUN|John Giusti)\)\."
            r" Send your \u201cMove a speaker\u201d anyway\?$"
        ),
        timeout=WAIT,
    )
    b.keyboard.press("Escape")  # no
    expect(b.locator("#feedback")).to_have_text("Not sent: \u201cMove a speaker\u201d.")
    assert order(server) == ["Jianjun CHENG", "John Giusti", "Jing SUN", "Xinhui WANG"]
    assert server.state()["version"] == 1


SCROLL_UNDER_HEAD = """el => {
  const panel = el.closest('.panel');
  const below = el.getBoundingClientRect().top - panel.getBoundingClientRect().top;
  panel.scrollTop += below - panel.querySelector('.rundown-head').offsetHeight;
}"""


@pytest.mark.slow
def test_screenshot_of_the_console_editing_session_3(browser: Browser, tmp_path: Path) -> None:
    """docs/screenshots/console-plan-edit.png: at 11:14 in Shenzhen, Session 3 on since
    11:12 with its two placeholders added, two speakers swapped and one shortened; the
    moderator has the last one's fields open (and the rundown's times follow: 12 min late)."""
    env, page_clock = clocks_at(tmp_path, 11, 12)
    server = Server(data_dir=tmp_path / "data", env=env).start()
    try:
        server.command("start_session", session_id="session-3")
        for speaker in ({**LAN, "allocation": "8m"}, {**WEI, "presence": "remote"}):
            assert server.command("add_speaker", session_id="session-3", speaker=speaker)[0] == 200
        server.command("move_speaker", speaker_id="jing-sun", before="xinhui-wang")
        server.command("update_speaker", speaker_id="xinhui-wang", fields={"allocation": "6m"})
        for locale, suffix in (("en-GB", ""), ("zh-CN", "-zh")):
            for faces in make_faces(
                browser, server, font="noto", locale=locale, init_script=page_clock
            ):
                console = faces.console()
                console.set_viewport_size({"width": 1280, "height": 800})  # a laptop
                console.keyboard.press("r")
                row(console, WEI["name"]).click()
                expect(edit_form(console)).to_be_visible()
                row(console, "Jianjun CHENG").evaluate(SCROLL_UNDER_HEAD)
                console.wait_for_timeout(300)  # fonts
                save(console, f"console-plan-edit{suffix}")
    finally:
        server.kill()


def test_what_the_moderator_types_survives_a_push(faces: Faces, server: Server) -> None:
    console = faces.console()
    console.keyboard.press("r")
    row(console, "Jing SUN").click()
    name = console.locator("#plan-name")
    expect(name).to_be_focused()
    console.keyboard.press("End")
    console.keyboard.type(" (t")
    server.command("start_session", session_id="session-1")  # the rundown is drawn again
    wait_version(console, 1)
    expect(console.locator(".rd-session.is-live")).to_be_visible()
    console.keyboard.type("bc)")
    expect(name).to_be_focused()
    expect(name).to_have_value("Jing SUN (tbc)")

    console.locator("#lang").click()  # and a switch to Chinese says its labels again
    form = edit_form(console)
    expect(form.locator(".plan-label").first).to_have_text("称谓")
    expect(form.get_by_role("button", name="保存")).to_be_visible()
    expect(name).to_have_value("Jing SUN (tbc)")


def programme_item(server: Server, key: str, item_id: str) -> dict[str, Any]:
    """A session (``key`` "session") or a speaker of ``GET /api/programme``, by id."""
    status, programme = server.request("GET", "/api/programme")
    assert status == 200, programme
    sessions = programme["sessions"]
    items = sessions if key == "session" else [p for s in sessions for p in s["speakers"]]
    return next(item for item in items if item["id"] == item_id)


def test_a_speakers_language_and_a_break_are_set_in_the_rundown(
    faces: Faces, server: Server
) -> None:
    assert programme_item(server, "speaker", "weizhong-qin")["language"] == "zh"
    console = faces.console()
    console.keyboard.press("r")
    row(console, "Weizhong QIN").click()
    form = edit_form(console)
    language = form.locator("[name='language']")
    expect(language).to_have_value("zh")
    expect(language.locator("option")).to_have_count(2)  # the seed's zh and en
    language.select_option("en")
    form.get_by_role("button", name="Save").click()
    expect(form).to_be_hidden(timeout=WAIT)  # acknowledged: stored
    speaker = programme_item(server, "speaker", "weizhong-qin")
    assert (speaker["language"], speaker["name"]) == ("en", "Weizhong QIN")

    assert programme_item(server, "session", "session-3")["kind"] == "session"
    console.locator(".rd-session-head[data-session='session-3']").click()
    form = edit_form(console)
    expect(form).to_have_attribute("data-plan-form", "session")
    expect(form.locator("[name='date']")).to_have_value(re.compile(r"^\d{4}-\d\d-\d\d$"))
    form.locator("[name='kind']").check()
    form.get_by_role("button", name="Save").click()
    expect(form).to_be_hidden(timeout=WAIT)
    session = programme_item(server, "session", "session-3")
    assert (session["kind"], session["title"]) == (
        "break",
        "Session 3: Exploiting the Value of Spectrum Resources through Cooperation",
    )
