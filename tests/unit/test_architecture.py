"""docs/architecture.md against the code: every subpackage and module is drawn, and what
the doc says each subpackage may import is what the import contracts enforce.

``lint-imports`` (run by ``make test``) holds the code to the contracts in pyproject.toml;
this test holds the doc to the same contracts, so neither can drift from the other.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "server" / "podium"
DOC = ROOT / "docs" / "architecture.md"


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def allowed_by_layers() -> dict[str, set[str]]:
    """Each subpackage and the subpackages the layers contract lets it import, less those
    a forbidden contract takes away from it."""
    layers = [
        [name.strip().removeprefix("podium.") for name in re.split(r"[|:]", layer)]
        for layer in contracts()["layers"]["layers"]
    ]
    allowed = {
        package: {below for lower in layers[i + 1 :] for below in lower}
        for i, layer in enumerate(layers)
        for package in layer
    }
    for contract in contracts().values():
        if contract["type"] != "forbidden":
            continue
        for source in contract["source_modules"]:
            forbidden = {m.removeprefix("podium.") for m in contract["forbidden_modules"]}
            allowed[source.removeprefix("podium.")] -= forbidden
    return allowed


def doc_table() -> dict[str, tuple[set[str], str]]:
    """The doc's table rows: subpackage (``live.http`` for ``podium.live.http``) -> (what
    it may import, the row's text)."""
    rows: dict[str, tuple[set[str], str]] = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r"\|\s*`podium\.([\w.]+)`\s*\|(.*)\|(.*)\|\s*$", line)
        if m:
            may_import = set(re.findall(r"`(\w+)`", m.group(3)))
            rows[m.group(1)] = (may_import, m.group(2))
    return rows


def subpackages() -> set[str]:
    """Every subpackage, top level (``live``) and nested (``live.http``)."""
    inits = PACKAGE.glob("*/**/__init__.py")
    return {".".join(init.parent.relative_to(PACKAGE).parts) for init in inits}


def allowed_within() -> dict[str, set[str]]:
    """Each nested subpackage and its siblings the layers contract of its container lets it
    import (``live.http`` -> ``rooms``, ``access``)."""
    allowed: dict[str, set[str]] = {}
    for contract in contracts().values():
        if contract["type"] != "layers" or "containers" not in contract:
            continue
        layers = [[n.strip() for n in re.split(r"[|:]", layer)] for layer in contract["layers"]]
        for container in contract["containers"]:
            prefix = container.removeprefix("podium.")
            for i, layer in enumerate(layers):
                for name in layer:
                    below = {b for lower in layers[i + 1 :] for b in lower}
                    allowed[f"{prefix}.{name}"] = below
    return allowed


def test_every_subpackage_is_in_the_contracts_and_the_doc() -> None:
    top = {name for name in subpackages() if "." not in name}
    assert set(allowed_by_layers()) == top
    assert set(doc_table()) == subpackages()


def test_the_doc_says_what_the_layers_contracts_enforce() -> None:
    table = doc_table()
    for package, allowed in allowed_by_layers().items():
        assert table[package][0] == allowed, f"docs/architecture.md, row of podium.{package}"
    for package, allowed in allowed_within().items():
        if package in table:  # a module in the layers (``live.serve``) has no row
            assert table[package][0] == allowed, f"docs/architecture.md, row of podium.{package}"


def test_every_module_is_drawn_in_its_subpackages_row() -> None:
    table = doc_table()
    for module in PACKAGE.glob("*/**/*.py"):
        if module.name.startswith("__"):
            continue
        row = table[".".join(module.parent.relative_to(PACKAGE).parts)][1]
        assert f"`{module.stem}`" in row, f"{module.relative_to(PACKAGE)} missing from the doc"


def test_the_core_stays_pure_and_nothing_imports_in_a_circle() -> None:
    c = contracts()
    assert c["pure-core"]["source_modules"] == ["podium.core"]
    assert {"asyncio", "aiohttp", "redis"} <= set(c["pure-core"]["forbidden_modules"])
    assert c["acyclic"]["type"] == "acyclic_siblings"
    assert c["acyclic"]["ancestors"] == ["podium"]


def test_the_rooms_know_no_http_server() -> None:
    """``live/rooms`` is what a room does; the HTTP surface over it is ``live/http``. (The
    automations post webhooks with aiohttp's client, which is not its server.)"""
    for module in (PACKAGE / "live" / "rooms").rglob("*.py"):
        text = module.read_text()
        assert "aiohttp import web" not in text and "aiohttp.web" not in text, module.name


def test_every_file_reads_in_one_sitting_and_every_folder_at_a_glance() -> None:
    """The house's sizes: no module over 400 lines (Python and the pages' JS), no folder
    holding more than 16 modules or 2,500 lines directly."""
    folders: dict[Path, list[int]] = {}
    for base, pattern in ((PACKAGE, "*.py"), (ROOT / "web" / "js", "*.js")):
        for module in base.rglob(pattern):
            if module.name == "__init__.py":
                continue
            lines = len(module.read_text(encoding="utf-8").splitlines())
            assert lines <= 400, f"{module.relative_to(ROOT)}: {lines} lines; cut it by concern"
            folders.setdefault(module.parent, []).append(lines)
    for folder, sizes in folders.items():
        where = folder.relative_to(ROOT)
        assert len(sizes) <= 16, f"{where}: {len(sizes)} modules; give a concern its own folder"
        assert sum(sizes) <= 2_500, f"{where}: {sum(sizes)} lines; give a concern its own folder"
