"""The import-linter contracts keep covering the package as it grows."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import Any

import mistral_cli.commands

ROOT = Path(__file__).resolve().parents[2]


def contract(name_start: str) -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = [
        c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith(name_start)
    ]
    assert len(found) == 1, name_start
    return found[0]


def test_every_noun_is_in_the_independence_contract() -> None:
    """A new `commands/<noun>` must be declared independent of the others."""
    nouns = {
        f"mistral_cli.commands.{module.name}"
        for module in pkgutil.iter_modules(mistral_cli.commands.__path__)
        if not module.name.startswith("_")
    }
    assert set(contract("Each noun under commands stands alone")["modules"]) == nouns


def test_every_shared_command_module_has_a_layer() -> None:
    """An underscore module under commands/ is placed in the layers of the shared modules."""
    helpers = {
        module.name
        for module in pkgutil.iter_modules(mistral_cli.commands.__path__)
        if module.name.startswith("_")
    }
    layers = contract("Shared command modules")["layers"]
    declared = {name.strip() for layer in layers for name in layer.split("|")}
    assert declared == helpers


def test_the_whole_package_is_checked_for_cycles() -> None:
    assert contract("No import cycles")["ancestors"] == ["mistral_cli"]
