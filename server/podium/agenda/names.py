"""Names in an agenda: the one rule for ids (a segment's, a speaker's, the event's), and a
person's line read into honorific, name, affiliation and presence. Both importers use them."""

from __future__ import annotations

import re
import unicodedata

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
    candidate, n = identifier, 2
    while candidate in taken:
        candidate, n = f"{identifier}-{n}", n + 1
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


def person(text: str) -> dict[str, str]:
    """``"H.E. Mr. Houlin ZHAO, Secretary General of ..."`` -> honorific, name, affiliation."""
    honorific, text = split_honorific(text)
    name, _, affiliation = text.partition(",")
    out = {"name": name.strip()}
    if honorific:
        out["honorific"] = honorific
    if affiliation.strip():
        out["affiliation"] = affiliation.strip()
    return out
