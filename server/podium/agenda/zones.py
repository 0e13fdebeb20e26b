"""Time zones in an agenda: a note such as "GMT+8 (Beijing)", "UTC+01:00", "CET" or
"Europe/Paris" found on its line and read as an IANA zone, with what to check when the
reading is not certain."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from podium.agenda.places import city as gazetteer_city
from podium.core.errors import present

# a time zone, alone on its line or right after a time: "GMT+8 (Beijing)", "UTC+01:00",
# "+0800", "CET", "Europe/Paris"; what follows it is the segment's title
_ZONE = re.compile(
    r"^\(?(?:(?P<utc>(?:GMT|UTC)(?:\s*(?P<sign>[+\-\u2212])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?)"
    r"|(?P<bare>(?P<bsign>[+\-\u2212])(?P<bh>\d{2}):?(?P<bm>\d{2}))"
    r"|(?P<iana>[A-Za-z]+/[A-Za-z_\-]+(?:/[A-Za-z_\-]+)?)"
    r"|(?P<abbr>[A-Z]{2,5}))\)?(?:\s*\((?P<city>[^)]*)\))?(?=[\s,;|\u2013\u2014-]|$)"
    r"[\s,;|\u2013\u2014-]*(?P<rest>.*)$",
    re.I,
)
# abbreviations to IANA zones (summer time included); tzdata's own links where it has one
# (CET -> Europe/Brussels); several candidates: ambiguous, the venue's decides
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("CET", "CEST", "MET", "MEST"), ("Europe/Brussels",)),
    **dict.fromkeys(("EET", "EEST"), ("Europe/Athens",)),
    **dict.fromkeys(("WET", "WEST"), ("Europe/Lisbon",)),
    "BST": ("Europe/London", "Asia/Dhaka"),
    "IST": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "CST": ("America/Chicago", "Asia/Shanghai"),
    "CDT": ("America/Chicago",),
    **dict.fromkeys(("EST", "EDT"), ("America/New_York",)),
    **dict.fromkeys(("MST", "MDT"), ("America/Denver",)),
    **dict.fromkeys(("PST", "PDT"), ("America/Los_Angeles",)),
    "MSK": ("Europe/Moscow",),
    "JST": ("Asia/Tokyo",),
    "KST": ("Asia/Seoul",),
    "HKT": ("Asia/Hong_Kong",),
    "SGT": ("Asia/Singapore",),
    "PKT": ("Asia/Karachi",),
    **dict.fromkeys(("AEST", "AEDT"), ("Australia/Sydney",)),
    **dict.fromkeys(("NZST", "NZDT"), ("Pacific/Auckland",)),
    "SAST": ("Africa/Johannesburg",),
    "EAT": ("Africa/Nairobi",),
    "WAT": ("Africa/Lagos",),
}
_UNKNOWN_ABBREVIATION = re.compile(r"^[A-Z]{2,4}T$")


def _offset_minutes(zone: str) -> set[int]:
    tz = ZoneInfo(zone)
    moments = (datetime(2021, 1, 15, tzinfo=tz), datetime(2021, 7, 15, tzinfo=tz))
    return {int(m.utcoffset().total_seconds()) // 60 for m in moments}  # type: ignore[union-attr]


def zone_for(city: str, offset: int | None) -> str | None:
    """An IANA zone for a city note, if the city is known and its offset agrees."""
    found = gazetteer_city(city)
    zone = found.zone if found else None
    if zone is None:
        wanted = city.strip().lower().replace(" ", "_")
        zone = next(
            (z for z in sorted(available_timezones()) if z.lower().endswith("/" + wanted)), None
        )
    if zone is None or (offset is not None and offset not in _offset_minutes(zone)):
        return None
    return zone


def split_zone(text: str) -> tuple[str, str] | None:
    """``"CET Opening"`` (after a time) -> ("CET", "Opening"): the zone note and the rest;
    ``None`` when the text does not start with a time zone."""
    m = _ZONE.match(text.strip())
    if not m:
        return None
    note = text.strip()[: m.start("rest")].strip(" ,;|-\u2013\u2014")
    rest = m.group("rest").strip()
    if m.group("iana") and _iana(m.group("iana")) is None:
        return None
    abbr = m.group("abbr")
    if abbr and abbr not in _ABBREVIATIONS and not (_UNKNOWN_ABBREVIATION.match(abbr) and not rest):
        return None  # a word such as "Panel", not a zone
    return note, rest


def is_zone_line(text: str) -> bool:
    return (found := split_zone(text)) is not None and not found[1]


def _iana(name: str) -> str | None:
    return next((z for z in sorted(available_timezones()) if z.lower() == name.lower()), None)


def _venue_zone(venue: str) -> str | None:
    city = re.split(r"[,(]", venue, maxsplit=1)[0]
    return zone_for(city, None) if city.strip() else None


def resolve_zone(note: str, venue: str = "") -> tuple[str | None, str | None]:
    """A zone note as an IANA zone, and what to check when the reading is not certain.

    An offset takes the zone of the city named with it, else the venue's when the offsets
    agree, else a fixed ``Etc/GMT`` zone; an abbreviation its zone (several candidates:
    the venue's, else the first, said so); an unknown abbreviation no zone at all."""
    m = present(_ZONE.match(note), f"resolve_zone got {note!r}, which is not a zone note")
    venue_zone = _venue_zone(venue)
    if m.group("utc") or m.group("bare"):
        sign, hours, minutes = (m.group("sign"), m.group("h"), m.group("m"))
        if m.group("bare"):
            sign, hours, minutes = m.group("bsign"), m.group("bh"), m.group("bm")
        offset = None
        if hours is not None:
            offset = (int(hours) * 60 + int(minutes or 0)) * (-1 if sign in "-\u2212" else 1)
        city = m.group("city")
        if city and (zone := zone_for(city, offset)):
            return zone, None
        if offset is None or offset == 0:
            return "UTC", None
        if venue_zone and offset in _offset_minutes(venue_zone):
            return venue_zone, None
        if offset % 60:
            return "UTC", f"cannot tell the time zone from {note!r}; used UTC; set event.timezone"
        fixed = f"Etc/GMT{-offset // 60:+d}"
        return fixed, (
            f"{note!r} names no known city; used {fixed}, which has no"
            " daylight saving time; set event.timezone to the venue's zone"
        )
    if m.group("iana"):
        return _iana(m.group("iana")), None
    abbr = m.group("abbr").upper()
    candidates = _ABBREVIATIONS.get(abbr)
    if candidates is None:
        return None, (
            f"{note!r} looks like a time zone abbreviation podium does not know; ignored;"
            " set event.timezone, e.g. 'Europe/Paris'"
        )
    if venue_zone and any(_offset_minutes(venue_zone) == _offset_minutes(z) for z in candidates):
        return venue_zone, None
    if len(candidates) > 1:
        return candidates[0], (
            f"{note!r} is ambiguous ({', '.join(candidates)}); used {candidates[0]};"
            " set event.timezone to the venue's zone"
        )
    if venue_zone:
        return candidates[0], (
            f"the venue is in {venue_zone} but the agenda says {note!r}; used {candidates[0]};"
            " set event.timezone to the venue's zone"
        )
    return candidates[0], None
