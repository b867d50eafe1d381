"""Start-up guard: help and version must not import the heavy libraries (assert modules, not ms)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY_FOR_ROOT = (
    "httpx",
    "rich",
    "pydantic",
    "prompt_toolkit",
    "mistral_cli.api",
    "mistral_cli.services",
    "importlib.metadata",  # an entry-point scan (pydantic plugins, a version lookup)
)
HEAVY_FOR_COMMANDS = (
    "httpx",
    "rich",
    "prompt_toolkit",
    "mistral_cli.api",
    "mistral_cli.services",
    "importlib.metadata",
)


def imported_modules(*argv: str, via_typer: bool = True) -> set[str]:
    """Modules imported by one run; via_typer bypasses the pre-rendered help pages."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    program = (
        ["-c", f"import sys; from mistral_cli.cli import main; sys.exit(main({list(argv)!r}))"]
        if via_typer
        else ["-m", "mistral_cli", *argv]
    )
    done = subprocess.run(
        [sys.executable, *program],
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
    assert ("mistral_cli.cli" if via_typer else "mistral_cli.launch") in modules  # it really ran
    return modules


def _loaded(modules: set[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


@pytest.mark.parametrize("argv", [("--help",), ("--version",)])
def test_root_help_and_version_stay_light(argv: tuple[str, ...]) -> None:
    assert _loaded(imported_modules(*argv), HEAVY_FOR_ROOT) == []


@pytest.mark.parametrize("argv", [("--help",), ("models", "list", "--help"), ("-h",)])
def test_a_cached_help_page_does_not_even_import_typer(argv: tuple[str, ...]) -> None:
    first = imported_modules(*argv, via_typer=False)  # renders the page and keeps it
    assert "typer" in first
    assert _loaded(first, HEAVY_FOR_COMMANDS) == []
    again = imported_modules(*argv, via_typer=False)
    assert _loaded(again, ("typer", "click", *HEAVY_FOR_ROOT)) == []


def test_version_does_not_even_import_typer() -> None:
    modules = imported_modules("--version", via_typer=False)
    assert _loaded(modules, ("typer", "click", *HEAVY_FOR_ROOT)) == []


@pytest.mark.parametrize(
    "command",
    [
        "models",
        "config",
        "completion",
        "chat",
        "conversations",
        "finetune",
        "files",
        "embed",
        "batch",
        "tokens",
        "usage",
    ],
)
def test_subcommand_help_stays_light(command: str) -> None:
    assert _loaded(imported_modules(command, "--help"), HEAVY_FOR_COMMANDS) == []


def test_api_commands_skip_httpx_own_command_line(tmp_path: Path) -> None:
    """launch.py keeps `import httpx` from loading httpx's CLI (click, rich, pygments): ~0.1 s."""
    env = {
        **os.environ,
        "PYTHONPROFILEIMPORTTIME": "1",
        "MISTRAL_API_KEY": "sk-test",
        "MISTRAL_BASE_URL": "http://127.0.0.1:9",  # discard port: refused at once
        "MISTRAL_MAX_RETRIES": "0",
        "MISTRAL_CONFIG_DIR": str(tmp_path / "config"),
        "MISTRAL_CACHE_DIR": str(tmp_path / "cache"),
        "MISTRAL_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mistral_cli", "models", "list"],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "httpx" in modules, done.stderr[-2000:]  # it really got as far as the network
    assert _loaded(modules, ("click", "rich", "pygments")) == []


def test_cached_commands_need_no_http_pydantic_or_rich(tmp_path: Path, fake_server: Any) -> None:
    """A warm `models list`, `conversations list`, `config show`, `usage`: local work only."""
    env = {
        **os.environ,
        "MISTRAL_API_KEY": fake_server.fake.api_key,
        "MISTRAL_BASE_URL": fake_server.base_url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "mistral_cli", "chat", "-m", "mistral-small", "hi"],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr  # the model cache and one saved conversation
    sent = len(fake_server.fake.requests)
    for argv in (["models", "list"], ["conversations", "list"], ["config", "show"], ["usage"]):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "mistral_cli", *argv],
            capture_output=True, text=True, env=env, check=False, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        modules = {
            line.rsplit("|", 1)[1].strip()
            for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line
        }
        assert "mistral_cli.cli" in modules
        heavy = ("httpx", "pydantic", "rich", "prompt_toolkit", "mistral_cli.api")
        heavy += ("importlib.metadata",)  # no entry-point scans (pydantic's plugin lookup)
        light = {"mistral_cli.api", "mistral_cli.api.values"}  # plain readers of JSON values
        assert _loaded(modules - light, heavy) == [], argv
    assert len(fake_server.fake.requests) == sent
