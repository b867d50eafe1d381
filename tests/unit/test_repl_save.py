"""REPL /save: the system prompt kept, an existing file asked about or --force, a full disk."""

from __future__ import annotations

import errno
import io
import os
import sys
from pathlib import Path

import httpx
import pytest

from mistral_cli.commands._chat_ui import ChatOptions
from mistral_cli.context import AppContext
from mistral_cli.services.conversations import ConversationStore, when
from tests.support import make_context
from tests.unit.test_repl_commands import HEADER, UNSAVED, repl, saved

SMALL = "mistral-small-latest"


@pytest.fixture
def actx(fake_transport: httpx.MockTransport) -> AppContext:
    return make_context(fake_transport)


def document(first: str, id_and_date: str, *messages: tuple[str, str]) -> str:
    body = "".join(f"## {role}\n\n{text}\n\n" for role, text in messages)
    return f"# {first}\n\n{id_and_date}\n\n{body}".removesuffix("\n")


def heading(actx: AppContext) -> str:
    (conversation,) = ConversationStore.open(actx.data_dir()).summaries()
    return f"{conversation.short_id} · {SMALL} · {when(conversation.created)}"


def test_save_keeps_the_system_prompt_set_before_the_first_turn(
    actx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "talk.md"
    repl(actx, "hi", f"/save {target}", opts=ChatOptions(system="Be terse."))
    assert target.read_text(encoding="utf-8") == document(
        "hi",
        heading(actx),
        ("system", "Be terse."),
        ("user", "hi"),
        ("assistant", "Echo: hi"),
    )
    assert capsys.readouterr().err == f"{HEADER}transcript saved to {target}\n" + saved(actx)


def test_save_keeps_a_system_prompt_set_after_the_conversation_was_saved(
    actx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "talk.md"
    repl(actx, "hi", "/system Be terse.", "again", f"/save {target}")
    # the store keeps the conversation as first saved; the transcript is what is sent now
    assert target.read_text(encoding="utf-8") == document(
        "hi",
        heading(actx),
        ("system", "Be terse."),
        ("user", "hi"),
        ("assistant", "Echo: hi"),
        ("user", "again"),
        ("assistant", "Echo: again"),
    )
    assert capsys.readouterr().err == (
        f"{HEADER}system prompt set\ntranscript saved to {target}\n" + saved(actx)
    )


def test_save_off_a_terminal_refuses_an_existing_file_unless_forced(
    actx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "talk.md"
    target.write_text("mine\n", encoding="utf-8")
    repl(actx, "hi", f"/save {target}", opts=UNSAVED)
    assert target.read_text(encoding="utf-8") == "mine\n"
    for typed in (f"/save {target} --force", f"/save --force {target}"):
        target.write_text("mine\n", encoding="utf-8")
        repl(actx, "hi", typed, opts=UNSAVED)
        assert target.read_text(encoding="utf-8").startswith("# hi\n")
    header = HEADER.replace("conversation", "conversation (not saved)")
    assert capsys.readouterr() == (
        "Echo: hi\n" * 3,
        f"{header}mistral: error: {target} already exists\n"
        f"hint: /save {target} --force overwrites it\n"
        + f"{header}transcript saved to {target}\n"
        * 2,
    )


@pytest.mark.parametrize(("answer", "kept"), [("y\n", False), ("n\n", True), ("", True)])
def test_save_on_a_terminal_asks_before_replacing_a_file(
    fake_transport: httpx.MockTransport,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    kept: bool,
) -> None:
    actx = make_context(fake_transport, tty=True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
    target = tmp_path / "talk.md"
    target.write_text("mine\n", encoding="utf-8")
    repl(actx, "hi", f"/save {target}", opts=UNSAVED)
    assert (target.read_text(encoding="utf-8") == "mine\n") is kept
    ended = "\n" if answer == "" else ""  # Ctrl-D: the question's line is ended
    said = "not saved" if kept else f"transcript saved to {target}"
    err = capsys.readouterr().err
    assert err.endswith(f"{target} exists. Overwrite it? [y/N] {ended}{said}\n")


def test_save_on_a_full_disk_is_one_error_and_the_repl_goes_on(
    actx: AppContext,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    folder = tmp_path / "notes"
    folder.mkdir()
    target = folder / "talk.md"
    repl(actx, "hi", f"/save {target}", "again", opts=UNSAVED)
    assert list(folder.iterdir()) == []  # no half-written file, no temporary left
    header = HEADER.replace("conversation", "conversation (not saved)")
    assert capsys.readouterr() == (
        "Echo: hi\nEcho: again\n",
        f"{header}mistral: error: cannot write {target}: no space left on device\n"
        "hint: free some space or choose another location\n",
    )
