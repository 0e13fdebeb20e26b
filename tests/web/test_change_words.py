"""The console says what another console changed in its own language, from the change's
fields (``last_change`` and ``undo``), never from the engine's English ``summary``: in
Chromium, in English and in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.helpers import Server

WRONG = "next: Somebody Else -> Nobody"  # a summary the words must not come from

CHANGES: list[dict[str, Any]] = [
    {"action": "next", "session_id": "session-1", "speaker_id": "bilel-jamoussi"},
    {"action": "start_session", "session_id": "appreciation"},
    {"action": "add_time", "seconds": 60, "session_id": "session-1", "speaker_id": "duo-liu"},
    {"action": "undo", "undone": {"action": "add_time", "seconds": -30}},
    {"action": "blackout", "on": True},
    {"action": "pause", "session_id": "session-1", "speaker_id": "duo-liu"},
]
EXPECTED = {
    "en": [
        "moved to Mr. Bilel Jamoussi",
        "moved to Appreciation for the Contributions by Chinese Entities to the Work of ITU",
        "changed the time by +1 min",
        "undid −30 s",  # noqa: RUF001 (the pages write a minus sign)
        "made a change (Blackout)",
        "paused the timer",
    ],
    "zh-CN": [
        "切换到了 Mr. Bilel Jamoussi",
        "切换到了 感谢中国各单位对国际电联工作的贡献",
        "调整了时间 +1 分钟",
        "撤销了−30 秒",  # noqa: RUF001
        "做了更改（黑屏）",  # noqa: RUF001
        "暂停了计时",
    ],
}

WORDS = """async (changes) => {
  const { changeWords } = await import("/assets/js/console/console-commands.js");
  const programme = await (await fetch("/api/programme")).json();
  return changes.map((change) => changeWords(change, programme));
}"""


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_the_console_says_a_change_in_its_language_from_fields(
    browser: Browser, server: Server, lang: str
) -> None:
    page = browser.new_page()
    page.goto(f"{server.url}/?lang={lang}")
    changes = [{"summary": WRONG, "actor": "console:other", "at": 0, **c} for c in CHANGES]
    got = page.evaluate(WORDS, changes)
    page.close()
    assert got == EXPECTED[lang]
