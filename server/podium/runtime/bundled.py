"""The files that travel with the package, read with ``importlib.resources``: the pages
(``web``) and the seed event (``seed``: the programme, its logo, the sample agenda). In a
checkout ``server/podium/web`` and ``server/podium/seed`` link to ``web/`` and ``config/``
(so an editable install serves the files being edited); a wheel carries copies."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SEED_PROGRAMME = "itu-miit-2021.toml"


def bundled(name: str) -> Path:
    """The package's data folder ``name`` on the file system (an install from a zip file
    is not supported: the pages are served from disk)."""
    return Path(str(resources.files("podium").joinpath(name)))


def web_dir() -> Path:
    return bundled("web")


def seed_programme() -> Path:
    return bundled("seed") / SEED_PROGRAMME
