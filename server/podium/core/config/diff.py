"""How two plans differ: what the programme file changed since the room started
(``GET /api/programme/file``, the reload), and the marks on a running plan's items.

A change is ``{"item": "session"|"speaker", "id", "kind", ...}`` with ``kind`` one of
``added``, ``removed``, ``renamed`` (a speaker's name or honorific, a session's title),
``changed`` (any other field) and ``moved`` (to another session, or out of the order the
items kept in common had). An item renamed and otherwise changed is one ``renamed``
change; ``fields`` names every field that differs.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from pydantic import BaseModel

from podium.core.config.programme import Session

KINDS = ("added", "removed", "renamed", "changed", "moved")
MARKS = {"added": "added", "moved": "moved", "renamed": "changed", "changed": "changed"}
_NAMES = {"speaker": ("name", "honorific", "name_zh", "honorific_zh"),
          "session": ("title", "title_zh")}  # fmt: skip


def _fields(a: BaseModel, b: BaseModel, ignore: set[str]) -> list[str]:
    return [k for k in type(a).model_fields if k not in ignore and getattr(a, k) != getattr(b, k)]


def _out_of_order(before: list[str], after: list[str]) -> set[str]:
    """The ids, among those both orders keep, that left their place: those outside the
    longest run of the old order the new one keeps."""
    kept = set(before) & set(after)
    old = [i for i in before if i in kept]
    new = [i for i in after if i in kept]
    if old == new:
        return set()
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    stayed = {new[b.b + k] for b in matcher.get_matching_blocks() for k in range(b.size)}
    return kept - stayed


def _item(item: str, kind: str, ident: str, label: str, **more: Any) -> dict[str, Any]:
    return {"item": item, "id": ident, "kind": kind, "label": label, **more}


def _compared(item: str, ident: str, label: str, a: BaseModel, b: BaseModel,
              ignore: set[str], **more: Any) -> list[dict[str, Any]]:  # fmt: skip
    fields = _fields(a, b, ignore)
    if not fields:
        return []
    kind = "renamed" if set(fields) & set(_NAMES[item]) else "changed"
    return [_item(item, kind, ident, label, fields=fields, **more)]


def differences(before: tuple[Session, ...], after: tuple[Session, ...]) -> list[dict[str, Any]]:
    """What changed from ``before`` to ``after``: sessions first, then speakers, each in
    the order of ``after`` (removed ones in the order of ``before``)."""
    changes: list[dict[str, Any]] = []
    old = {s.id: s for s in before}
    new = {s.id: s for s in after}
    moved = _out_of_order([s.id for s in before], [s.id for s in after])
    for s in after:
        if s.id not in old:
            changes.append(_item("session", "added", s.id, s.title))
            continue
        changes += _compared("session", s.id, s.title, old[s.id], s, {"id", "speakers"})
        if s.id in moved:
            changes.append(_item("session", "moved", s.id, s.title))
    changes += [_item("session", "removed", s.id, s.title) for s in before if s.id not in new]

    old_sp = {sp.id: sp for s in before for sp in s.speakers}
    new_sp = {sp.id: sp for s in after for sp in s.speakers}
    shifted: set[str] = set()
    for s in after:
        was = old.get(s.id)
        shifted |= _out_of_order(
            [sp.id for sp in was.speakers] if was else [], [sp.id for sp in s.speakers]
        )
    for s in after:
        for sp in s.speakers:
            where = {"session_id": s.id}
            if sp.id not in old_sp:
                changes.append(_item("speaker", "added", sp.id, sp.display_name, **where))
                continue
            was_sp = old_sp[sp.id]
            ignore = {"id", "session_id"}
            changes += _compared("speaker", sp.id, sp.display_name, was_sp, sp, ignore, **where)
            if was_sp.session_id != s.id or sp.id in shifted:
                came = {"from_session_id": was_sp.session_id}
                changes.append(_item("speaker", "moved", sp.id, sp.display_name, **where, **came))
    changes += [
        _item("speaker", "removed", sp.id, sp.display_name, session_id=s.id)
        for s in before
        for sp in s.speakers
        if sp.id not in new_sp
    ]
    return changes


def marks(start: tuple[Session, ...], now: tuple[Session, ...]) -> dict[str, list[str]]:
    """Each item of ``now`` that changed since ``start``: its marks, among ``added``,
    ``moved`` and ``changed``."""
    out: dict[str, list[str]] = {}
    for change in differences(start, now):
        mark = MARKS.get(change["kind"])
        if mark is not None and mark not in out.setdefault(change["id"], []):
            out[change["id"]].append(mark)
    return out


def summary(changes: list[dict[str, Any]]) -> str:
    """One line: "2 speakers added, 1 renamed" ("no changes" for none)."""
    parts: list[str] = []
    for item in ("session", "speaker"):
        named = False
        for kind in KINDS:
            n = sum(1 for c in changes if c["item"] == item and c["kind"] == kind)
            if n:
                noun = f" {item}{'s' if n > 1 else ''}" if not named else ""
                parts.append(f"{n}{noun} {kind}")
                named = True
    return ", ".join(parts) or "no changes"
