"""The store interface. Every store keeps, per room, the latest state (with its version)
and an append-only log of every applied action, and makes a change durable before
``commit`` returns. Rooms above it never know which store they use.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from podium.core.captions import Caption
from podium.core.questions import Done, Question, Status
from podium.core.state import State

COMMAND_IDS_KEPT = 10_000  # per room: the latest command ids a store answers retries for
OUTBOX_KEPT_MS = 24 * 3600 * 1000  # a done batch's key is refused a day: once per turn
PING_FRESH_S = 2.0  # the store is up while it answered a ping this recently


class LogRecord(BaseModel):
    """One applied action, as the log keeps it. ``command`` is the validated command,
    so replaying the log through ``engine.apply`` at ``at`` rebuilds the state exactly.

    A record with ``state`` (and an empty ``command``) is a checkpoint instead: the log has
    a gap before it (a shared store lost data and a server wrote its state back), and a
    replay goes on from that state. Stores write records with ``exclude_none``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    at: int  # epoch ms, the ``now`` the engine was given
    actor: str
    command: dict[str, Any]
    summary: str
    state: State | None = None


@dataclass
class Stored:
    """What a store holds for a room: the last state it has (if any) and the log records
    newer than that state, which the room replays (a crash between the two writes)."""

    state: State | None
    pending: list[LogRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what was found broken and set aside


@dataclass(frozen=True)
class Leased:
    """A pending batch of automation deliveries taken over after its lease lapsed: the
    ``entry`` it was claimed with and the parts already done."""

    key: str
    entry: str
    done: frozenset[str] = frozenset()


@dataclass
class Pulse:
    """The active check of a store (``live/rooms/health.py`` pings it every second): when it
    last answered a ping within ``bound_s``, and why the last ping failed, if it did."""

    bound_s: float
    answered_at: float | None = None  # time.monotonic()
    took_ms: float | None = None
    failure: str | None = None

    def age_s(self, now: float) -> float | None:
        return None if self.answered_at is None else now - self.answered_at

    def problem(self, now: float) -> str | None:
        """None while the last answer is fresh (``PING_FRESH_S``), else what is wrong."""
        age = self.age_s(now)
        if age is not None and age <= PING_FRESH_S:
            return None
        since = "since this process started" if age is None else f"for {age:.1f} s"
        return self.failure or f"no answer to a ping within {self.bound_s:g} s {since}"

    def report(self, now: float) -> dict[str, Any]:
        age = self.age_s(now)
        return {
            "answered_ms_ago": None if age is None else round(age * 1000),
            "took_ms": None if self.took_ms is None else round(self.took_ms, 1),
            "bound_ms": round(self.bound_s * 1000),
            "failure": self.failure,
        }


class Store(ABC):
    """One interface, two stores (``files.FileStore``, ``redis.RedisStore``)."""

    name = "store"
    # set by a room while a call of its has not answered within its bound; cleared when
    # one answers (or a ping does). A store that does not answer is degraded.
    stalled: str | None = None
    # the active check, once a process runs it (``live/rooms/health.py``): health then comes
    # from it too, not only from the calls that happen to be made
    pulse: Pulse | None = None

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Connect or prepare; called once before the first room loads."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""

    @abstractmethod
    async def load(self, room: str) -> Stored:
        """The room's stored state and any log records newer than it."""

    @abstractmethod
    async def create(self, state: State, record: LogRecord) -> State:
        """Store a room's first state unless one exists; return the one that is stored."""

    @abstractmethod
    async def commit(
        self, state: State, record: LogRecord, meanwhile: Callable[[], None] | None = None
    ) -> None:
        """Make ``state`` (version N) and its log record durable, only if the stored
        version is N - 1. Raises ``Conflict`` when another writer got there first and
        ``Unavailable`` when it cannot be made durable; then nothing has changed. When the
        record's command has a ``command_id`` the store applied before (one of the room's
        last ``COMMAND_IDS_KEPT``), raises ``AlreadyApplied`` and changes nothing.

        ``meanwhile``: the caller's work that does not wait for the write (the room builds
        the change's frames), run on the loop while the write is on its way, at most once;
        a commit refused before it writes may not run it. It is never told the outcome."""

    @abstractmethod
    async def made_by(self, room: str, command_id: str) -> int | None:
        """The version the command with this ``command_id`` made, if it is one of the
        room's last ``COMMAND_IDS_KEPT`` (the room must have been loaded)."""

    @abstractmethod
    async def repair(self, state: State) -> None:
        """Write back a state rebuilt by replaying the log (its records are stored
        already), or one a process holds when the store lost it; never an older one."""

    @abstractmethod
    async def read_log(self, room: str) -> list[LogRecord]:
        """Every record of the room's action log, oldest first."""

    # -- automations: each batch of deliveries leased to the process that sends it --------
    # (``live/rooms/outbound/automations.py``). A lease is short and renewed while its
    # holder works on the batch; one that lapses (its holder was killed or hangs) is taken
    # over by the next caller of ``lapsed``, in any process sharing the store or in the
    # restarted one.

    @abstractmethod
    async def claim(self, room: str, key: str, entry: str, lease_ms: int) -> bool:
        """Keep ``entry`` (a batch of deliveries, opaque here) under ``key`` and lease it to
        this store's caller for ``lease_ms``: True for the first caller, in any process
        sharing the store, to claim ``key``; False for every later one, while the batch is
        pending and for ``OUTBOX_KEPT_MS`` after it is done. Raises ``Unavailable`` when the
        store cannot be asked."""

    @abstractmethod
    async def renew(self, room: str, keys: list[str], lease_ms: int) -> set[str]:
        """Extend this caller's leases on ``keys`` to ``lease_ms`` from now (0 lets them go
        at once); returns the keys it still holds: not one another caller took over."""

    @abstractmethod
    async def done_part(self, room: str, key: str, part: str) -> None:
        """One part of a batch is done (delivered, or given up): a takeover skips it."""

    @abstractmethod
    async def done(self, room: str, key: str) -> None:
        """The whole batch is done: it is never taken over, and ``claim`` refuses its key
        for ``OUTBOX_KEPT_MS``."""

    @abstractmethod
    async def lapsed(self, room: str, lease_ms: int, limit: int) -> list[Leased]:
        """At most ``limit`` pending batches whose lease lapsed (their holder stopped or
        hangs; with the file store, every batch a previous run left pending), each now
        leased to this caller for ``lease_ms``."""

    @abstractmethod
    async def ping(self) -> None:
        """Answer now, or raise ``Unavailable``: the active health check
        (``live/rooms/health.py``) calls it every second, bounded in time."""

    # -- questions from the audience: durable before each call returns ------------------

    @abstractmethod
    async def load_questions(self, room: str) -> list[Question]:
        """Every question of the room, with its votes, oldest first."""

    @abstractmethod
    async def add_question(
        self, room: str, question: Question, command_id: str | None = None
    ) -> Question:
        """Store a new question (its id is new) and return it; with a ``command_id`` the
        room's last ``COMMAND_IDS_KEPT`` asks, votes and moves hold, the question that one
        asked instead (nothing stored). Every question write with a ``command_id`` is
        remembered with what it did (``questions.Done``) and a repeat answered so;
        ``InvalidInput`` when the id named another kind of write or another question."""

    @abstractmethod
    async def set_question_status(
        self,
        room: str,
        question_id: str,
        was: Status,
        status: Status,
        at: int,
        command_id: str | None = None,
    ) -> Question:
        """Move a question from ``was`` to ``status``; ``Conflict`` (changing nothing) when
        it is no longer ``was``, ``NotFound`` when there is no such question. A repeated
        ``command_id``: the question as it is now."""

    @abstractmethod
    async def vote(
        self, room: str, question_id: str, voter: str, command_id: str | None = None
    ) -> Question | None:
        """Count ``voter``'s vote once: the question as it is now, or ``None`` when this
        voter had voted for it already. ``InvalidTransition`` unless it is approved and
        not the voter's own (``Question.asker``), ``NotFound`` when there is no such
        question. A repeated ``command_id``: the first one's answer."""

    @abstractmethod
    async def get_question(self, room: str, question_id: str) -> Question | None:
        """One question as stored now (another process may have asked it moments ago)."""

    @abstractmethod
    async def question_done(self, room: str, command_id: str) -> Done | None:
        """What the question write named ``command_id`` did, if it is remembered."""

    # -- live captions: a final line is durable before the call returns ------------------

    @abstractmethod
    async def add_caption(self, room: str, caption: Caption) -> None:
        """Keep a caption line (the room keeps final lines only), after those before it."""

    @abstractmethod
    async def load_captions(self, room: str) -> list[Caption]:
        """Every caption line kept for the room, in the order they were kept."""

    def question_changes(self, room: str) -> AsyncIterator[list[Question]] | None:
        """Questions other processes changed (after a reconnect: all of them), for stores
        that several processes share."""
        return None

    def changes(self, room: str) -> AsyncIterator[State] | None:
        """States written by other processes, for stores that several processes share."""
        return None

    async def tell(self, room: str, topic: str, data: str) -> None:  # noqa: B027 - optional
        """A passing notice (not stored) for the other processes sharing this store."""

    def told(self, room: str, topic: str) -> AsyncIterator[str] | None:
        """The notices other processes ``tell`` on ``topic``, for stores several share."""
        return None

    def unheard(self) -> str | None:
        """Why this process may not hear the changes other processes make, if it may not
        (a shared store's follower lost its connection)."""
        return None

    def health(self) -> dict[str, Any]:
        return self.reported({"store": self.name, "status": "ok"}, None)

    def problem(self, failing: str | None) -> dict[str, Any] | None:
        """The degraded health for a store that stalls, fails (``failing``) or does not
        answer its pings, else None."""
        now = time.monotonic()
        late = self.pulse.problem(now) if self.pulse is not None else None
        detail = late or self.stalled or failing or self.unheard()
        return {"store": self.name, "status": "degraded", "detail": detail} if detail else None

    def reported(self, healthy: dict[str, Any], failing: str | None) -> dict[str, Any]:
        """``healthy`` or the degraded report, with the last ping's figures."""
        report = self.problem(failing) or healthy
        if self.pulse is not None:
            report["ping"] = self.pulse.report(time.monotonic())
        return report


def command_id_of(record: LogRecord) -> str | None:
    value = record.command.get("command_id")
    return value if isinstance(value, str) else None
