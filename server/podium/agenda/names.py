"""Names in an agenda: the one rule for ids (a segment's, a speaker's, the event's), and a
person's line read into honorific, name, affiliation and presence. Both importers use them."""

from __future__ import annotations

import re
import unicodedata

from podium.agenda.places import country

_LINKING = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "the", "to", "with"}
EVENT_WORDS = {
    "seminar",
    "conference",
    "forum",
    "summit",
    "meeting",
    "workshop",
    "symposium",
    "congress",
    "colloquium",
    "assembly",
    "expo",
    "dialogue",
}
_GENERIC = EVENT_WORDS | {"annual", "the", "of", "on", "and", "for"}

_HONORIFIC = re.compile(
    r"^((?:(?:H\.\s?E\.|Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Hon|Amb|Ambassador|Eng"
    r"|Rev)\.?\s+)+)"
)
_RECORDED = re.compile(
    r"\s*\((?:speech received|recorded|pre-recorded|prerecorded|video message|video)\)\s*$", re.I
)
_REMOTE = re.compile(r"\s*\((?:remote|online|virtual|by video ?link|via video ?link)\)\s*$", re.I)


_ROLE_FIRST = re.compile(r"^([A-Z][\w ]{2,30}?)\s*:\s*(.+)$")
_COUNTRY_FIRST = re.compile(r"^([A-Z][\w .'()\-]{1,40}?)\s+[\u2013\u2014-]\s+(.+)$")
_BRACKETED = re.compile(r"^([^(]+?)\s*,?\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)(.*)$")
_QUOTED = re.compile(r"^[\"\u201c][^\"\u201d]*[\"\u201d]\s*[:,]?\s*,?\s*")  # a talk's title
_LISTED = re.compile(r"(?:[^,()]+\([^)]*\)\s*,\s*)+[^,()]+\([^)]*\)")
_ROLE_WORD = re.compile(
    r"\b(?:director|coordinator|minister|secretary|president|chief|head|officer|chair\w*"
    r"|manager|member|advisor|adviser|counsel\w*|fellow|founder|dean|rector|ceo|cto)\b",
    re.I,
)
_NAME_ONLY = re.compile(
    r"(?:[A-Z][\w.'\-]*\s+){1,4}[A-Z][\w.'\-]*(?:\s*\((?:remote|online|virtual)\))?"
)


# -- ids ---------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[A-Za-z0-9]+", ascii_text)


def slug(text: str) -> str:
    return "-".join(words(text)).lower()[:64].strip("-")


def segment_id(title: str) -> str:
    """The title up to its colon or its first linking word, as an id."""
    kept: list[str] = []
    for word in words(title.split(":", 1)[0]):
        if word.lower() in _LINKING and kept:
            break
        kept.append(word)
    return slug(" ".join(kept)) or "session"


def event_id(title: str) -> str:
    """The title without generic words such as "Annual" or "Seminar", as an id."""
    return slug(" ".join(w for w in words(title) if w.lower() not in _GENERIC)) or "event"


def unique(identifier: str, taken: set[str]) -> str:
    """``identifier``, or ``identifier-2``, ``-3``, ... when taken; never over 64 characters
    (the programme's limit for an id)."""
    candidate, n = identifier, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = f"{identifier[: 64 - len(suffix)].rstrip('-')}{suffix}", n + 1
    taken.add(candidate)
    return candidate


# -- people --------------------------------------------------------------------------------


def split_presence(text: str) -> tuple[str, str | None]:
    """``"..., Officer of GSMA (Speech received)"`` -> (text without it, "recorded")."""
    for pattern, presence in ((_RECORDED, "recorded"), (_REMOTE, "remote")):
        stripped = pattern.sub("", text)
        if stripped != text:
            return stripped, presence
    return text, None


def split_honorific(text: str) -> tuple[str, str]:
    """``"H.E. Mr. Houlin ZHAO"`` -> ("H.E. Mr.", "Houlin ZHAO"), spaces tidied."""
    text = re.sub(r"\s+", " ", text).strip()
    if m := _HONORIFIC.match(text):
        return m.group(1).strip(), text[m.end() :]
    return "", text


def _country_first(text: str) -> tuple[str, str]:
    """``"Kenya - H.E. Ms. Name, Minister"`` -> ("Kenya", "H.E. Ms. Name, Minister")."""
    if (m := _COUNTRY_FIRST.match(text)) and country(m.group(1)):
        return m.group(1), m.group(2)
    return "", text


def person(text: str) -> dict[str, str]:
    """``"H.E. Mr. Houlin ZHAO, Secretary General of ..."`` -> honorific, name, affiliation.

    Also read: a role in front (``"Opening remarks: Name, ..."``), the affiliation in
    brackets (``"Name (Director of TSB)"``), and a country in front (``"Kenya - Name,
    Minister"``: the country ends the affiliation)."""
    text = re.sub(r"\s+", " ", text.replace("\uff0c", ", ")).strip(" ,;")
    if (m := _ROLE_FIRST.match(text)) and m.group(2):
        text = _QUOTED.sub("", m.group(2))
    nation, text = _country_first(text)
    honorific, text = split_honorific(text)
    name, _, affiliation = text.partition(",")
    if (m := _BRACKETED.match(text)) and "," not in m.group(1):
        name, affiliation = m.group(1), m.group(2) + (m.group(3) or "")
    affiliation = affiliation.strip(" ,")
    if nation and nation not in affiliation:
        affiliation = f"{affiliation}, {nation}" if affiliation else nation
    out = {"name": name.strip(" ,")}
    if honorific:
        out["honorific"] = honorific
    if affiliation:
        out["affiliation"] = affiliation
    return out


def people(text: str, plural: bool) -> list[str]:
    """The people on one line: ``"A (IGO), B (TC), C (Gov)"``, or after a plural head
    (``"Moderators: A, B, C (remote)"``) names alone separated by commas; else one person."""
    if plural and "\u3001" in text:  # "张三、李四": Chinese names listed
        return [p.strip() for p in text.split("\u3001") if p.strip()]
    if _LISTED.fullmatch(text.rstrip(".")):
        return [p.strip() for p in re.split(r"(?<=\))\s*,\s*", text.rstrip(".")) if p.strip()]
    parts = [p.strip() for p in text.split(",")]
    if (
        plural
        and len(parts) > 1
        and not _ROLE_WORD.search(text)
        and all(_NAME_ONLY.fullmatch(split_honorific(p)[1]) for p in parts)
    ):
        return parts
    return [text]


_PARTICLES = {"de", "da", "di", "del", "van", "von", "der", "den", "el", "al", "bin", "la", "le"}


def looks_like_name(entry: dict[str, str]) -> bool:
    """A person read from a list, or a point of the agenda ("Way forward")? A name has an
    honorific, an affiliation, Chinese characters, or every word capitalised."""
    if entry.get("honorific") or entry.get("affiliation"):
        return True
    name = entry["name"]
    return any("\u4e00" <= c <= "\u9fff" for c in name) or all(
        w[:1].isupper() or w.lower() in _PARTICLES for w in name.split()
    )
