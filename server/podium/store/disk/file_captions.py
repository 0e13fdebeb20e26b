"""The file store's live captions: ``DATA/ROOM/captions.jsonl``, one final line a caption,
appended durably (``appender.py``: lines that come together share one write and fsync) and
read back in the order they were kept."""

from __future__ import annotations

import logging

from pydantic import ValidationError

from podium.core.captions import Caption
from podium.store.disk.appender import Appender

log = logging.getLogger("podium.store")
CAPTIONS_FILE = "captions.jsonl"


class CaptionFile(Appender):
    """One room's ``captions.jsonl``."""

    async def add(self, caption: Caption) -> None:
        """``caption`` written and fsynced; ``OSError`` when not."""
        await self.append(caption.model_dump_json(exclude_none=True).encode() + b"\n")

    def load_sync(self) -> list[Caption]:
        """Every line kept, oldest first; a line a power cut tore (never acknowledged) is
        skipped with a warning."""
        kept = []
        lines = self.path.read_bytes().split(b"\n") if self.path.exists() else []
        for number, line in enumerate(lines, 1):
            try:
                if line.strip():
                    kept.append(Caption.model_validate_json(line))
            except ValidationError:
                log.warning("%s: line %d is not a caption; skipped it", self.path, number)
        return kept
