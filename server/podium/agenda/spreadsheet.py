"""Agendas as spreadsheets: import a CSV (one row per speaker) and export a programme as one.

Columns are found by their header, in any order and case; ``session`` and ``speaker`` are
the ones that matter, the others are optional (see ``COLUMNS``). A session's rows stay
together; its own fields (start, duration, group, moderators, description) are read from
its first row and may be repeated on the others, but must not differ. A row with a session
and no speaker is a session without speakers. Lengths are minutes when written as a bare
number ("50"), or text such as "8m20s" or "0:08:20". Every error names its row (as the
spreadsheet numbers it, the header being row 1) and its column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from pathlib import Path
from typing import Any

from podium.agenda.imported import Imported
from podium.agenda.names import event_id, person, segment_id, slug, split_honorific, unique
from podium.core.config import programme_file, values
from podium.core.config.programme import Person
from podium.core.errors import ProgrammeError

COLUMNS: dict[str, tuple[str, ...]] = {
    "session_id": ("session id",),
    "session": ("session title", "segment"),
    "group": ("group title", "track"),
    "start": ("start time", "time", "begins"),
    "duration": ("length", "slot", "session length"),
    "moderators": ("moderator", "chair", "chairs"),
    "description": ("session description",),
    "speaker_id": ("speaker id",),
    "honorific": ("salutation", "title prefix"),
    "speaker": ("name", "speaker name"),
    "affiliation": ("organisation", "organization", "role"),
    "presence": ("attendance", "mode"),
    "allocation": ("speaking time", "minutes"),
    "on_end": ("at end", "when time is up"),
    # the Chinese versions (each moderator of moderators_zh as "name, affiliation")
    "session_zh": ("session title zh",),
    "group_zh": ("group title zh",),
    "description_zh": (),
    "moderators_zh": (),
    "honorific_zh": (),
    "speaker_zh": ("name zh",),
    "affiliation_zh": (),
    # several days and breaks: the day a session starts (YYYY-MM-DD), "break"
    "date": ("day",),
    "kind": ("type",),
}
EXPORT_COLUMNS = tuple(COLUMNS)
_PRESENCE = {
    "": "in_room",
    "in_room": "in_room",
    "in room": "in_room",
    "in person": "in_room",
    "in-person": "in_room",
    "room": "in_room",
    "remote": "remote",
    "online": "remote",
    "virtual": "remote",
    "recorded": "recorded",
    "pre-recorded": "recorded",
    "video": "recorded",
    "speech received": "recorded",
}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class CsvError(ProgrammeError):
    """A spreadsheet that cannot be imported; every problem names its row and column."""


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _length(text: str) -> str:
    """A cell's length as a programme duration: "50" (minutes), "8m20s", "0:08:20"."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        seconds = round(float(text) * 60)
    elif m := _CLOCK.match(text):
        h, mi, s = (int(g or 0) for g in m.groups())
        seconds = h * 3600 + mi * 60 + s if m.group(3) else h * 60 + mi
    else:
        try:
            seconds = values.parse_duration_ms(text) // 1000
        except ValueError:
            raise ValueError(
                f"{text!r} is not a length; write minutes ('50') or text like '8m20s'"
            ) from None
    values.parse_duration_ms(seconds)
    return values.format_duration(seconds * 1000)


def _clock(text: str) -> str:
    return f"{values.parse_clock(text.strip().zfill(5)):%H:%M}"


def _day(text: str) -> str:
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a day; write it as 2023-04-27") from None


class _Sheet:
    def __init__(self, text: str) -> None:
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
        self.header = [h.strip() for h in rows[0]] if rows else []
        self.rows = rows[1:]
        self.problems: list[str] = []
        self.columns: dict[str, int] = {}
        for index, name in enumerate(self.header):
            key = name.lower().replace("_", " ").strip()
            field = next(
                (f for f, aka in COLUMNS.items() if key in (f.replace("_", " "), *aka)), None
            )
            if field is None:
                if key:
                    self.problems.append(
                        f"row 1, column {_letter(index)} ({name!r}): unknown"
                        f" column; use: {', '.join(COLUMNS)}"
                    )
            elif field in self.columns:
                self.problems.append(
                    f"row 1, column {_letter(index)} ({name!r}): a second {field} column; keep one"
                )
            else:
                self.columns[field] = index
        for required in ("session", "speaker"):
            if required not in self.columns:
                self.problems.append(f"row 1: no {required!r} column; add one")

    def cell(self, row: list[str], field: str) -> str:
        index = self.columns.get(field)
        return row[index].strip() if index is not None and index < len(row) else ""

    def where(self, number: int, field: str) -> str:
        index = self.columns[field]
        return f"row {number}, column {_letter(index)} ({self.header[index]})"

    def read(self, row: list[str], number: int, field: str, convert: Any) -> str:
        value = self.cell(row, field)
        if not value:
            return ""
        try:
            return convert(value)
        except ValueError as exc:
            detail = str(exc)
            self.problems.append(f"{self.where(number, field)}: {detail[0].lower()}{detail[1:]}")
            return ""


def import_csv(
    text: str, title: str, timezone: str, identifier: str | None = None, date: str | None = None
) -> Imported:
    """Read a CSV agenda; raises ``CsvError`` listing every problem with row and column."""
    sheet = _Sheet(text.lstrip("\ufeff"))
    if any(required not in sheet.columns for required in ("session", "speaker")):
        raise CsvError("csv", sheet.problems)
    sessions: list[dict[str, Any]] = []
    rows_of: list[list[int]] = []  # each session's first row, then its speakers' rows
    groups: dict[str, dict[str, Any]] = {}
    ids: set[str] = set()
    seen_rows: dict[str, int] = {}
    for number, row in enumerate(sheet.rows, 2):
        if not any(c.strip() for c in row):
            continue
        title_cell = sheet.cell(row, "session")
        if not title_cell:
            sheet.problems.append(f"{sheet.where(number, 'session')}: empty; name the session")
            continue
        key = sheet.cell(row, "session_id") or title_cell
        values = {
            "start": sheet.read(row, number, "start", _clock),
            "duration": sheet.read(row, number, "duration", _length),
            "group": sheet.cell(row, "group"),
            "moderators": sheet.cell(row, "moderators"),
            "description": sheet.cell(row, "description"),
            **{f: sheet.cell(row, f) for f in ("session_zh", "group_zh", "description_zh")},
            "moderators_zh": sheet.cell(row, "moderators_zh"),
            "date": sheet.read(row, number, "date", _day),
            "kind": sheet.cell(row, "kind").lower(),
        }
        if not sessions or sessions[-1]["_key"] != key:
            if key in seen_rows:
                sheet.problems.append(
                    f"row {number}: session {title_cell!r} appears again after"
                    f" other sessions (first at row {seen_rows[key]});"
                    " keep its rows together"
                )
                continue
            seen_rows[key] = number
            sid = sheet.cell(row, "session_id") or segment_id(title_cell)
            session: dict[str, Any] = {
                "_key": key,
                "_first": number,
                "_values": values,
                "id": unique(sid, ids),
                "title": title_cell,
            }
            sessions.append(session)
            rows_of.append([number])
        session = sessions[-1]
        for field, value in values.items():
            first = session["_values"][field]
            if value and first and value != first:
                sheet.problems.append(
                    f"{sheet.where(number, field)}: {value!r} differs from"
                    f" {first!r} in row {session['_first']}; a session's"
                    " fields must agree on all its rows"
                )
            elif value and not first:
                session["_values"][field] = value
        if _speaker(sheet, row, number, session, ids):
            rows_of[-1].append(number)
    if sheet.problems:
        raise CsvError("csv", sheet.problems)
    data = {
        "event": {"id": identifier or event_id(title), "title": title, "timezone": timezone}
        | ({"date": date} if date else {}),
        "sessions": [_session(s, groups, ids) for s in sessions],
    }
    if groups:
        data["groups"] = list(groups.values())
    try:
        programme_file.parse(data, "csv")
    except ProgrammeError as exc:
        raise CsvError("csv", [_by_row(p, rows_of) for p in exc.problems]) from None
    return Imported(data=data)


def _speaker(
    sheet: _Sheet, row: list[str], number: int, session: dict[str, Any], ids: set[str]
) -> bool:
    """Add the row's speaker to the session; False for a row without one."""
    honorific, name = split_honorific(sheet.cell(row, "speaker"))
    if not name:
        return False
    speaker: dict[str, Any] = {"name": name}
    if honorific := sheet.cell(row, "honorific") or honorific:
        speaker["honorific"] = honorific
    if affiliation := sheet.cell(row, "affiliation"):
        speaker["affiliation"] = affiliation
    for field, key in (("speaker_zh", "name_zh"), ("honorific_zh", "honorific_zh"),
                       ("affiliation_zh", "affiliation_zh")):  # fmt: skip
        if value := sheet.cell(row, field):
            speaker[key] = value
    presence = sheet.cell(row, "presence").lower()
    if presence not in _PRESENCE:
        sheet.problems.append(
            f"{sheet.where(number, 'presence')}: {presence!r} is not a presence;"
            " use in_room, remote or recorded"
        )
    elif _PRESENCE[presence] != "in_room":
        speaker["presence"] = _PRESENCE[presence]
    if allocation := sheet.read(row, number, "allocation", _length):
        speaker["allocation"] = allocation
    if on_end := sheet.read(row, number, "on_end", lambda v: values.parse_on_end(v.lower())):
        speaker["on_end"] = on_end
    sid = sheet.cell(row, "speaker_id") or slug(speaker["name"]) or "speaker"
    session.setdefault("speakers", []).append({"id": unique(sid, ids), **speaker})
    return True


def _session(raw: dict[str, Any], groups: dict[str, dict[str, Any]], ids: set[str]) -> dict:
    values = raw["_values"]
    session = {k: v for k, v in raw.items() if not k.startswith("_")}
    if values["group"]:
        title = values["group"]
        group = groups.setdefault(title, {"id": unique(segment_id(title), ids), "title": title})
        if values["group_zh"]:
            group["title_zh"] = values["group_zh"]
        session["group"] = group["id"]
    fields = {"start": "start", "duration": "duration", "session_zh": "title_zh",
              "description": "description", "description_zh": "description_zh",
              "date": "date", "kind": "kind"}  # fmt: skip
    for field, key in fields.items():
        if values[field]:
            session[key] = values[field]
    if values["moderators"]:
        moderators = [person(m) for m in values["moderators"].split(";") if m.strip()]
        for moderator, text in zip(moderators, values["moderators_zh"].split(";"), strict=False):
            name, _, affiliation = text.partition(",")
            chinese = {"name_zh": name.strip(), "affiliation_zh": affiliation.strip()}
            moderator.update({k: v for k, v in chinese.items() if v})
        session["moderators"] = moderators
    speakers = session.pop("speakers", None)
    if speakers:
        session["speakers"] = speakers
    return session


def _by_row(problem: str, rows_of: list[list[int]]) -> str:
    """``sessions[2].speakers[1].id: ...`` -> ``row 9: id: ...``."""
    m = re.match(r"sessions\[(\d+)\](?:\.speakers\[(\d+)\])?[.:]?\s*(.*)", problem)
    if not m:
        return problem
    rows = rows_of[int(m.group(1))]
    row = rows[int(m.group(2)) + 1] if m.group(2) is not None else rows[0]
    return f"row {row}: {m.group(3)}"


# -- export ---------------------------------------------------------------------------------


def export_csv(path: str | Path) -> str:
    """The programme file as CSV, one row per speaker, in the columns ``import_csv`` reads.
    Blank start: planned back to back; blank allocation: an even share of the slot."""
    programme = programme_file.load(path)
    raw = programme_file.ProgrammeFile.model_validate(tomllib.loads(Path(path).read_text("utf-8")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for entry, session in zip(raw.sessions, programme.sessions, strict=True):
        shared = [
            session.id,
            session.title,
            session.group_title or "",
            f"{entry.start:%H:%M}" if entry.start else "",
            values.format_duration(session.duration_ms),
            "; ".join(_person_text(m) for m in session.moderators),
            session.description,
        ]
        chinese = [
            session.title_zh,
            session.group_title_zh,
            session.description_zh,
            _moderators_zh(session.moderators),
        ]
        written = entry.date or (raw.event.date if entry is raw.sessions[0] else None)
        day = [
            written.isoformat() if written else "",
            "" if entry.kind == "session" else entry.kind,
        ]
        for speaker, written in zip(session.speakers, entry.speakers, strict=True):
            allocation = written.allocation
            writer.writerow(
                [
                    *shared,
                    speaker.id,
                    speaker.honorific,
                    speaker.name,
                    speaker.affiliation,
                    speaker.presence.value,
                    values.format_duration(allocation) if allocation else "",
                    speaker.on_end or "",
                    *chinese,
                    speaker.honorific_zh,
                    speaker.name_zh,
                    speaker.affiliation_zh,
                    *day,
                ]
            )
        if not session.speakers:
            writer.writerow([*shared, "", "", "", "", "", "", "", *chinese, "", "", "", *day])
    return out.getvalue()


def _person_text(p: Person) -> str:
    return ", ".join(part for part in (p.display_name, p.affiliation) if part)


def _moderators_zh(moderators: tuple[Person, ...]) -> str:
    """The moderators_zh cell: each moderator's Chinese "name, affiliation", in the order of
    the moderators column (empty for one without); empty when none has any."""
    texts = [f"{m.name_zh}, {m.affiliation_zh}" if m.affiliation_zh else m.name_zh
             for m in moderators]  # fmt: skip
    return "; ".join(texts) if any(texts) else ""
