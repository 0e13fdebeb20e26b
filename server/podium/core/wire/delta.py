"""Changes, not states: the state a delta client holds, and what changed in it.

A WebSocket client that did not ask for whole states (``/ws?full=1``) holds the *lean*
state: the view (``projection.view``) less what it already has or derives. The programme's
texts (titles, names, affiliations, their Chinese versions) travel with the programme (and
a change's English ``summary``, made of them, is left to logs: pages say it from its fields);
what depends on the clock (``remaining_ms`` of a running timer and of the session, the
day's ``drift_ms``, the schedule's projected times) the page derives from the stored
timestamps and ``server_time``; ``message`` is the newest of ``messages``. So the lean
state is a function of the room's state alone, the same whenever it is derived, and the
schedule is an object by session id, so a change to one row is a change to that row.

After the snapshot, each change is a ``delta``: ``patch`` is merged into the held state
(an object into an object key by key, anything else replaces, ``null`` included) and each
path in ``removed`` (keys, outermost first) is deleted. Every field of the view rides on
this, those added later too.
"""

from __future__ import annotations

from typing import Any

from podium.core import booth, projection
from podium.core.config.programme import Programme
from podium.core.state import State

JSON = dict[str, Any]

SESSION_DERIVED = (
    "title",
    "group_title",
    "moderators",
    "title_zh",
    "group_title_zh",
    "moderators_zh",
    "remaining_ms",
)
PERSON_TEXTS = (
    "name",
    "honorific",
    "display_name",
    "affiliation",
    "name_zh",
    "honorific_zh",
    "display_name_zh",
    "affiliation_zh",
)
VIEW_DERIVED = ("message", "drift_ms")
ROW_DERIVED = ("id", "projected_start", "projected_end")


def _without(data: JSON | None, keys: tuple[str, ...]) -> JSON | None:
    return None if data is None else {k: v for k, v in data.items() if k not in keys}


def unsaid(change: JSON | None) -> JSON | None:
    """A change without its English ``summary``, the one undone too: a line for logs that
    names speakers and sessions by their texts, where the fields say what it did."""
    if change is None:
        return None
    out = {k: v for k, v in change.items() if k != "summary"}
    if "undone" in out:
        out["undone"] = unsaid(out["undone"])
    return out


def lean(view: JSON) -> JSON:
    """The state as a delta client holds it (see the module's docstring)."""
    held = {k: v for k, v in view.items() if k not in VIEW_DERIVED}
    held["undo"] = unsaid(view["undo"])
    held["last_change"] = unsaid(view["last_change"])
    held["session"] = _without(view["session"], SESSION_DERIVED)
    held["speaker"] = _without(view["speaker"], PERSON_TEXTS)
    held["next_speaker"] = _without(view["next_speaker"], PERSON_TEXTS)
    timer = view["timer"]
    if timer["status"] == "running":  # ends_at - server_time
        held["timer"] = {**timer, "remaining_ms": None}
    held["schedule"] = {row["id"]: _without(row, ROW_DERIVED) for row in view["schedule"]}
    return held


def held(programme: Programme, state: State, view: JSON) -> JSON:
    """The lean state of ``state``, whose ``view`` this is: ``lean``, with the booth's
    signal as it was sent (the view drops it 15 s on; the pages stop showing it at its
    ``until`` themselves), so that nothing in it depends on the clock."""
    out = lean(view)
    signal = state.booth_signal
    out["booth_signal"] = None if signal is None else booth.shown(programme, state, signal.at)
    return out


def view_held(programme: Programme, state: State, now: int) -> JSON:
    """``held`` of the view as of ``now``."""
    return held(programme, state, projection.view(programme, state, now))


def diff(old: JSON, new: JSON) -> tuple[JSON, list[list[str]]]:
    """What turns ``old`` into ``new``: the patch and the removed paths (``merge``)."""
    removed: list[list[str]] = []
    return _diff(old, new, [], removed), removed


def _diff(old: JSON, new: JSON, path: list[str], removed: list[list[str]]) -> JSON:
    patch: JSON = {}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
            continue
        before = old[key]
        if isinstance(value, dict) and isinstance(before, dict):
            # an unchanged part (most of them) is compared in C; a field keeps its JSON
            # type from one version to the next (test_deltas compares the text too)
            if value == before:
                continue
            inner = _diff(before, value, [*path, key], removed)
            if inner:
                patch[key] = inner
        elif type(before) is not type(value) or before != value:
            patch[key] = value
    removed.extend([*path, key] for key in old if key not in new)
    return patch


def merge(held: JSON, patch: JSON, removed: list[list[str]] | None = None) -> JSON:
    """``held`` with a delta applied; ``held`` itself is left as it was."""
    out = _merge(held, patch)
    for path in removed or ():
        *parents, last = path
        node = out
        for key in parents:
            node[key] = dict(node[key])
            node = node[key]
        node.pop(last, None)
    return out


def _merge(held: JSON, patch: JSON) -> JSON:
    out = dict(held)
    for key, value in patch.items():
        before = out.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            out[key] = _merge(before, value)
        else:
            out[key] = value
    return out
