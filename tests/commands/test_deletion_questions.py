"""`conversations rm` and `files rm` ask on a terminal and need --yes off one (one helper)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mistral_cli.services.conversations import ConversationStore, StoredMessage
from tests.fakes.files import FilesFake
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

SMALL = "mistral-small-latest"


def add(store: ConversationStore, title: str) -> str:
    cid = store.create(SMALL, title)
    store.append(cid, [StoredMessage("user", title), StoredMessage("assistant", "ok")], SMALL)
    return cid


def left(store: ConversationStore) -> list[str]:
    return [c.title for c in store.summaries()]


def test_rm_on_a_terminal_asks_and_a_yes_deletes(store: ConversationStore) -> None:
    cid = add(store, "Capital of Australia?")
    result = invoke(["conversations", "rm", cid[:4]], make_context(tty=True), input="y\n")
    assert (result.exit_code, result.stdout) == (0, "")
    # (a terminal echoes the answer; CliRunner does not)
    assert result.stderr == (
        f'Delete conversation {cid[:8]} "Capital of Australia?"? [y/N] deleted 1 conversation\n'
    )
    assert left(store) == []


@pytest.mark.parametrize("answer", ["n\n", "\n", "whatever\nno\n", ""])
def test_rm_on_a_terminal_deletes_nothing_unless_told_yes(
    store: ConversationStore, answer: str
) -> None:
    cid = add(store, "Keep me")
    result = invoke(["conversations", "rm", cid], make_context(tty=True), input=answer)
    assert (result.exit_code, result.stdout) == (1, "")
    question = f'Delete conversation {cid[:8]} "Keep me"? [y/N] '
    again = "please answer y or n\n" + question if answer.startswith("whatever") else ""
    ended = "\n" if answer == "" else ""  # Ctrl-D: the question's line is ended
    assert result.stderr == question + again + ended + "nothing deleted\n"
    assert left(store) == ["Keep me"]


def test_rm_of_several_asks_once_naming_each(store: ConversationStore) -> None:
    one, two = add(store, "One"), add(store, "Two")
    result = invoke(["conversations", "rm", one, two, one[:5]], make_context(tty=True), input="y\n")
    assert result.stderr == (
        f'Delete 2 conversations ({one[:8]} "One", {two[:8]} "Two")? [y/N] '
        "deleted 2 conversations\n"
    )
    assert left(store) == []


def test_rm_off_a_terminal_needs_yes_before_touching_the_store(
    store: ConversationStore, tmp_path: Path
) -> None:
    cid = add(store, "Stay")
    refused = invoke(["conversations", "rm", cid[:6], "nosuch"], make_context(), input="y\n")
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        "mistral: error: deleting 2 conversations needs --yes when not on a terminal\n"
        f"hint: mistral conversations rm {cid[:6]} nosuch --yes\n"
    )
    one = invoke(["conversations", "rm", cid[:6]], make_context())
    assert one.stderr.startswith("mistral: error: deleting a conversation needs --yes")
    assert left(store) == ["Stay"]
    done = invoke(["conversations", "rm", "-y", cid[:6]], make_context())
    assert (done.exit_code, done.stderr) == (0, "deleted 1 conversation\n")
    assert left(store) == []


def test_rm_forgets_the_ids_completion_offers(store: ConversationStore, tmp_path: Path) -> None:
    gone, kept = add(store, "gone"), add(store, "kept")
    assert invoke(["conversations", "list"], make_context()).exit_code == 0
    recent = tmp_path / "home" / "cache" / "conversation-ids.txt"
    assert recent.read_text().split() == [kept, gone]
    assert invoke(["conversations", "rm", "--yes", gone], make_context()).exit_code == 0
    assert recent.read_text().split() == [kept]


def test_the_question_shows_a_hostile_title_harmlessly(store: ConversationStore) -> None:
    cid = add(store, "\x1b]0;pwned\x07title")
    result = invoke(["conversations", "rm", cid], make_context(tty=True), input="n\n")
    assert result.stderr == (
        f'Delete conversation {cid[:8]} "^[]0;pwned^Gtitle"? [y/N] nothing deleted\n'
    )


# ---------------------------------------------------------------- files rm: the same helper


def files(fake: FakeMistral) -> FilesFake:
    return fake.module(FilesFake)


def test_files_rm_asks_on_a_terminal(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    kept = files(fake).add("results.jsonl", b"{}\n", purpose="batch")
    actx = make_context(fake_transport, tty=True)
    no = invoke(["files", "rm", kept.id], actx, input="n\n")
    assert (no.exit_code, no.stdout) == (1, "")
    assert no.stderr == f"Delete file {kept.id}? [y/N] nothing deleted\n"
    assert fake.requests == []
    yes = invoke(["files", "rm", kept.id], actx, input="y\n")
    assert (yes.exit_code, yes.stdout) == (0, f"{kept.id}\tdeleted\n")
    assert yes.stderr == f"Delete file {kept.id}? [y/N] "
    assert fake.requests_to(f"DELETE /v1/files/{kept.id}") != []


def test_files_rm_off_a_terminal_names_yes_and_sends_nothing(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["files", "rm", "file-1", "it's"], make_context(fake_transport))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "mistral: error: deleting 2 files needs --yes when not on a terminal\n"
        "hint: mistral files rm file-1 'it'\"'\"'s' --yes\n"
    )
    assert fake.requests == []
