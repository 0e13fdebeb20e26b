"""What a change did, as the ``Change`` it leaves in the state and the action log: who is
on after it, the session a jump ended, what the command named or cleared, what it changed
in the plan, and for an ``undo`` the change it undid (``engine.apply`` records it)."""

from __future__ import annotations

from typing import Any

from podium.core.commands import ClearCue, Command, Undo
from podium.core.config import diff
from podium.core.config.programme import Programme
from podium.core.plan.rundown import current_speaker
from podium.core.state import Live, Phase

# what a command names, as the change's fields (``Change``): copied from the command
SUBJECT_FIELDS = ("seconds", "target", "on", "kind", "question_id", "date")


def subject(
    p: Programme, p_after: Programme, before: Live, after: Live, command: Command
) -> dict[str, Any]:
    """What a change did, as ``Change`` fields: who is on after it (for ``end_session``,
    who was on as it ended), the session a jump ended, what the command named or what
    it cleared, what it changed in the plan, and for an ``undo`` the change it undid."""
    on_now = after if after.phase is Phase.LIVE else before
    speaker = current_speaker(p_after if on_now is after else p, on_now)
    fields: dict[str, Any] = {
        "session_id": on_now.session_id if on_now.phase is Phase.LIVE else None,
        "speaker_id": speaker.id if speaker and on_now.phase is Phase.LIVE else None,
    }
    for name in SUBJECT_FIELDS:
        fields[name] = getattr(command, name, None)
    if isinstance(command, Undo):
        fields["undone"] = before.change
    elif isinstance(command, ClearCue) and before.cue is not None:
        fields["kind"] = before.cue.kind
    elif command.action == "clear_question" and before.question is not None:
        fields["question_id"] = before.question.id
    if before.plan != after.plan:
        fields["edits"] = tuple(diff.differences(p.sessions, p_after.sessions))
    jumped = before.phase is Phase.LIVE and after.phase is Phase.LIVE
    if jumped and not isinstance(command, Undo) and before.session_id != after.session_id:
        fields["ended_session_id"] = before.session_id
    return fields
