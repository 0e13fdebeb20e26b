"""Where the secrets live: each role's token, the speaker-link key and the voter key, by
name (``questions.token``). A ``Keeper`` reads them from a copy it holds, so a check never
waits for a disk or a network; ``refresh`` reads them again (the token watch, every
``poll_s``), ``settle`` makes the ones made here known to the others.

``FileKeeper`` is the data dir (the file store's, and the default): a file per secret,
made on first start, replaced atomically by ``podium token rotate``. Processes sharing a
Redis use ``store.secrets.SharedSecrets`` instead, one copy for them all.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Keeper(Protocol):
    poll_s: float  # how often the token watch calls ``refresh``

    def read(self, name: str) -> str | None: ...

    def kept(self, name: str) -> str:
        """The secret ``name``, made (and kept) the first time it is asked for."""
        ...

    def where(self, name: str) -> str:
        """Where an operator finds ``name`` (for the start banner)."""
        ...

    async def write(self, name: str, token: str) -> None:
        """Replace ``name`` (a rotation): every process using this keeper adopts it."""
        ...

    async def refresh(self) -> None: ...

    async def settle(self) -> None: ...

    async def close(self) -> None: ...


def write_token(path: Path, token: str) -> None:
    """Replace a token file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def read_token(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


@dataclass
class FileKeeper:
    """A file per secret in the data dir, read afresh each time (the files are small)."""

    data_dir: Path
    poll_s: float = 1.0

    def read(self, name: str) -> str | None:
        return read_token(self.data_dir / name)

    def kept(self, name: str) -> str:
        token = self.read(name)
        if token is None:
            token = new_token()
            write_token(self.data_dir / name, token)
        return token

    async def write(self, name: str, token: str) -> None:
        write_token(self.data_dir / name, token)

    def where(self, name: str) -> str:
        return str((self.data_dir / name).resolve())

    async def refresh(self) -> None:
        """Nothing to do: ``read`` reads the file."""

    async def settle(self) -> None:
        """Nothing to do: ``kept`` wrote the file."""

    async def close(self) -> None:
        """Nothing to close."""
