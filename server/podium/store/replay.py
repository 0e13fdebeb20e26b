"""The action log replayed: the one replay, the room's when it opens (``live/room.py``)
and the report's (``report/replay.py``).

Each record holds a validated command and the ``now`` it was applied at, and the engine is
deterministic, so ``engine.apply`` over the records gives every state the room went
through, exactly. A checkpoint record (after a gap in the log) is taken as it is; version 0
starts the room afresh. The replay stops at a record that does not follow or cannot be
applied, and says why (``Replayed.problem``).

For an ``undo`` a step names the step whose state it brought back (``Step.restores``),
read off the engine's own undo stack: ``undo`` brings back the state before the command it
undoes, so the report can give the time from a command to its undo to the state before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from podium.core import commands, engine
from podium.core.commands import SendBoothSignal, Undo, parse_command
from podium.core.config.programme import Programme
from podium.core.errors import PodiumError
from podium.core.state import State, initial_state
from podium.store.base import LogRecord


@dataclass(frozen=True)
class Step:
    """One record replayed: the state it made, and for an ``undo`` the index of the step
    whose state it brought back (``None``: not an undo, or that state is from before the
    records replayed)."""

    record: LogRecord
    state: State
    restores: int | None = None


@dataclass
class Replayed:
    state: State | None  # the last state reached: the one given if no record applied
    steps: list[Step] = field(default_factory=list)
    problem: str | None = None  # why the replay stopped before the last record


def replay(programme: Programme, state: State | None, records: Sequence[LogRecord]) -> Replayed:
    """``records`` replayed from ``state`` (``None``: from the log's start)."""
    done = Replayed(state)
    # origins[k]: the step whose state is state.undo[k] (None: from before these records)
    origins: list[int | None] = [None] * len(state.undo) if state else []
    for record in records:
        if record.state is not None or record.version == 0:
            state = record.state or initial_state(programme, record.at)
            origins = [None] * len(state.undo)
            done.steps.append(Step(record, state))
            done.state = state
            continue
        if state is None or record.version != state.version + 1:
            done.problem = f"log record {record.version} does not follow; stopped there"
            return done
        try:
            command = commands.signed(parse_command(record.command), record.actor)
            after = engine.apply(programme, state, command, record.at).state
        except PodiumError as exc:
            done.problem = (
                f"log record {record.version} cannot be replayed ({exc.message}); stopped there"
            )
            return done
        restores = None
        if isinstance(command, Undo):
            restores = origins.pop() if origins else None
        elif not isinstance(command, SendBoothSignal):  # the booth's leaves the stack alone
            before = len(done.steps) - 1 if done.steps else None
            origins = [*origins, before][len(origins) + 1 - len(after.undo) :]
        done.steps.append(Step(record, after, restores))
        done.state = state = after
    return done
