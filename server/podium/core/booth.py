"""The interpreters' booth signals: "slow down", "louder", "no sound", sent to the speaker
on stage and shown for ``SHOWN_MS`` or until the speaker changes, whichever comes first.

A signal is stored in the state (``State.booth_signal``) by the one writer like any
change, so every process and a restart see it; but it is not a moderator's action: it
leaves ``live``, ``last_change`` and the undo stack alone, and a console's command that
names a version only booth signals have passed since is no conflict (``unchanged_since``).
Whether it still shows is derived from its ``at`` and the speaker on now (``shown``):
nothing takes it down.
"""

from __future__ import annotations

from typing import Any

from podium.core.commands import SendBoothSignal
from podium.core.config.programme import Programme
from podium.core.errors import InvalidTransition
from podium.core.state import BoothSignal, Phase, State

SHOWN_MS = 15_000  # a signal shows this long (or until the speaker changes)


def _on_stage(programme: Programme, state: State) -> tuple[str | None, str | None, str]:
    """``(session_id, speaker_id, language)`` of who is on now: the speaker's floor
    language, or the event's first for a session without speakers."""
    live = state.live
    session = programme.session(live.session_id) if live.session_id else None
    if live.phase is not Phase.LIVE or session is None:
        raise InvalidTransition(
            "no session is live, so nobody is on stage to signal; send it once a speaker is on"
        )
    if live.speaker_index is None:
        return session.id, None, programme.event.languages[0]
    speaker = session.speakers[live.speaker_index]
    return session.id, speaker.id, speaker.language


def signalled(
    programme: Programme, state: State, command: SendBoothSignal, now: int
) -> tuple[State, str]:
    """``state`` with the booth's signal to whoever is on now, one version on."""
    session_id, speaker_id, _ = _on_stage(programme, state)
    before = state.booth_signal
    quiet = before is not None and before.version == state.version
    signal = BoothSignal(
        signal=command.signal,
        at=now,
        session_id=session_id,
        speaker_id=speaker_id,
        version=state.version + 1,
        since=before.since if quiet and before else state.version,
    )
    update = {"version": signal.version, "updated_at": now, "booth_signal": signal}
    return state.model_copy(update=update), f"booth_signal: {command.signal} to {speaker_id}"


def unchanged_since(state: State, expected: int) -> bool:
    """Whether a command that names version ``expected`` may go ahead: it is the current
    version, or only booth signals have come since."""
    signal = state.booth_signal
    if expected == state.version:
        return True
    return signal is not None and signal.version == state.version and signal.since <= expected


def shown(programme: Programme, state: State, now: int) -> dict[str, Any] | None:
    """The booth's signal as the pages get it while it shows: ``signal``, ``at``, to whom
    (``speaker_id``) and in which language to say it (the speaker's floor language)."""
    signal = state.booth_signal
    if signal is None or now - signal.at >= SHOWN_MS:
        return None
    try:
        session_id, speaker_id, language = _on_stage(programme, state)
    except InvalidTransition:
        return None
    if (session_id, speaker_id) != (signal.session_id, signal.speaker_id):
        return None
    return {
        "signal": signal.signal,
        "at": signal.at,
        "speaker_id": speaker_id,
        "language": language,
        "until": signal.at + SHOWN_MS,
    }
