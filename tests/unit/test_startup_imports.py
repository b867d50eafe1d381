"""Start-up guard: help and version must not import the heavy libraries (assert modules, not ms)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY_FOR_ROOT = (
    "httpx",
    "rich",
    "pydantic",
    "prompt_toolkit",
    "mistral_cli.api",
    "mistral_cli.services",
)
HEAVY_FOR_COMMANDS = ("httpx", "rich", "prompt_toolkit", "mistral_cli.api", "mistral_cli.services")


def imported_modules(*argv: str) -> set[str]:
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mistral_cli", *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    assert "mistral_cli.cli" in modules  # the profile really ran
    return modules


def _loaded(modules: set[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


@pytest.mark.parametrize("argv", [("--help",), ("--version",)])
def test_root_help_and_version_stay_light(argv: tuple[str, ...]) -> None:
    assert _loaded(imported_modules(*argv), HEAVY_FOR_ROOT) == []


@pytest.mark.parametrize("command", ["models", "config", "completion"])
def test_subcommand_help_stays_light(command: str) -> None:
    assert _loaded(imported_modules(command, "--help"), HEAVY_FOR_COMMANDS) == []
