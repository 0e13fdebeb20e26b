"""Files a programme names beside itself (the event's logo, a speaker's script): found
relative to the programme file's folder and kept inside it. Only paths are looked at here;
what each file must hold is its own module's check."""

from __future__ import annotations

from pathlib import Path


def beside(
    base: Path, written: str, where: str, why: str, example: str, problems: list[str]
) -> Path | None:
    """The file ``written`` names, resolved in the programme's folder ``base``, or ``None``
    with the problem added. An absolute path, ``..`` or a symbolic link that leads out is
    refused; ``why`` says why it must stay in (e.g. "the logo is served to anyone"),
    ``example`` is a path to suggest."""
    path = Path(written)
    if path.is_absolute():
        problems.append(f"{where}: {written!r} is absolute; give the path relative to the"
                        f" programme file, e.g. {example!r}")  # fmt: skip
        return None
    folder = base.resolve()
    found = (folder / path).resolve()
    if not found.is_relative_to(folder):  # ``..``, or a link that leads out
        problems.append(f"{where}: {written!r} leads outside the programme's folder"
                        f" ({folder}); {why}, so it must be a file in that folder or one"
                        " inside it: copy it there and name it relative to the programme"
                        f" file, e.g. {example!r}")  # fmt: skip
        return None
    return found
