"""The events automations hear of, derived from states: pure, no clock of its own.

``happened(programme, before, after)`` is what a change of state did (a session or a
speaker's turn started or ended, a message shown, a cue given). ``due(programme, state)``
is when the turn on now reaches its ``warning``, ``danger`` and ``overtime``: computed from
the timer's ``ends_at`` and the thresholds the countdown uses (``projection.thresholds``),
so a pause, resume or added time moves them; a paused timer has none. None falls due
before its turn started.

Every event has an ``id`` that each process sharing a store computes the same way (a
change: room, version, event, subject; a timed event: room, event, turn), so a claim on it
makes it go out once however many processes see it, and a timed event once per turn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from podium.core.config.programme import Programme, Session, Speaker
from podium.core.projection import thresholds
from podium.core.state import Live, Phase, State, TimerStatus


@dataclass(frozen=True)
class Turn:
    """Who holds the timer: a speaker, or a session without speakers; since ``started_at``."""

    session: Session
    speaker: Speaker | None
    started_at: int

    @property
    def subject(self) -> str:
        return f"{(self.speaker or self.session).id}@{self.started_at}"


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    room: str
    version: int
    at: int  # epoch ms: when it happened (a timed one: when it fell due)
    turn: Turn | None  # the session and speaker it concerns
    extra: dict[str, Any] = field(default_factory=dict)  # message, cue or timer

    def payload(self) -> dict[str, Any]:
        """The JSON a webhook receives (docs/integrations.md)."""
        session = self.turn.session if self.turn else None
        speaker = self.turn.speaker if self.turn else None
        moment = dt.datetime.fromtimestamp(self.at / 1000, dt.UTC)
        return {
            "id": self.id,
            "event": self.name,
            "room": self.room,
            "version": self.version,
            "at": self.at,
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "session": {"id": session.id, "title": session.title} if session else None,
            "speaker": {
                "id": speaker.id,
                "name": speaker.name,
                "display_name": speaker.display_name,
                "presence": speaker.presence.value,
            }
            if speaker
            else None,
            **self.extra,
        }


def turn_of(programme: Programme, live: Live) -> Turn | None:
    """The turn on now, if a session is live."""
    session = programme.session(live.session_id) if live.session_id else None
    if live.phase is not Phase.LIVE or session is None or session.id not in live.sessions:
        return None
    if live.speaker_index is None:
        return Turn(session, None, live.sessions[session.id].started_at)
    speaker = session.speakers[live.speaker_index]
    run = live.speakers.get(speaker.id)
    return Turn(session, speaker, run.started_at if run else live.sessions[session.id].started_at)


def happened(programme: Programme, before: State, after: State) -> list[Event]:
    """What the change from ``before`` to ``after`` did, in order: the turn and session
    that ended, the session and turn that started, a message shown, a cue given."""
    room, version, at = after.room, after.version, after.updated_at
    old = turn_of(before.programme(programme), before.live)
    new = turn_of(after.programme(programme), after.live)
    old_session, new_session = _live_run(before.live), _live_run(after.live)
    events: list[Event] = []

    def add(name: str, turn: Turn | None, subject: str, **extra: Any) -> None:
        events.append(Event(f"{room}/{version}/{name}/{subject}", name, room, version, at, turn,
                            extra))  # fmt: skip

    turned = (old and old.subject) != (new and new.subject)
    if turned and old is not None and old.speaker is not None:
        add("speaker_ended", old, old.subject)
    if old is not None and old_session is not None and old_session != new_session:
        add("session_ended", old, "@".join(map(str, old_session)))
    if new is not None and new_session is not None and old_session != new_session:
        add("session_started", new, "@".join(map(str, new_session)))
    if turned and new is not None and new.speaker is not None:
        add("speaker_started", new, new.subject)
    shown = {}
    for slot in ("screen", "viewers"):
        message = getattr(after.live.messages, slot)
        if message is not None and message != getattr(before.live.messages, slot):
            shown[(message.at, message.target, message.text)] = message
    for message in shown.values():
        add("message_shown", new, f"{message.target}@{message.at}",
            message={"text": message.text, "target": message.target, "at": message.at})  # fmt: skip
    cue = after.live.cue
    if cue is not None and cue != before.live.cue:
        add("cue", new, f"{cue.kind}@{cue.at}", cue={"kind": cue.kind, "at": cue.at})
    return events


def _live_run(live: Live) -> tuple[str, int] | None:
    """The live session and when it started, if one is live."""
    if live.phase is not Phase.LIVE or live.session_id not in live.sessions:
        return None
    session_id = live.session_id or ""
    return session_id, live.sessions[session_id].started_at


def due(programme: Programme, state: State) -> list[Event]:
    """The timed events of the turn on now, at their moments (earliest first); none while
    its timer is not running."""
    live, programme = state.live, state.programme(programme)
    turn = turn_of(programme, live)
    timer = live.timer
    if turn is None or timer.status is not TimerStatus.RUNNING or timer.ends_at is None:
        return []
    colours = thresholds(programme, turn.session, live)
    ends_at = timer.ends_at
    # a turn shorter than its warning (a short recorded item) is amber from its start: the
    # warning falls due as it starts, never before (after speaker_started, in the order sent)
    moments = {
        "warning": max(ends_at - colours["warning_ms"], turn.started_at),
        "danger": max(ends_at - colours["danger_ms"], turn.started_at),
        "overtime": ends_at,
    }
    timer_info = {"timer": {"ends_at": ends_at, **colours}}
    return [
        Event(
            f"{state.room}/{name}/{turn.subject}",
            name,
            state.room,
            state.version,
            at,
            turn,
            timer_info,
        )
        for name, at in moments.items()
    ]
