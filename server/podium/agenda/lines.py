"""One line of a pasted agenda, tidied and recognised: table cells and link labels
("[ Biography ]") taken out, page chrome ("Share on: …", "Print Version") told apart, time
ranges in the forms organisers write ("09:45 - 11:10", "09.45-11.10Session 1", "9h00-9h15",
"0930 — 1000", "10:00 - 11:30: Title"), heads of lists of people ("Panellists:",
"High-Level Track Facilitator:", "主持人:"), and the titles of breaks."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\ufeff": None})
# "[ Biography ]", "[pdf]", " - [biography]", " - Presentation (pdf)"
_LABEL = re.compile(
    r"\s*(?:[-\u2013|]\s*)?(?:\[\s*[^\]\n]{1,24}?\s*\]|\bpresentation\s*\((?:pdf|pptx?|docx?)\))",
    re.I,
)
_CHROME = re.compile(
    r"^(?:share(?:\s+(?:on|this)\b.*|\s*:.*)?|download\b.*\((?:pdf|ppt|word)[^)]*\)|print(?:\s+version)?"
    r"|background(?:\s+decorative)?\s+image|skip\s+to\b.*|back\s+to\s+top|menu|search"
    r"|log\s?in|sign\s+(?:in|up)|follow\s+us\b.*|cookies?\b.*|home|read\s+more|see\s+more"
    r"|[\w .'-]{1,40}\s+website"
    r"|(?:(?:dates?|time|times|events?|sessions?|venue|speakers?|日期|时间|安排|内容|地点|报告人)"
    r"(?:\s+|$)){2,})$",
    re.I,
)
_AGENDA_WORD = re.compile(
    r"^(?:(?:provisional|draft|final|detailed|full)\s+)?(?:agenda|programme|program|schedule"
    r"|议程|日程|会议议程|会议日程|日程安排)$",
    re.I,
)

_CLOCK = r"(\d{1,2}[:.hH]\d{2}(?![:.]?\d)|(?:[01]\d|2[0-3])[0-5]\d(?!\d))"  # no seconds
_TIMES = re.compile(
    rf"^{_CLOCK}(?:\s*(?:[-\u2013\u2014~\uff5e]|to)\s*{_CLOCK})?(?:\s*hrs?\b)?\s*[:|,]?\s*(.*)$",
    re.I,
)
_BULLET = re.compile(r"^(?:[-\u2022*\u2013\u00b7\u25cf\u25aa]|\d{1,2}[.)])\s+(.+)$")
_LENGTH_FIRST = re.compile(r"^\((\d+)\s*(h|hours?|hrs?|m|min|mins|minutes?)\)\s*(.+)$", re.I)
_ROOM = re.compile(r"^(?:room|salle|hall|auditorium|venue|location|会场|地点)\b", re.I)

_MODERATING = (
    r"moderators?|moderated by|co-?chairs?|chairs?|chairman|chairwoman|chairperson"
    r"|facilitators?|master of ceremonies|hosts?|主持人|主持"
)
_SPEAKING = (
    r"panell?ists?|speakers?|presenters?|discussants?|ministers?|keynotes?|keynote speakers?"
    r"|respondents?|嘉宾|发言嘉宾|演讲嘉宾|对话嘉宾|报告人|发言人|讲者"
)
_HEAD = re.compile(
    rf"^(?:[\w'\-]+\s+){{0,3}}?(?P<role>{_MODERATING}|{_SPEAKING})(?:\s+of\s+the\s+[\w-]+)?\s*(?:[:\uff1a]\s*(?P<rest>.*))?$",
    re.I,
)
_NEXT_HEAD = re.compile(rf"\s+(?=(?:{_MODERATING}|{_SPEAKING})\s*[:\uff1a])", re.I)
_BREAK = re.compile(
    r"\b(?:coffee|tea|lunch|break|registration|dinner|banquet|cocktail|networking)\b"
    r"|茶歇|午餐|午休|晚餐|晚宴|报到|签到|注册",
    re.I,
)


def clean(raw: str) -> str:
    """A line without table rules, link labels and odd spaces; "" for a blank one."""
    text = raw.translate(_SPACES).strip()
    if "|" in text and (text.startswith("|") or text.endswith("|")):
        text = " ".join(cell.strip() for cell in text.split("|") if cell.strip())
    return _LABEL.sub("", text).rstrip(" -\u2013").lstrip()


def is_chrome(text: str) -> bool:
    """The page around the agenda: share buttons, print and download links, headings of a
    table ("Dates Time Events"), a site's menu."""
    return bool(_CHROME.match(text))


def is_agenda_word(text: str) -> bool:
    return bool(_AGENDA_WORD.match(text.rstrip(":\uff1a ")))


def is_room(text: str) -> bool:
    return bool(_ROOM.match(text))


def is_break(title: str) -> bool:
    """Coffee, lunch, registration and the like: a break, not a session."""
    return bool(_BREAK.search(title))


@dataclass(frozen=True)
class Times:
    start: str
    end: str | None
    rest: str  # what follows the times on the line: the title, or a zone and the title


def _clock(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return f"{int(digits[:-2]):02d}:{digits[-2:]}"


def times(text: str) -> Times | None:
    """A time range or a start time at the start of ``text``; a bare four-digit number
    ("2012 Annual Meeting") only in a range ("0930 — 1000")."""
    m = _TIMES.match(text)
    if not m or (m.group(2) is None and re.fullmatch(r"\d{4}", m.group(1))):
        return None
    start, end = _clock(m.group(1)), (_clock(m.group(2)) if m.group(2) else None)
    if int(start[:2]) > 23 or (end and int(end[:2]) > 24):
        return None
    return Times(start, end, m.group(3).strip())


def bullet(text: str) -> str | None:
    m = _BULLET.match(text)
    return m.group(1) if m else None


def length_first(text: str) -> tuple[str, str] | None:
    """ "(10 min) Scene setting" -> ("10m", "Scene setting")."""
    if m := _LENGTH_FIRST.match(text):
        unit = "h" if m.group(2).lower().startswith("h") else "m"
        return f"{int(m.group(1))}{unit}", m.group(3).strip()
    return None


@dataclass(frozen=True)
class Head:
    moderating: bool
    plural: bool
    rest: str  # the people named on the head's own line


def head(text: str) -> Head | None:
    """ "Panellists:", "Moderator: Name, Affiliation", "High-Level Track Facilitator:",
    "主持人:" or a role alone on its line ("Moderator")."""
    m = _HEAD.match(text)
    if not m or (m.group("rest") is None and text.strip().lower() != m.group("role").lower()):
        return None
    role = m.group("role").lower()
    moderating = re.fullmatch(_MODERATING, role, re.I) is not None
    chinese = role[:1] >= "\u4e00"  # "嘉宾" lists its guests, "、" between them
    plural = (role.endswith("s") and role != "master of ceremonies") or (chinese and not moderating)
    return Head(moderating, plural, (m.group("rest") or "").strip())


def split_heads(text: str) -> list[str]:
    """ "Moderator: A  Panelists: B, C" -> ["Moderator: A", "Panelists: B, C"]."""
    colon = min((i for i in (text.find(":"), text.find("\uff1a")) if i >= 0), default=-1)
    first, *more = _NEXT_HEAD.split(text[colon + 1 :])
    return [part.strip() for part in (text[: colon + 1] + first, *more) if part.strip()]
