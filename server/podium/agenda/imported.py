"""What an agenda import returns: the programme mapping and the notes on what to check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Note:
    """Something the importer could not read, or that contradicts itself."""

    line: int  # 1-based line of a text agenda, or row of a spreadsheet
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Imported:
    """A programme mapping (what ``programme_file.parse`` takes) and what to check in it."""

    data: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    guessed: set[str] = field(default_factory=set)  # sessions whose length was guessed
