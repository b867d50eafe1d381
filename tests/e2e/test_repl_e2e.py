"""The chat REPL in a pseudo-terminal: `mistral chat` with no prompt, against the loopback fake."""

from __future__ import annotations

import os
import pty
import stat
import subprocess
from pathlib import Path

import pexpect
import pytest

from mistral_cli.services.conversations import ConversationStore
from tests.e2e.conftest import mistral_executable, search_path
from tests.fakes.chat import Reply
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.e2e
CHAT = "POST /v1/chat/completions"
PROMPT = "›"


@pytest.fixture
def launcher() -> list[str]:
    return [mistral_executable()]


@pytest.fixture
def env(fake: FakeMistral, fake_server: FakeServer, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": search_path(),
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        # a pty answers no cursor-position request; prompt_toolkit would wait for one
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "MISTRAL_API_KEY": fake.api_key,
        "MISTRAL_BASE_URL": fake_server.base_url,
        "MISTRAL_CONFIG_DIR": str(tmp_path / "config"),
        "MISTRAL_CACHE_DIR": str(tmp_path / "cache"),
        "MISTRAL_DATA_DIR": str(tmp_path / "data"),
        "MISTRAL_MAX_RETRIES": "0",
    }


def spawn(launcher: list[str], env: dict[str, str], *argv: str) -> pexpect.spawn:
    child = pexpect.spawn(
        launcher[0],
        [*launcher[1:], "chat", *argv],
        env=env,
        dimensions=(24, 100),
        encoding="utf-8",
        timeout=10,
    )
    child.expect_exact("/help for commands, Ctrl-D to leave")
    child.expect_exact(PROMPT)
    return child


def say(child: pexpect.spawn, keys: str, *shown: str) -> None:
    """Type keys and Enter, wait for each of `shown` in turn, then for the next prompt."""
    child.send(keys + "\r")
    for text in shown:
        child.expect_exact(text)
    child.expect_exact(PROMPT)


def leave(child: pexpect.spawn, keys: str) -> str:
    child.send(keys)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    said: str = child.before
    assert "Traceback" not in said
    return said


def messages(fake: FakeMistral) -> list[list[dict[str, str]]]:
    return [request.json()["messages"] for request in fake.requests_to(CHAT)]


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def bot(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def test_a_conversation_at_the_terminal(
    fake: FakeMistral, env: dict[str, str], launcher: list[str], tmp_path: Path
) -> None:
    child = spawn(launcher, env)
    say(child, "Capital of Australia?", "Echo: Capital of Australia?")
    say(child, "And its population?", "Echo: And its population?")
    say(child, "/model mistral-large", "model: mistral-large-latest")
    say(child, "\x1b[200~line one\nline two\x1b[201~", "Echo: line one")  # a bracketed paste
    say(child, "first\x1b\rsecond", "Echo: first")  # Esc-Enter (what Alt-Enter sends)
    say(child, "/clear", "new conversation")
    say(child, "/foo", "unknown command /foo; /help lists them")
    say(child, "fresh start", "Echo: fresh start")
    said = leave(child, "/exit\r")
    assert "saved as conversation " in said
    assert "continue with `mistral chat -c`" in said

    sent = messages(fake)
    first = [user("Capital of Australia?"), bot("Echo: Capital of Australia?")]
    assert sent[:2] == [first[:1], [*first, user("And its population?")]]
    assert sent[2][-1] == user("line one\nline two")
    assert sent[3][-1] == user("first\nsecond")
    assert sent[4] == [user("fresh start")]
    models = [request.json()["model"] for request in fake.requests_to(CHAT)]
    assert models == ["mistral-small-latest"] * 2 + ["mistral-large-latest"] * 3
    history = (tmp_path / "data" / "history").read_text(encoding="utf-8")
    assert "\n+Capital of Australia?\n" in history
    assert "\n+line one\n+line two\n" in history

    done = subprocess.run(
        [mistral_executable(), "chat", "-c", "and then?"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "Echo: and then?\n")
    last = fake.requests_to(CHAT)[-1].json()
    assert last["model"] == "mistral-large-latest"
    assert last["messages"] == [user("fresh start"), bot("Echo: fresh start"), user("and then?")]


def test_ctrl_c_errors_and_continuing_keep_the_session(
    fake: FakeMistral, env: dict[str, str], launcher: list[str], tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text="alpha beta gamma delta epsilon zeta", chunk_size=6))
    fake.inject(CHAT, Fault.slow(0.3))
    fake.inject(CHAT, Fault.status(500))
    child = spawn(launcher, env)
    child.send("count\r")
    child.expect_exact("alpha")
    child.send("\x03")  # Ctrl-C during the answer
    child.expect_exact("stopped; the partial answer was kept")
    child.expect_exact(PROMPT)
    say(child, "broken", "mistral: error: Internal server error (HTTP 500", "hint: ")
    child.send("half typed")
    child.expect_exact("typed")
    child.send("\x03")  # Ctrl-C at the prompt drops the line
    child.expect_exact(PROMPT)
    leave(child, "\x04")  # Ctrl-D
    assert messages(fake)[-1] == [user("count"), bot("alpha "), user("broken")]

    child = spawn(launcher, env, "-c")  # the REPL on the saved conversation
    say(child, "next", "Echo: next")
    leave(child, "\x04")
    assert messages(fake)[-1] == [user("count"), bot("alpha "), user("next")]
    store = ConversationStore.open(tmp_path / "data")
    (saved,) = store.summaries()
    partial = [(m.content, m.partial) for m in store.messages(saved.id) if m.role == "assistant"]
    assert partial == [("alpha ", True), ("Echo: next", False)]
    store.close()


def test_a_terminal_stdin_with_stdout_redirected_is_a_usage_error(
    fake: FakeMistral, env: dict[str, str], launcher: list[str]
) -> None:
    terminal, other_end = pty.openpty()
    try:
        done = subprocess.run(
            [*launcher, "chat"],
            stdin=other_end,
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(other_end)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "mistral: error: no prompt given" in done.stderr
    assert "the REPL needs a terminal for input and output" in done.stderr
    assert fake.requests == []  # refused before the model lookup


def test_two_terminals_on_one_conversation_keep_each_others_turns(
    fake: FakeMistral, env: dict[str, str], launcher: list[str], tmp_path: Path
) -> None:
    fake.chat.replies.extend(Reply(text=t) for t in ("S", "A1", "B1", "A2", "B1 again"))
    started = subprocess.run(
        [mistral_executable(), "chat", "start"], input="", capture_output=True, text=True, env=env,
        timeout=30, check=False,
    )  # fmt: skip
    assert (started.returncode, started.stdout) == (0, "S\n")
    a = spawn(launcher, env, "-c")
    b = spawn(launcher, env, "-c")
    say(a, "a1", "A1")
    say(b, "b1", "B1")
    say(a, "/undo", "forgot: a1", "1 turn was added by another session; /undo removes only yours")
    say(a, "a2", "A2")
    say(b, "/retry", "1 turn was added by another session; /retry replaces only yours", "B1 again")
    leave(a, "\x04")
    leave(b, "\x04")

    start = [user("start"), bot("S")]
    assert messages(fake)[1:] == [
        [*start, user("a1")],
        [*start, user("b1")],
        [*start, user("a2")],
        [*start, user("b1")],
    ]
    store = ConversationStore.open(tmp_path / "data")
    (saved,) = store.summaries()
    kept = [m.content for m in store.messages(saved.id)]
    store.close()
    assert kept == ["start", "S", "a2", "A2", "b1", "B1 again"]
    data = tmp_path / "data"
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [data, *data.iterdir()]}
    assert modes == {"data": 0o700, "conversations.sqlite3": 0o600, "history": 0o600}


def test_tab_completes_a_slash_command(env: dict[str, str], launcher: list[str]) -> None:
    child = spawn(launcher, env)
    child.send("/us\t")
    child.expect_exact("usage")  # the line now reads /usage (completion is asynchronous)
    say(child, "", "this conversation: 0 turns · 0 in / 0 out tokens")
    leave(child, "/exit\r")


def test_save_asks_at_the_terminal_before_replacing_a_file(
    fake: FakeMistral, env: dict[str, str], launcher: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "talk.md"
    target.write_text("mine\n", encoding="utf-8")
    child = spawn(launcher, env, "-s", "Be terse.")
    say(child, "hi", "Echo: hi")
    child.send(f"/save {target}\r")
    child.expect_exact(f"{target} exists. Overwrite it? [y/N] ")
    child.send("n\r")
    child.expect_exact("not saved")
    child.expect_exact(PROMPT)
    assert target.read_text(encoding="utf-8") == "mine\n"
    child.send(f"/save {target}\r")
    child.expect_exact("Overwrite it? [y/N] ")
    child.send("y\r")
    child.expect_exact(f"transcript saved to {target}")
    child.expect_exact(PROMPT)
    leave(child, "/exit\r")
    assert target.read_text(encoding="utf-8").endswith(
        "## system\n\nBe terse.\n\n## user\n\nhi\n\n## assistant\n\nEcho: hi\n"
    )
    history = (tmp_path / "data" / "history").read_text(encoding="utf-8")
    assert "\n+y\n" not in history  # the answer is no prompt to recall
