"""The languages in the room: ``event.languages`` (the first is the default floor language),
each speaker's ``language``, ``materials`` and ``script``, and ``[interpretation]`` (how
often the interpreters in a booth take turns).

A script is a text or Markdown file beside the programme, at most 1 MiB of UTF-8, inside
the programme's folder: reading it to check that is the only I/O here. The programme keeps
its path; the server reads the text when someone who may see it asks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from podium.core.config.files import beside
from podium.core.config.values import DurationMs

LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
DEFAULT_LANGUAGES = ("en",)
SCRIPT_MAX_BYTES = 1024 * 1024
SCRIPT_TYPES = {".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain"}
HANDOVER_MS = 30 * 60_000
MATERIAL_TITLE_MAX = 200


def _language(value: str) -> str:
    if not re.fullmatch(LANGUAGE_PATTERN, value):
        raise ValueError(
            f"{value[:40]!r} is not a language tag; write it like 'zh', 'en' or 'pt-BR'"
        )
    return value


Language = Annotated[
    str,
    AfterValidator(_language),
    Field(description="a language tag such as 'zh', 'en' or 'fr' (BCP 47)"),
]


def _web_address(value: str) -> str:
    """Only http(s): a material is a link on the booth's page, never ``javascript:``."""
    if not value.startswith(("https://", "http://")) or len(value) > 2000:
        raise ValueError(
            f"{value[:80]!r} is not a web address; give the material as an http:// or"
            " https:// link (at most 2000 characters)"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Material(_Strict):
    """A speaker's slides, paper or glossary: ``{ title = "...", url = "..." }``."""

    title: str = Field(min_length=1, max_length=MATERIAL_TITLE_MAX)
    url: Annotated[str, AfterValidator(_web_address)] = Field(
        description="an http:// or https:// link the booth opens in one click"
    )


class Interpretation(_Strict):
    """``[interpretation]``: interpreters in a booth take turns every ``handover``."""

    handover: DurationMs = Field(default=HANDOVER_MS, gt=0, le=24 * 3_600_000)


def unique_languages(value: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(value)) != len(value):
        raise ValueError("a language is listed twice; list each of the meeting's languages once")
    return value


Languages = Annotated[
    tuple[Language, ...],
    Field(min_length=1, max_length=20),
    AfterValidator(unique_languages),
]


def floor_language(
    written: str | None, languages: tuple[str, ...], where: str, problems: list[str]
) -> str:
    """A speaker's floor language: as written (one of the event's), else the default."""
    if written is None:
        return languages[0]
    if written not in languages:
        problems.append(
            f"{where}.language: {written!r} is not one of the meeting's languages"
            f" ({', '.join(languages)}); use one of them or add it to event.languages"
        )
    return written


def script_file(base: Path, written: str, where: str, problems: list[str]) -> Path | None:
    """A speaker's script, found beside the programme and checked, or ``None`` with the
    problem added: missing, not .md or .txt, over 1 MiB, not UTF-8, or outside the folder
    (the booth and the speaker read it; nothing else on the disk may be served so)."""
    where = f"{where}.script"
    why = "a script is served to the booth and its speaker"
    path = beside(base, written, where, why, "scripts/speech.md", problems)
    if path is None:
        return None
    problem = _script_problem(path, written)
    if problem:
        problems.append(f"{where}: {problem}")
        return None
    return path


def _script_problem(path: Path, written: str) -> str | None:
    if path.suffix.lower() not in SCRIPT_TYPES:
        return f"{written!r} is not a text or Markdown file; give the script as .md or .txt"
    try:
        size = path.stat().st_size
        if size > SCRIPT_MAX_BYTES:
            return f"the script is {size // 1024} KiB; make it at most 1 MiB (1024 KiB)"
        path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return f"no script at {path}; put the file there (beside the programme) or fix the path"
    except IsADirectoryError:
        return f"{path} is a folder; name the script file in it"
    except OSError as exc:
        return f"cannot read the script {path} ({exc.strerror}); check the file"
    except UnicodeDecodeError:
        return f"{written!r} is not UTF-8 text; save it as UTF-8"
    return None
