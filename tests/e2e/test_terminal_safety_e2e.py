"""Server text never drives the terminal: the installed `mistral` on a pseudo-terminal.

The loopback fake answers with OSC 0 (retitle), CSI 2J (clear screen) and OSC 52 (write the
clipboard) in an answer, an error message, a model id and a file name. On the terminal they
arrive neutralised (`^[]0;…^G`); piped, stdout carries them byte for byte (it is data).
"""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest

from tests.e2e.conftest import Run, base_env, mistral_executable
from tests.fakes.chat import Reply
from tests.fakes.faults import Fault
from tests.fakes.files import FilesFake
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer
from tests.fakes.wire import error_payload

pytestmark = pytest.mark.e2e
CHAT = "POST /v1/chat/completions"
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
CLIP = "\x1b]52;c;ZXZpbA==\x1b\\"
HOSTILE = f"{TITLE}{CLEAR}{CLIP}"
SHOWN = "^[]0;pwned^G^[[2J^[]52;c;ZXZpbA==^[\\"
ANSWER = f"Hello {TITLE}there.\n\nCleared {CLEAR}now, clipboard {CLIP}set.\n"
# what the CLI itself may send a terminal: SGR colours, live-area cursor moves, \r
OWN_CODES = re.compile(rb"\x1b\[[0-9;?]*[mAKlh]|\r")


def on_terminal(server: FakeServer, key: str, tmp_path: Path, *argv: str) -> tuple[int, str]:
    """Run `mistral argv` with stdin, stdout and stderr on one pty; every byte it got, decoded."""
    env = {**base_env(tmp_path, server, key), "TERM": "xterm-256color"}
    child = pexpect.spawn(
        mistral_executable(), list(argv), env=env, dimensions=(40, 200), timeout=30
    )
    shown: bytes = child.read()
    child.close()
    assert_neutralised(shown)
    text = OWN_CODES.sub(b"", shown).decode()
    assert "Traceback" not in text
    return child.exitstatus, text


def assert_neutralised(shown: bytes) -> None:
    for raw in (TITLE, CLEAR, CLIP, "\x1b]", "\x07"):
        assert raw.encode() not in shown, raw
    rest = OWN_CODES.sub(b"", shown)
    assert re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", rest) is None, rest


def test_an_answer_reaches_the_terminal_neutralised(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text=ANSWER, chunk_size=3))  # sequences split across chunks
    status, shown = on_terminal(fake_server, fake.api_key, tmp_path, "chat", "hi", "--no-save")
    assert status == 0
    assert "Hello ^[]0;pwned^Gthere." in shown
    assert "Cleared ^[[2Jnow, clipboard ^[]52;c;ZXZpbA==^[\\set." in shown


def test_a_raw_answer_on_the_terminal_is_neutralised_too(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text=ANSWER, chunk_size=3))
    argv = ("chat", "hi", "--raw", "--no-save")
    status, shown = on_terminal(fake_server, fake.api_key, tmp_path, *argv)
    assert status == 0
    assert shown.startswith(
        "Hello ^[]0;pwned^Gthere.\n\nCleared ^[[2Jnow, clipboard ^[]52;c;ZXZpbA==^[\\set.\n"
    )


def test_the_same_answer_piped_is_byte_exact(
    fake: FakeMistral, fake_server: FakeServer, run_mistral: Run
) -> None:
    fake.chat.replies.append(Reply(text=ANSWER, chunk_size=3))
    done = run_mistral("chat", "hi", "--no-save", server=fake_server, key=fake.api_key)
    assert (done.returncode, done.stdout) == (0, ANSWER)


def test_an_error_message_is_neutralised_on_the_terminal_and_in_a_log(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path, run_mistral: Run
) -> None:
    body = error_payload(f"Invalid model {HOSTILE}", "invalid_request_error", code="1500")
    fake.inject(CHAT, Fault.status(400, body), times=2)
    status, shown = on_terminal(fake_server, fake.api_key, tmp_path, "chat", "hi", "--no-save")
    assert status == 4
    assert f"mistral: error: Invalid model {SHOWN}" in shown
    # stderr piped (a CI log): sanitised all the same
    done = run_mistral("chat", "hi", "--no-save", server=fake_server, key=fake.api_key)
    assert done.returncode == 4
    assert done.stderr.startswith(f"mistral: error: Invalid model {SHOWN} (HTTP 400")
    assert_neutralised(done.stderr.encode())


def test_a_model_id_in_models_list(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path, run_mistral: Run
) -> None:
    card = {**fake.models.get("ministral-3b-latest"), "id": f"evil{HOSTILE}", "aliases": []}
    fake.models.cards.append(card)
    status, shown = on_terminal(fake_server, fake.api_key, tmp_path, "models", "list")
    assert status == 0
    assert f"evil{SHOWN}" in shown
    piped = run_mistral("models", "list", server=fake_server, key=fake.api_key)
    assert piped.returncode == 0
    assert f"\nevil{HOSTILE}\t" in piped.stdout  # TSV is data: byte-exact


def test_a_file_name_in_files_list(
    fake: FakeMistral, fake_server: FakeServer, tmp_path: Path, run_mistral: Run
) -> None:
    fake.module(FilesFake).add(f"train{HOSTILE}.jsonl", b'{"messages": []}\n')
    status, shown = on_terminal(fake_server, fake.api_key, tmp_path, "files", "list")
    assert status == 0
    assert f"train{SHOWN}.jsonl" in shown
    piped = run_mistral("files", "list", server=fake_server, key=fake.api_key)
    assert piped.returncode == 0
    assert f"\ttrain{HOSTILE}.jsonl\t" in piped.stdout
