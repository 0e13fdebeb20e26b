"""Live captions: a line a captioner sends (a CART writer or a speech-to-text engine),
its checks, the message every viewer receives, and a session's lines as WebVTT. Pure: the
live layer keeps them (``live/rooms/captions.py``) and the stores make them durable.

A line is ``final`` (the default: the writer committed it) or interim (``final: false``:
a speech-to-text engine's guess, which its next line replaces). Final lines are stored
with the room and make the session's WebVTT file; interim ones are only pushed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from podium.core.errors import InvalidInput
from podium.core.questions import visible

TEXT_MAX = 500  # characters in one line: a caption, not a transcript
LANG_MAX = 35
LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$")  # a BCP 47 tag: zh, en, zh-Hans
CUE_MAX_MS = 6_000  # a WebVTT cue lasts until the next line, and at most this long
CUE_MIN_MS = 500  # a line a moment before the next still shows for this long


class Caption(BaseModel):
    """One line as the stores keep it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    text: str
    lang: str | None = None  # as the captioner said; None: not said
    final: bool = True
    at: int  # epoch ms: when the server took it
    session_id: str | None = None  # the session live then
    speaker_id: str | None = None  # the speaker on then

    def wire(self) -> dict[str, object]:
        """What every viewer's WebSocket receives: ``type`` ``caption``."""
        return {
            "type": "caption",
            "text": self.text,
            "lang": self.lang,
            "final": self.final,
            "at": self.at,
            "speaker_id": self.speaker_id,
        }


def checked_text(text: object) -> str:
    """A line's text, its ends stripped; ``InvalidInput`` when empty or over the limit
    (``TEXT_MAX`` characters, spaces around it not counted)."""
    if not isinstance(text, str):
        raise InvalidInput("text must be a string: the caption line")
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            f"the caption is {len(text)} characters; send at most {TEXT_MAX} per line"
            " (split a long passage into lines as it is spoken)"
        )
    if not visible(text):
        raise InvalidInput("the caption is empty; send the words that were spoken")
    return text


def checked_lang(lang: object) -> str | None:
    if lang is None:
        return None
    if not isinstance(lang, str) or len(lang) > LANG_MAX or not LANG.match(lang):
        raise InvalidInput(f'lang {lang!r} is not a language tag; send e.g. "zh" or "en"')
    return lang


def checked_final(final: object) -> bool:
    if final is None:
        return True
    if not isinstance(final, bool):
        raise InvalidInput("final must be true (a committed line) or false (an interim guess)")
    return final


def timestamp(ms: int) -> str:
    """WebVTT's ``hh:mm:ss.ttt``."""
    seconds, milli = divmod(ms, 1000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}.{milli:03d}"


def _escaped(text: str) -> str:
    """A cue's text as WebVTT text: no markup, no line that could end the cue."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def webvtt(captions: Iterable[Caption], started_at: int, title: str = "") -> str:
    """A session's final lines as a WebVTT file timed from ``started_at`` (the session's
    start, so it lines up with a recording of the session): each cue until the next line,
    at least ``CUE_MIN_MS`` and at most ``CUE_MAX_MS``. Lines from before the start (a
    session started again) are left out."""
    lines = sorted((c for c in captions if c.final and c.at >= started_at), key=lambda c: c.at)
    header = f"WEBVTT - {_escaped(title)}" if title else "WEBVTT"
    out = [header, ""]
    for n, caption in enumerate(lines, 1):
        start = caption.at - started_at
        following = lines[n].at - started_at if n < len(lines) else start + CUE_MAX_MS
        end = max(start + CUE_MIN_MS, min(following, start + CUE_MAX_MS))
        out += [str(n), f"{timestamp(start)} --> {timestamp(end)}", _escaped(caption.text), ""]
    return "\n".join(out) + ("\n" if lines else "")
