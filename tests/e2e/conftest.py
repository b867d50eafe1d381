"""E2E helpers: run the installed `mistral` with an environment built from scratch."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.fakes.server import FakeServer

Run = Callable[..., subprocess.CompletedProcess[str]]


@functools.cache
def mistral_executable() -> str:
    """The installed `mistral`: on PATH, else beside this Python (a venv not activated).

    Missing is a failure, never a skip: CI installs it, and a stale copy elsewhere must not
    stand in for the code under test.
    """
    beside = str(Path(sys.executable).parent)
    found = shutil.which("mistral") or shutil.which("mistral", path=beside)
    if found is None:
        pytest.fail(
            f"the `mistral` executable is not on PATH nor in {beside}: "
            "install the package first (pip install -e '.[dev]')",
            pytrace=False,
        )
    return found


def search_path() -> str:
    """PATH for a child: the folder of the `mistral` under test, then the system default."""
    return str(Path(mistral_executable()).parent) + os.pathsep + os.defpath


def base_env(tmp_path: Path, server: FakeServer | None, key: str | None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
        "MISTRAL_CONFIG_DIR": str(tmp_path / "home" / "config"),
        "MISTRAL_CACHE_DIR": str(tmp_path / "home" / "cache"),
        "MISTRAL_DATA_DIR": str(tmp_path / "home" / "data"),
        "MISTRAL_MAX_RETRIES": "2",
    }
    if server is not None:
        env["MISTRAL_BASE_URL"] = server.base_url
    if key is not None:
        env["MISTRAL_API_KEY"] = key
    return env


@pytest.fixture
def run_mistral(tmp_path: Path) -> Run:
    """run_mistral(*argv, server=..., key=..., env={...}, input=..., cwd=...)."""
    exe = mistral_executable()
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)

    def run(
        *argv: str,
        server: FakeServer | None = None,
        key: str | None = None,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        full = base_env(tmp_path, server, key)
        full.update(env or {})
        return subprocess.run(
            [exe, *argv],
            capture_output=True,
            text=True,
            env=full,
            input=input if input is not None else "",
            cwd=cwd or work,
            timeout=timeout,
            check=False,
        )

    return run
