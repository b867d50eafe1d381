"""One-shot chat against the loopback fake: what it imports (assert modules, not milliseconds).

With the model list cached, a plain `mistral chat` builds no pydantic model (nor imports
pydantic) and checks nothing with jsonschema; plain flag values are checked against the spec
without the library; a complex --param value is checked with it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import base_env
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.e2e
HEAVY = ("pydantic", "jsonschema", "mistral_cli.api.schemas", "rich", "prompt_toolkit")


def imported(env: dict[str, str], *argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mistral_cli", "chat", *argv, "hi"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "Echo: hi\n"), done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.fixture
def env(fake: FakeMistral, fake_server: FakeServer, tmp_path: Path) -> dict[str, str]:
    environ = {**base_env(tmp_path, fake_server, fake.api_key), "MISTRAL_NO_SAVE": "1"}
    imported(environ, "-m", "mistral-small-latest")  # fills the model cache
    return environ


def test_plain_one_shot_chat_stays_light(env: dict[str, str]) -> None:
    modules = imported(env, "-m", "mistral-small-latest")
    assert "mistral_cli.services.chat.turn" in modules  # it really chatted
    assert loaded(modules, (*HEAVY, "mistral_cli.api.chat_spec")) == []


def test_plain_flag_values_are_checked_without_the_library(env: dict[str, str]) -> None:
    modules = imported(env, "-m", "mistral-small", "--temperature", "0.3", "--stop", "END")
    assert "mistral_cli.api.chat_spec" in modules
    assert loaded(modules, HEAVY) == []


def test_a_complex_param_is_checked_with_the_library(env: dict[str, str]) -> None:
    tools = '[{"function": {"name": "f", "parameters": {}}}]'
    modules = imported(env, "-m", "mistral-small", "--param", f"tools={tools}")
    assert "jsonschema" in modules
    assert loaded(modules, ("pydantic", "mistral_cli.api.schemas")) == []
