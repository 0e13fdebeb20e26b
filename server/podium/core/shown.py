"""The transitions of what the screens show besides the timer: the stage's and the
viewers' messages, the blackout and the audience's question (``engine.TRANSITIONS``)."""

from __future__ import annotations

from podium.core.commands import (
    Blackout,
    ClearMessage,
    ClearQuestion,
    ShowMessage,
    ShowQuestion,
)
from podium.core.config.programme import Programme
from podium.core.errors import InvalidTransition
from podium.core.state import Live, Message, ShownQuestion, Target


def slots(target: Target) -> tuple[str, ...]:
    return ("screen", "viewers") if target == "all" else (target,)


def show_message(p: Programme, live: Live, cmd: ShowMessage, now: int) -> tuple[Live, str]:
    update: dict[str, Message] = {}
    for slot in slots(cmd.target):
        pinned = cmd.pinned and slot == "screen"
        update[slot] = Message(text=cmd.text, target=cmd.target, at=now, pinned=pinned)
    messages = live.messages.model_copy(update=update)
    pinned = " (pinned)" if cmd.pinned and "screen" in update else ""
    return live.model_copy(update={"messages": messages}), f"show_message to {cmd.target}{pinned}"


def clear_message(p: Programme, live: Live, cmd: ClearMessage, now: int) -> tuple[Live, str]:
    shown = [slot for slot in slots(cmd.target) if getattr(live.messages, slot) is not None]
    if not shown:
        where = "" if cmd.target == "all" else f" to {cmd.target}"
        raise InvalidTransition(f"no message{where} is shown; there is nothing to clear")
    messages = live.messages.model_copy(update=dict.fromkeys(shown))
    return live.model_copy(update={"messages": messages}), f"clear_message: {cmd.target}"


def blackout(p: Programme, live: Live, cmd: Blackout, now: int) -> tuple[Live, str]:
    if live.blackout == cmd.on:
        raise InvalidTransition(f"the screen is {'already' if cmd.on else 'not'} blacked out")
    return live.model_copy(update={"blackout": cmd.on}), f"blackout: {'on' if cmd.on else 'off'}"


def show_question(p: Programme, live: Live, cmd: ShowQuestion, now: int) -> tuple[Live, str]:
    if cmd.text is None:
        raise InvalidTransition(
            f"question {cmd.question_id!r} is not known here; approve it first (only approved"
            " or answered questions go on screen)"
        )
    if live.question is not None and live.question.id == cmd.question_id:
        raise InvalidTransition("that question is already on screen")
    shown = ShownQuestion(id=cmd.question_id, text=cmd.text, name=cmd.name or "")
    return live.model_copy(update={"question": shown}), f"show_question: {cmd.question_id}"


def clear_question(p: Programme, live: Live, cmd: ClearQuestion, now: int) -> tuple[Live, str]:
    if live.question is None:
        raise InvalidTransition("no question is on screen; there is nothing to clear")
    if cmd.question_id is not None and cmd.question_id != live.question.id:
        raise InvalidTransition(
            f"question {cmd.question_id!r} is not the one on screen; nothing to clear"
        )
    return live.model_copy(update={"question": None}), f"clear_question: {live.question.id}"
