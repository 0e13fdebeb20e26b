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
    """The doc's table rows: subpackage -> (what it may import, the row's text)."""
    rows: dict[str, tuple[set[str], str]] = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r"\|\s*`podium\.(\w+)`\s*\|(.*)\|(.*)\|\s*$", line)
        if m:
            may_import = set(re.findall(r"`(\w+)`", m.group(3)))
            rows[m.group(1)] = (may_import, m.group(2))
    return rows


def test_every_subpackage_is_in_the_contracts_and_the_doc() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert set(allowed_by_layers()) == packages
    assert set(doc_table()) == packages


def test_the_doc_says_what_the_layers_contract_enforces() -> None:
    table = doc_table()
    for package, allowed in allowed_by_layers().items():
        assert table[package][0] == allowed, f"docs/architecture.md, row of podium.{package}"


def test_every_module_is_drawn_in_its_subpackages_row() -> None:
    table = doc_table()
    for module in PACKAGE.glob("*/*.py"):
        if module.name.startswith("__"):
            continue
        row = table[module.parent.name][1]
        assert f"`{module.stem}`" in row, f"{module.relative_to(PACKAGE)} missing from the doc"


def test_the_core_stays_pure_and_nothing_imports_in_a_circle() -> None:
    c = contracts()
    assert c["pure-core"]["source_modules"] == ["podium.core"]
    assert {"asyncio", "aiohttp", "redis"} <= set(c["pure-core"]["forbidden_modules"])
    assert c["acyclic"]["type"] == "acyclic_siblings"
    assert c["acyclic"]["ancestors"] == ["podium"]
