"""A programme mapping written out as a TOML file, in the order people read it."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from typing import Any

from podium.agenda.plausible import guessed_line


def _string(value: str) -> str:
    if "\n" not in value:
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    body = value.replace("\\", "\\\\").replace('"""', '""\\"')
    body = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\u{ord(m.group(0)):04x}", body)
    return f'"""\n{body}"""'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return "[\n" + "".join(f"  {_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(header: str, entries: dict[str, Any]) -> list[str]:
    return [header, *(f"{k} = {_value(v)}" for k, v in entries.items() if k != "speakers")]


def to_toml(
    data: dict[str, Any], comments: Sequence[str] = (), guessed: Collection[str] = ()
) -> str:
    """A programme mapping as a TOML file, in the order people read it; the sessions in
    ``guessed`` (their length was guessed) marked for ``podium check``."""
    out = [f"# {c}" if c else "#" for c in comments]
    if out:
        out.append("")
    out += _table("[event]", data["event"])
    for group in data.get("groups", []):
        out += ["", *_table("[[groups]]", group)]
    for session in data["sessions"]:
        out += ["", "# " + "-" * 86]
        if session["id"] in guessed:
            out.append(guessed_line(session["id"]))
        out += _table("[[sessions]]", session)
        for speaker in session.get("speakers", []):
            out += ["", *_table("[[sessions.speakers]]", speaker)]
    return "\n".join(out) + "\n"
