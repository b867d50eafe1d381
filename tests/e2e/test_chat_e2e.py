"""The installed `mistral chat` against the loopback fake server."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import mistral_executable, search_path
from tests.fakes.chat import Reply
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.e2e
CHAT = "POST /v1/chat/completions"


@pytest.fixture
def env(fake: FakeMistral, fake_server: FakeServer, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": search_path(),
        "HOME": str(tmp_path),
        "MISTRAL_API_KEY": fake.api_key,
        "MISTRAL_BASE_URL": fake_server.base_url,
        "MISTRAL_CONFIG_DIR": str(tmp_path / "config"),
        "MISTRAL_CACHE_DIR": str(tmp_path / "cache"),
        "MISTRAL_DATA_DIR": str(tmp_path / "data"),
        "MISTRAL_MAX_RETRIES": "2",
    }


def run(env: dict[str, str], *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [mistral_executable(), *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert env["MISTRAL_API_KEY"] not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


def test_piped_stdin_prints_exactly_the_answer(fake: FakeMistral, env: dict[str, str]) -> None:
    done = run(env, "chat", "-m", "mistral-small", stdin="hi\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "Echo: hi\n", "")
    assert fake.requests_to(CHAT)[0].json()["model"] == "mistral-small-latest"


def test_streamed_and_whole_answers_match(fake: FakeMistral, env: dict[str, str]) -> None:
    text = "Line one.\n\n- a\n- b\n"
    fake.chat.replies.extend([Reply(text=text, chunk_size=3), Reply(text=text)])
    streamed = run(env, "chat", "list")
    whole = run(env, "chat", "--no-stream", "list")
    assert streamed.stdout == whole.stdout == text
    assert "\x1b" not in streamed.stdout + streamed.stderr


def test_stream_cut_midway_exits_6_with_the_partial_text(
    fake: FakeMistral, env: dict[str, str]
) -> None:
    fake.chat.replies.append(Reply(text="alpha beta gamma delta", chunk_size=6))
    fake.inject(CHAT, Fault.drop_stream(after_events=3))
    done = run(env, "chat", "go")
    assert (done.returncode, done.stdout, done.stderr) == (
        6,
        "alpha beta g\n",
        "mistral: error: the stream broke after 3 events (connection closed by the server); "
        "the partial answer was kept\n"
        "hint: try again; a flaky network or proxy can cut long streams\n",
    )


def test_rate_limited_then_success(fake: FakeMistral, env: dict[str, str]) -> None:
    fake.inject(CHAT, Fault.rate_limited(retry_after="0"))
    done = run(env, "chat", "hello")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "Echo: hello\n",
        "mistral: retrying in 0.0 s (HTTP 429, retry 1 of 2)\n",
    )


def _start(env: dict[str, str], *argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [mistral_executable(), *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_sigint_mid_stream_exits_130_keeping_the_partial_text(
    fake: FakeMistral, env: dict[str, str]
) -> None:
    fake.chat.replies.append(Reply(text="0123456789" * 3, chunk_size=5))
    fake.inject(CHAT, Fault.slow(0.25))
    proc = _start(env, "chat", "--no-save", "count")
    assert proc.stdout is not None
    first = os.read(proc.stdout.fileno(), 100)  # the first piece of the answer
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    text = (first + rest).decode()
    assert text.startswith("01234")
    assert len(text.strip()) < 30
    assert "Traceback" not in err.decode()
    assert env["MISTRAL_API_KEY"] not in text + err.decode()


def test_reader_closing_the_pipe_ends_quietly(fake: FakeMistral, env: dict[str, str]) -> None:
    fake.chat.replies.append(Reply(text="".join(f"line {n}\n" for n in range(40)), chunk_size=7))
    fake.inject(CHAT, Fault.slow(0.02))
    proc = _start(env, "chat", "lines")
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert proc.stdout.readline() == b"line 0\n"
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=20) == 0  # not the 40 lines' worth of slow chunks: it stopped
    assert err == b""
