"""Days in an agenda: "Tuesday, 25 September 2012", "15 November", "May 22, 2020 (Friday)",
"2024年03月15日", "10月21日" found in a line and read (by ``dateparser``) as a date; a day
without its year takes the year the text names.

Finding is ours (a few patterns, so a date in the middle of a sentence is not taken for a
day heading); reading the words is ``dateparser``'s, which knows month and day names in
English and Chinese.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

import dateparser

_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b\.?"
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|tember|ober|ember)?\b\.?"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"((?:19|20)\d\d)"
_WEEKDAY_ZH = r"(?:\s*[\uff08(]?(?:星期|周)[一二三四五六日天][)\uff09]?)?"
# "Tuesday, 25 September 2012", "25-27 September", "15 November,"; the weekday may follow
# in brackets: "May 22, 2020 (Friday)"; Chinese "2016年10月21日(星期五)"
_PATTERNS = (
    re.compile(
        rf"\b(?:{_WEEKDAY},?\s+)?{_DAY}(?:\s*[-\u2013]\s*\d{{1,2}})?\s+({_MONTH}),?"
        rf"(?:\s+{_YEAR})?(?:\s*\({_WEEKDAY}\))?",
        re.I,
    ),
    re.compile(
        rf"\b(?:{_WEEKDAY},?\s+)?({_MONTH})\s+{_DAY}(?:\s*[-\u2013]\s*\d{{1,2}})?(?:,?\s+{_YEAR})?"
        rf"(?:\s*\({_WEEKDAY}\))?",
        re.I,
    ),
    re.compile(
        rf"(?:(\d{{4}})\s*年\s*)?(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日{_WEEKDAY_ZH}"
        r"(?:\s*[-\u2013\u2014~\u81f3]\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*日)?"
    ),
    re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"),
)
_YEARS = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_DAY_WORD = re.compile(r"^\s*(?:day\s*\d+|第[一二三四五六七八九十\d]+天)\s*[,:|\u00b7-]?\s*", re.I)


@dataclass(frozen=True)
class Found:
    day: date  # the first day of a range ("15-18 November 2009")
    before: str  # the line before the date, and after it
    after: str
    span: bool = False  # a range of days, not one day


def year_of(text: str) -> int | None:
    """The year a text names most often (the first of equals): the year of its days."""
    years = Counter(int(y) for y in _YEARS.findall(text))
    return years.most_common(1)[0][0] if years else None


def _read(phrase: str, year: int | None, chinese: bool) -> date | None:
    phrase = re.sub(r"\s*[\uff08(][^)\uff09]*[)\uff09]", "", phrase)  # the weekday in brackets
    phrase = re.sub(r"(\d{1,2})\s*[-\u2013]\s*\d{1,2}(?=\s+\D)", r"\1", phrase)  # 15-18 Nov
    phrase = re.sub(r"(日)\s*[-\u2013\u2014~\u81f3].*$", r"\1", phrase)  # 10月21日-10月22日
    if not _YEARS.search(phrase):
        if year is None:
            return None
        phrase = f"{year}年{phrase}" if chinese else f"{phrase} {year}"
    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"}
    parsed = dateparser.parse(phrase, languages=["zh", "en"], settings=settings)
    return parsed.date() if parsed else None


def find_date(line: str, year: int | None) -> Found | None:
    """The first day named in ``line`` (with ``year`` when it names none), and the text
    around it; ``None`` when it names no day."""
    for i, pattern in enumerate(_PATTERNS):
        if (m := pattern.search(line)) and (day := _read(m.group(0), year, i == 2)):
            before = _DAY_WORD.sub("", line[: m.start()]).strip(" ,;:|\u00b7-\u2013\u2014")
            after = line[m.end() :].strip(" ,;:|\u00b7-\u2013\u2014")
            span = bool(re.search(r"[\d日]\s*[-\u2013\u2014~\u81f3]\s*\d", m.group(0)))
            return Found(day, before, after, span)
    return None
