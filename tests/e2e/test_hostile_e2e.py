"""The installed `mistral` against hostile answers: clean exits, partial answers kept, no key."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Run
from tests.fakes import hostile
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer
from tests.fakes.wire import gzip_bomb

pytestmark = pytest.mark.e2e
CHAT = "POST /v1/chat/completions"


def checked(done: subprocess.CompletedProcess[str], key: str) -> subprocess.CompletedProcess[str]:
    assert key not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr
    return done


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    hostile.warm_validators()


@pytest.fixture
def mistral(run_mistral: Run, fake: FakeMistral, fake_server: FakeServer, tmp_path: Path) -> Run:
    """run_mistral against the fake, the model list cached first (so -m needs no timed request)."""
    key = fake.api_key
    assert run_mistral("models", "list", server=fake_server, key=key).returncode == 0

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return checked(run_mistral(*argv, server=fake_server, key=key), key)

    return run


def test_total_timeout_flag_ends_endless_keep_alives(fake: FakeMistral, mistral: Run) -> None:
    fake.inject(CHAT, hostile.keep_alive(after_events=2, interval=0.01))
    done = mistral("--total-timeout", "0.5", "chat", "--no-save", "hello there world")
    assert (done.returncode, done.stdout) == (6, "Echo: he\n")
    assert done.stderr.startswith(
        "mistral: error: the request did not finish within the total timeout of 0.5 s "
        "(after 2 events); the partial answer was kept\n"
    )


def test_gzip_bomb(fake: FakeMistral, mistral: Run) -> None:
    fake.inject("GET /v1/models", Fault.status(200, gzip_bomb(), {"content-encoding": "gzip"}))
    done = mistral("models", "list", "--refresh")
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        "mistral: error: the server sent a 1.0 MiB gzip answer that expands past the 64 MiB "
        "limit for a JSON answer (HTTP 200)\n"
        "hint: reading stopped there; check MISTRAL_BASE_URL and any proxy in between\n",
    )


def test_redirect(fake: FakeMistral, mistral: Run) -> None:
    fake.inject(CHAT, hostile.redirect(307, "https://api.elsewhere.test/v1/chat/completions"))
    done = mistral("chat", "--no-save", "hi")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines()[0] == (
        "mistral: error: the server redirected (307) to "
        "https://api.elsewhere.test/v1/chat/completions; set MISTRAL_BASE_URL to it if you trust it"
    )
    assert len(fake.requests_to("POST /v1/chat/completions")) == 1  # never followed
