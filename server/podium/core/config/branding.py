"""An event's own look: ``[event.branding]`` in a programme file (a logo next to the file,
a primary and an accent colour), its checks, and the WCAG contrast of its colours on the
pages that use them.

A missing logo, a logo that is not SVG or PNG, or a colour that is not CSS hex is a
problem (the programme does not load). A colour too faint against what it is used on is a
warning: ``podium check`` and ``podium serve`` say so, with the ratio and the page, and the
event still runs. Reading the logo's first bytes is the only I/O here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from podium.core.config.files import beside

AA_TEXT = 4.5  # WCAG 2.x, 1.4.3: normal text against its background
MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

# Where each colour is used: (colour, page, what it is used as, the colour it meets).
# A colour behind white text meets white, as text on a white page does; the ratio is the
# same either way. Bars, strips and outlines are not text and are not listed.
USES: tuple[tuple[str, str, str, str], ...] = (
    ("primary", "console", "the top bar, behind white text", "#ffffff"),
    ("accent", "console", "the primary buttons, behind white text", "#ffffff"),
    ("primary", "viewer", "the header, behind white text", "#ffffff"),
    ("accent", "viewer", "headings, times and the live badge on the page (#f4f6f9)", "#f4f6f9"),
    ("primary", "screen", "the top band, behind white text", "#ffffff"),
    ("primary", "overlay", "the lower third's name panel, behind white text", "#ffffff"),
    ("primary", "speaker", "the top bar, behind white text", "#ffffff"),
    ("accent", "speaker", "the primary buttons, behind white text", "#ffffff"),
    ("primary", "report", "the title on the white page", "#ffffff"),
)


def _hex(value: str) -> str:
    """``#1D4ED8`` or ``#14d`` -> ``#1d4ed8``."""
    if not _HEX.fullmatch(value):
        raise ValueError(f"{value!r} is not a CSS hex colour; write it like '#1d4ed8'")
    digits = value[1:].lower()
    return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))


Colour = Annotated[str, AfterValidator(_hex)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class BrandingEntry(Strict):
    """``[event.branding]`` as written."""

    logo: str = Field(min_length=1, description="an SVG or PNG file, relative to this file")
    primary: Colour = Field(description='CSS hex, e.g. "#1d4ed8"')
    accent: Colour = Field(description='CSS hex, e.g. "#b45309"')


class Branding(Strict):
    """The resolved look: the logo's file and type, the two colours."""

    logo_path: Path
    logo_type: str
    primary: str
    accent: str

    def public_dict(self, event_id: str) -> dict[str, str]:
        """What ``/api/programme`` says under ``branding``."""
        return {"logo": logo_url(event_id, self), "primary": self.primary, "accent": self.accent}


def logo_url(event_id: str, branding: Branding) -> str:
    return f"/branding/{event_id}/logo{branding.logo_path.suffix.lower()}"


def _logo_problem(path: Path, written: str) -> str | None:
    suffix = path.suffix.lower()
    if suffix not in LOGO_TYPES:
        return f"{written!r} is not an SVG or PNG file; give the logo as a .svg or .png"
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(1024)
    except FileNotFoundError:
        return f"no logo at {path}; put the file there (next to the programme) or fix the path"
    except OSError as exc:
        return f"cannot read the logo {path} ({exc.strerror}); check the file"
    if size > MAX_LOGO_BYTES:
        return f"the logo is {size // 1024} KiB; make it smaller than {MAX_LOGO_BYTES // 1024} KiB"
    if suffix == ".png" and not head.startswith(PNG_SIGNATURE):
        return f"{written!r} is not a PNG image (its first bytes are not PNG's); export it again"
    if suffix == ".svg" and b"<svg" not in head:
        return f"{written!r} is not an SVG image (no <svg near its start); export it again"
    return None


def resolve(entry: BrandingEntry, base: Path, problems: list[str]) -> Branding | None:
    """The branding with its logo found next to the programme file (``base``), or ``None``
    with the problem added. The logo must stay inside ``base``: an absolute path, ``..``
    or a symbolic link that leads out is refused (the file is served to anyone)."""
    where = "event.branding.logo"
    path = beside(base, entry.logo, where, "the logo is served to anyone", "logo.svg", problems)
    if path is None:
        return None
    problem = _logo_problem(path, entry.logo)
    if problem:
        problems.append(f"{where}: {problem}")
        return None
    return Branding(
        logo_path=path,
        logo_type=LOGO_TYPES[path.suffix.lower()],
        primary=entry.primary,
        accent=entry.accent,
    )


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.x)."""

    def channel(byte: int) -> float:
        c = byte / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast_warnings(branding: Branding | None) -> list[str]:
    """One line per use of a colour under AA's 4.5:1, with the ratio and the page."""
    if branding is None:
        return []
    out = []
    for key, page, what, against in USES:
        colour = getattr(branding, key)
        ratio = contrast(colour, against)
        if ratio < AA_TEXT:
            out.append(
                f"event.branding.{key}: {colour} has a contrast of {ratio:.2f}:1 against"
                f" {against} on the {page} page ({what}), under WCAG AA's {AA_TEXT}:1; pick a"
                f" {'darker' if luminance(against) > luminance(colour) else 'lighter'} colour"
            )
    return out
