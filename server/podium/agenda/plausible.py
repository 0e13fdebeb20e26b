"""What ``podium check`` warns about in a programme that loads but may have been read
wrongly from an agenda: a name too long to be one person's, a session whose length the
importer guessed (it marks them in the file), a city named in the texts while the time
zone is UTC."""

from __future__ import annotations

import re

from podium.agenda.places import venue_city
from podium.core.config.programme import Programme

NAME_LIMIT = 120  # characters; a longer "name" is a list or a paragraph read as one person
GUESSED_MARK = "# podium import guessed this session's length"
_ID = re.compile(r'^id\s*=\s*"([^"]+)"')


def guessed_line(session_id: str) -> str:
    """The comment ``to_toml`` writes above a session whose length was guessed."""
    return f"{GUESSED_MARK} ({session_id}); set its duration or end"


def _guessed(text: str) -> list[str]:
    """The sessions marked as guessed in a programme file's text, in order."""
    marked, out = False, []
    for line in text.splitlines():
        if line.startswith(GUESSED_MARK):
            marked = True
        elif marked and (m := _ID.match(line)):
            out.append(m.group(1))
            marked = False
    return out


def warnings(programme: Programme, text: str) -> list[str]:
    """What to look at again, each with what to do."""
    out: list[str] = []
    for session in programme.sessions:
        for role, person in [
            *(("moderator", m) for m in session.moderators),
            *(("speaker", s) for s in session.speakers),
        ]:
            if len(person.name) > NAME_LIMIT:
                out.append(
                    f"{session.id}: a {role}'s name is {len(person.name)} characters long"
                    f" ({person.name[:40]!r}...); a list read as one person? give each"
                    " person an entry of its own"
                )
    out += [
        f"{sid}: its length was guessed on import; set its duration or end"
        for sid in _guessed(text)
    ]
    if programme.event.timezone in ("UTC", "Etc/UTC"):
        e = programme.event
        named = "\n".join([e.title, e.subtitle, e.venue, e.description])
        if (found := venue_city(named)) is not None:
            out.append(
                f"event.timezone is UTC but the event names {found[0].name}"
                f" ({found[0].zone}); set event.timezone to the venue's zone"
            )
    return out
