"""Local state never costs an answer: `chat` over a corrupt, locked, read-only or full store."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import httpx
import pytest

from mistral_cli import fsio
from mistral_cli.services.conversations import ConversationStore
from tests.fakes.router import FakeMistral
from tests.store_faults import (
    FULL,
    READ_ONLY,
    Faults,
    PageLimited,
    failing,
    garbage,
    held_lock,
    seed,
    store_path,
)
from tests.support import invoke, make_context

CHAT = "POST /v1/chat/completions"
BIG = "x" * 20_000  # more than the pages a page-limited store may add
DOCTOR_HINT = (
    "hint: run `mistral conversations doctor`: it backs the file up and starts a fresh one\n"
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return store_path(tmp_path / "home" / "data")


def asked(fake: FakeMistral) -> list[list[str]]:
    return [[m["content"] for m in r.json()["messages"]] for r in fake.requests_to(CHAT)]


def one_shot(transport: httpx.MockTransport, *argv: str) -> tuple[int, str, str]:
    result = invoke(["chat", *argv], make_context(transport))
    return result.exit_code, result.stdout, result.stderr


def test_garbage_bytes(fake: FakeMistral, fake_transport: httpx.MockTransport, path: Path) -> None:
    garbage(path)
    assert one_shot(fake_transport, "hi") == (
        0,
        "Echo: hi\n",
        f"mistral: warning: not saved: file is not a database ({path})\n",
    )
    assert asked(fake) == [["hi"]]


@pytest.mark.parametrize(
    ("factory", "reason"),
    [
        (PageLimited, FULL),  # SQLite's own SQLITE_FULL
        (failing(Faults(sqlite3.OperationalError(FULL))), FULL),
        (failing(Faults(sqlite3.OperationalError(READ_ONLY))), READ_ONLY),
    ],
)
def test_a_store_that_refuses_writes(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
    factory: type[sqlite3.Connection],
    reason: str,
) -> None:
    seed(path, "q", "a")
    monkeypatch.setattr(ConversationStore, "factory", factory)
    assert one_shot(fake_transport, BIG) == (
        0,
        f"Echo: {BIG}\n",
        f"mistral: warning: not saved: {reason} ({path})\n",
    )
    monkeypatch.undo()
    assert [c.turns for c in ConversationStore(path).summaries()] == [1]


def test_no_space_to_create_the_file(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(_: Path) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsio, "private_file", full)
    assert one_shot(fake_transport, "hi") == (
        0,
        "Echo: hi\n",
        f"mistral: warning: not saved: no space left on device ({path})\n",
    )
    assert not path.exists()


def test_continuing_a_full_store_keeps_the_answer(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(path, "q", "a")
    monkeypatch.setattr(ConversationStore, "factory", PageLimited)
    assert one_shot(fake_transport, "-c", BIG) == (
        0,
        f"Echo: {BIG}\n",
        f"mistral: warning: not saved: {FULL} ({path})\n",
    )
    assert asked(fake)[0][:2] == ["q", "a"]


@pytest.mark.parametrize("how", [["-c"], ["--conversation", "ab"], ["-c", "--no-save"]])
def test_continuing_a_broken_store_is_exit_2_naming_the_doctor(
    fake: FakeMistral, fake_transport: httpx.MockTransport, path: Path, how: list[str]
) -> None:
    garbage(path)
    assert one_shot(fake_transport, *how, "hi") == (
        2,
        "",
        f"mistral: error: cannot open the conversation store {path}: file is not a database\n"
        + DOCTOR_HINT,
    )
    assert fake.requests == []


@pytest.mark.parametrize("continuing", [False, True])
def test_locked_past_the_busy_timeout(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
    continuing: bool,
) -> None:
    seed(path, "q", "a")
    monkeypatch.setattr(ConversationStore, "timeout", 0.0)
    with held_lock(path):
        result = one_shot(fake_transport, *(["-c"] if continuing else []), "hi")
    if not continuing:  # the answer comes first; the store is touched only to save it
        assert result == (
            0,
            "Echo: hi\n",
            f"mistral: warning: not saved: database is locked ({path})\n",
        )
        assert asked(fake) == [["hi"]]
        return
    assert result == (
        2,
        "",
        f"mistral: error: cannot open the conversation store {path}: database is locked\n"
        "hint: another mistral process is using it; try again, "
        "or run `mistral conversations doctor`\n",
    )
    assert fake.requests == []
