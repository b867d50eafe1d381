"""`mistral chat -x … | sh`: the installed CLI feeds a shell the code, and only the code."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import base_env, mistral_executable
from tests.fakes.chat import Reply
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.e2e


def pipe_to_sh(env: dict[str, str], cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    command = " ".join(shlex.quote(arg) for arg in (mistral_executable(), *argv))
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | sh"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=30,
        check=False,
    )


def test_the_code_runs_and_the_prose_does_not(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    fake.chat.replies.append(
        Reply(
            text="Sure! This prints it:\n\n```sh\necho made > out.txt\ncat out.txt\n```\n"
            "rm -rf this line is prose\n",
            chunk_size=4,
        )
    )
    done = pipe_to_sh(base_env(tmp_path, fake_server, fake.api_key), tmp_path, "chat", "-x", "go")
    assert (done.returncode, done.stdout, done.stderr) == (0, "made\n", "")


def test_no_code_gives_the_shell_nothing(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text="echo this is prose, not code\n"))
    env = base_env(tmp_path, fake_server, fake.api_key)
    done = pipe_to_sh(env, tmp_path, "chat", "--no-save", "-x", "go")
    assert (done.returncode, done.stdout) == (1, "")  # with pipefail: mistral's exit status
    assert done.stderr == (
        "mistral: error: the answer has no code block, so nothing was printed\n"
        "hint: drop -x to see it\n"
    )
