"""The installed `mistral` on a pseudo-terminal: `conversations show` pages, `rm` asks."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pexpect
import pytest

from mistral_cli.services.conversations import ConversationStore, StoredMessage, when
from tests.e2e.conftest import Run, base_env, mistral_executable

pytestmark = pytest.mark.e2e
SMALL = "mistral-small-latest"
OWN_CODES = re.compile(r"\x1b\[[0-9;?]*[mAKlh]")  # SGR colours, cursor moves


@pytest.fixture
def cid(tmp_path: Path) -> str:
    store = ConversationStore(tmp_path / "home" / "data" / "conversations.sqlite3")
    try:
        cid = store.create(SMALL, "Greeting")
        answer = StoredMessage("assistant", "Hello \x1b]0;pwned\x07there.")
        store.append(cid, [StoredMessage("user", "Hi"), answer], SMALL)
        return cid
    finally:
        store.close()


def created(tmp_path: Path) -> float:
    store = ConversationStore(tmp_path / "home" / "data" / "conversations.sqlite3")
    try:
        return store.summaries()[0].created
    finally:
        store.close()


def spawn(tmp_path: Path, *argv: str, **env: str) -> pexpect.spawn:
    environment = {**base_env(tmp_path, None, None), "TERM": "xterm-256color", **env}
    return pexpect.spawn(
        mistral_executable(), list(argv), env=environment, dimensions=(40, 120), timeout=30
    )


def screen(child: pexpect.spawn) -> str:
    shown: bytes = child.read()
    child.close()
    return OWN_CODES.sub("", shown.decode()).replace("\r\n", "\n")


def test_show_on_a_terminal_pipes_the_sanitised_transcript_to_the_pager(
    tmp_path: Path, cid: str
) -> None:
    pager = tmp_path / "pager"
    pager.write_text(f"#!/bin/sh\ncat > {tmp_path}/paged\necho paged\n", encoding="utf-8")
    pager.chmod(pager.stat().st_mode | stat.S_IXUSR)
    child = spawn(tmp_path, "conversations", "show", cid[:6], MISTRAL_PAGER=str(pager))
    assert screen(child) == "paged\n"  # the pager's own output is all the terminal got
    assert child.exitstatus == 0
    assert (tmp_path / "paged").read_text(encoding="utf-8") == (
        f"# Greeting\n\n{cid[:8]} · {SMALL} · {when(created(tmp_path))}\n\n"
        "## user\n\nHi\n\n## assistant\n\nHello ^[]0;pwned^Gthere.\n"
    )


def test_show_piped_is_not_paged(tmp_path: Path, cid: str, run_mistral: Run) -> None:
    pager = tmp_path / "pager"
    pager.write_text(f"#!/bin/sh\ntouch {tmp_path}/ran\n", encoding="utf-8")
    pager.chmod(pager.stat().st_mode | stat.S_IXUSR)
    done = run_mistral("conversations", "show", cid, env={"MISTRAL_PAGER": str(pager)})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("## assistant\n\nHello \x1b]0;pwned\x07there.\n")
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(("answer", "left"), [("y", 0), ("n", 1)])
def test_rm_on_a_terminal_asks(tmp_path: Path, cid: str, answer: str, left: int) -> None:
    child = spawn(tmp_path, "conversations", "rm", cid[:6])
    child.expect_exact(f'Delete conversation {cid[:8]} "Greeting"? [y/N] ')
    child.sendline(answer)
    said = "deleted 1 conversation" if answer == "y" else "nothing deleted"
    assert screen(child) == f"{answer}\n{said}\n"  # the terminal echoes the answer
    assert child.exitstatus == (0 if answer == "y" else 1)
    store = ConversationStore(tmp_path / "home" / "data" / "conversations.sqlite3")
    try:
        assert len(store.summaries()) == left
    finally:
        store.close()
