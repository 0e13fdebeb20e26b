"""The pages' source, checked without a browser: no HTML injection sinks, nothing inline
that the CSP would refuse, every label in both languages, and no page reading the
engine's English summaries."""

from __future__ import annotations

import re

from podium.core.commands import ACTIONS
from podium.core.config.programme import Presence
from tests.helpers import ROOT

WEB = ROOT / "web"
SCRIPTS = sorted((WEB / "js").rglob("*.js"))  # a big face's modules in a folder of its own
PAGES = sorted(WEB.glob("*.html"))


def strings(language: str) -> set[str]:
    """The keys of one language's tables: ``web/js/i18n.js`` and the labels of one kind of
    page (``labels-*.js``), which add to it."""
    keys: set[str] = set()
    for path in [WEB / "js" / "i18n.js", *sorted((WEB / "js").rglob("labels-*.js"))]:
        source = path.read_text()
        start = source.index(f"  {language}: {{\n" if language == "en" else f'  "{language}": {{\n')
        end = source.index("\n  },\n", start)
        found = set(re.findall(r'^\s+"([a-z_.]+)":', source[start:end], re.MULTILINE))
        assert found and not found & keys, f"{path.name}: no labels, or labels given twice"
        keys |= found
    return keys


def test_no_script_writes_html() -> None:
    sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(")
    offenders = [f"{p.name}:{n}" for p in SCRIPTS for n, line in enumerate(p.open(), 1)
                 if sinks.search(line)]  # fmt: skip
    assert offenders == []


def test_pages_have_nothing_inline_the_csp_refuses() -> None:
    for page in PAGES:
        html = page.read_text()
        assert " style=" not in html, page.name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page.name
        assert not re.search(r"\son[a-z]+=", html), page.name  # no inline handlers
        assert "<style" not in html, page.name
        for ref in re.findall(r'(?:src|href)="([^"#]+)"', html):
            assert ref.startswith(("/assets/", "/console", "/viewer", "/screen", "/overlay")), ref


def test_every_label_exists_in_both_languages() -> None:
    english, chinese = strings("en"), strings("zh-CN")
    assert english and english == chinese, english ^ chinese
    used: set[str] = set()
    for page in PAGES:
        used |= set(re.findall(r'data-i18n(?:-[a-z]+)?="([a-z_.]+)"', page.read_text()))
    for script in SCRIPTS:
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', script.read_text()))
    assert used - english == set()
    # labels picked by value: every action, schedule status, presence and message target
    dynamic = {f"action.{a}" for a in ACTIONS}
    dynamic |= {f"state.{s}" for s in ("done", "live", "next", "upcoming", "skipped", "paused")}
    dynamic |= {f"presence.{p.value}" for p in Presence}
    dynamic |= {f"console.target.{t}" for t in ("screen", "viewers", "all")}
    dynamic |= {f"status.{s}" for s in ("connecting", "live", "reconnecting")}
    assert dynamic - english == set()


def test_every_page_uses_the_shared_client() -> None:
    for page in PAGES:
        module = re.search(
            r'<script type="module" src="/assets/js/([a-z/]+\.js)">', page.read_text()
        )
        assert module, page.name
        source = (WEB / "js" / module.group(1)).read_text()
        imported = set(re.findall(r'from "\.\.?/([\w-]+\.js)"', source))
        assert {"connection.js", "podium.js", "i18n.js"} <= imported, module.group(1)


def test_no_page_reads_the_english_summary_of_a_change() -> None:
    """A change is said from its fields (``last_change``, ``undo``), in the page's language:
    ``summary`` is for logs and older clients (tests/web/test_change_words.py)."""
    readers = [p.name for p in SCRIPTS if re.search(r"\.summary\b", p.read_text())]
    assert readers == []
