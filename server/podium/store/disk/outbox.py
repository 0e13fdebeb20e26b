"""The file store's outbox of automation deliveries (``Store.claim`` and the calls after
it), one file per room: ``DATA/ROOM/outbox.jsonl``, a JSON line per step.

- ``{"claim": KEY, "entry": ENTRY}``: a batch claimed (fsynced before ``claim`` returns,
  so a batch claimed survives a crash of the process or of the machine);
- ``{"part": KEY, "id": PART}``: one of its parts delivered or given up;
- ``{"done": KEY, "at": MS}``: the whole batch done.

One server per data dir (``runtime/datalock.py``): leases live in this process only. The file
is read at the first use after a start; every batch it holds pending then is lapsed (the
process that held it is gone) and ``lapsed`` hands it out again, without the parts done.
The file is then rewritten with only what is pending and the keys done in the last day
(``OUTBOX_KEPT_MS``), and again whenever it has grown by ``REWRITE_AFTER`` lines. A line
a crash cut short is skipped; the part or batch it marked is sent again (at least once).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podium.store.base import OUTBOX_KEPT_MS, Leased

log = logging.getLogger("podium.store")

OUTBOX_FILE = "outbox.jsonl"
KEYS_KEPT = 10_000  # done keys remembered (the oldest go first), within OUTBOX_KEPT_MS
REWRITE_AFTER = 10_000  # lines appended since the file was last rewritten


def _line(step: dict[str, Any]) -> bytes:
    return json.dumps(step, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass
class Pending:
    entry: str
    until: int  # the lease's end, epoch ms; 0: lapsed
    done: set[str] = field(default_factory=set)


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending: dict[str, Pending] = {}
        self.sent: dict[str, int] = {}  # key -> done at (epoch ms), oldest first
        self._loaded = False
        self._appended = 0
        self._lock = threading.Lock()  # the sync calls run in threads

    # -- reading, at the first use ------------------------------------------------------------

    def load_sync(self) -> None:
        with self._lock:
            if self._loaded:
                return
            try:
                lines = self.path.read_bytes().split(b"\n")
            except FileNotFoundError:
                lines = []
            for number, line in enumerate(lines, 1):
                if line.strip():
                    self._replay(line, number)
            self._forget(time.time_ns() // 1_000_000)
            if lines:
                self._rewrite()
            self._loaded = True

    def _replay(self, line: bytes, number: int) -> None:
        try:
            step = json.loads(line)
            if "claim" in step:
                key = str(step["claim"])
                if key not in self.sent:
                    self.pending[key] = Pending(str(step["entry"]), 0)
            elif "part" in step:
                if (found := self.pending.get(str(step["part"]))) is not None:
                    found.done.add(str(step["id"]))
            elif "done" in step:
                key = str(step["done"])
                self.pending.pop(key, None)
                self.sent[key] = int(step["at"])
            else:
                raise ValueError("no step")
        except (ValueError, KeyError, TypeError):
            log.warning("%s: line %d is not an outbox step; skipped it", self.path, number)

    # -- the calls of ``FileStore`` -------------------------------------------------------------

    def claim_sync(self, key: str, entry: str, now: int, until: int) -> bool:
        with self._lock:
            self._forget(now)
            if key in self.pending or key in self.sent:
                return False
            self._append({"claim": key, "entry": entry}, durable=True)
            self.pending[key] = Pending(entry, until)
            return True

    def renew(self, keys: list[str], until: int) -> set[str]:
        with self._lock:
            held = set()
            for key in keys:
                if (found := self.pending.get(key)) is not None:
                    found.until = until
                    held.add(key)
            return held

    def done_part_sync(self, key: str, part: str) -> None:
        with self._lock:
            found = self.pending.get(key)
            if found is None or part in found.done:
                return
            self._append({"part": key, "id": part})
            found.done.add(part)

    def done_sync(self, key: str, now: int) -> None:
        with self._lock:
            if key in self.sent:
                return
            self._append({"done": key, "at": now})
            self.pending.pop(key, None)
            self.sent[key] = now
            if self._appended >= REWRITE_AFTER:
                self._rewrite()

    def take_lapsed(self, now: int, until: int, limit: int) -> list[Leased]:
        with self._lock:
            taken = []
            for key, found in self.pending.items():
                if len(taken) >= limit:
                    break
                if found.until <= now:
                    found.until = until
                    taken.append(Leased(key, found.entry, frozenset(found.done)))
            return taken

    # -- writing ------------------------------------------------------------------------------

    def _forget(self, now: int) -> None:
        """Done keys older than a day, or past ``KEYS_KEPT``, are forgotten."""
        while self.sent and (
            next(iter(self.sent.values())) <= now - OUTBOX_KEPT_MS or len(self.sent) > KEYS_KEPT
        ):
            del self.sent[next(iter(self.sent))]

    def _append(self, step: dict[str, Any], durable: bool = False) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _write_all(fd, _line(step))
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        self._appended += 1

    def _rewrite(self) -> None:
        """The file again, with only what is pending and the keys done lately."""
        steps: list[dict[str, Any]] = [{"done": k, "at": at} for k, at in self.sent.items()]
        for key, found in self.pending.items():
            steps.append({"claim": key, "entry": found.entry})
            steps += [{"part": key, "id": part} for part in sorted(found.done)]
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(fd, b"".join(_line(step) for step in steps))
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        self._appended = 0
