from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from sqlite3 import OperationalError

import httpx
import pytest

from mistral_cli import fsio
from mistral_cli.services.conversations import ConversationStore, StoredMessage, when
from tests.store_faults import READ_ONLY, Faults, failing, garbage, held_lock, seed, store_path
from tests.support import Clock, invoke, make_context

DAY = 86400.0


def add(
    store: ConversationStore, title: str, *texts: str, model: str = "mistral-small-latest"
) -> str:
    cid = store.create(model, title)
    roles = ["user", "assistant"]
    store.append(cid, [StoredMessage(roles[n % 2], text) for n, text in enumerate(texts)], model)
    return cid


def test_list_piped_is_tsv_latest_first(store: ConversationStore, clock: Clock) -> None:
    old = add(store, "Old one", "q", "a")
    clock.now += 60
    new = add(store, "New one", "q1", "a1", "q2", "a2", model="codestral-latest")
    result = invoke(["conversations", "list"], make_context())
    assert result.exit_code == 0
    assert result.stdout == (
        f"{new[:8]}\tNew one\tcodestral-latest\t{when(clock.now)}\t2\n"
        f"{old[:8]}\tOld one\tmistral-small-latest\t{when(clock.now - 60)}\t1\n"
    )


def test_list_json(store: ConversationStore) -> None:
    cid = add(store, "Primes", "q", "a")
    document = json.loads(invoke(["conversations", "list", "--json"], make_context()).stdout)
    assert document == {
        "object": "list",
        "data": [
            {
                "id": cid,
                "title": "Primes",
                "model": "mistral-small-latest",
                "created": "2026-09-21T14:13:20Z",
                "updated": "2026-09-21T14:13:20Z",
                "turns": 1,
            }
        ],
    }


def test_list_empty(store: ConversationStore) -> None:
    result = invoke(["conversations", "list"], make_context())
    assert (result.exit_code, result.stdout) == (0, "")


def test_show_markdown_transcript(store: ConversationStore, clock: Clock) -> None:
    cid = store.create("mistral-small-latest", "Capital")
    store.append(
        cid,
        [
            StoredMessage("system", "Be brief."),
            StoredMessage("user", "Capital of Australia?"),
            StoredMessage("assistant", "Canb", partial=True),
        ],
        "mistral-small-latest",
    )
    result = invoke(["conversations", "show", cid[:5]], make_context())
    assert result.exit_code == 0
    assert result.stdout == (
        f"# Capital\n\n{cid[:8]} · mistral-small-latest · {when(clock.now)}\n\n"
        "## system\n\nBe brief.\n\n"
        "## user\n\nCapital of Australia?\n\n"
        "## assistant (partial: cut short)\n\nCanb\n"
    )


def test_show_json(store: ConversationStore) -> None:
    cid = add(store, "T", "q", "a")
    document = json.loads(invoke(["conversations", "show", cid, "--json"], make_context()).stdout)
    assert document["id"] == cid
    assert [(m["role"], m["content"], m["partial"]) for m in document["messages"]] == [
        ("user", "q", False),
        ("assistant", "a", False),
    ]


def test_show_unknown_id(store: ConversationStore) -> None:
    result = invoke(["conversations", "show", "ffff"], make_context())
    assert result.exit_code == 2
    assert result.stderr.startswith("mistral: error: no conversation with id 'ffff'\n")


def test_rm_by_prefix(store: ConversationStore) -> None:
    keep = add(store, "keep", "q", "a")
    gone = add(store, "gone", "q", "a")
    result = invoke(["conversations", "rm", gone[:6], "--yes"], make_context())
    assert (result.exit_code, result.stderr) == (0, "deleted 1 conversation\n")
    assert [c.id for c in store.summaries()] == [keep]
    assert store.messages(gone) == []


def test_rm_removes_nothing_when_one_id_is_unknown(store: ConversationStore) -> None:
    cid = add(store, "keep", "q", "a")
    result = invoke(["conversations", "rm", cid, "nope", "--yes"], make_context())
    assert result.exit_code == 2
    assert len(store.summaries()) == 1


def test_prune_older_than(store: ConversationStore, clock: Clock) -> None:
    add(store, "ancient", "q", "a")
    clock.now += 40 * DAY
    recent = add(store, "recent", "q", "a")
    import time

    real_now = time.time()
    # the command uses the real clock: move both conversations relative to it
    store._db.execute("UPDATE conversations SET updated = updated - ?", (clock.now - real_now,))
    result = invoke(["conversations", "prune", "--older-than", "30d"], make_context())
    assert (result.exit_code, result.stderr) == (0, "deleted 1 conversation older than 30d\n")
    assert [c.id for c in store.summaries()] == [recent]


def test_prune_bad_age(store: ConversationStore) -> None:
    result = invoke(["conversations", "prune", "--older-than", "soon"], make_context())
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: --older-than expects a duration, got 'soon'\n"
        "hint: e.g. --older-than 90s, 15m, 6h, 2d or 1h30m (a unit is required)\n",
    )


def test_exports_never_contain_the_key(fake_transport: httpx.MockTransport) -> None:
    from mistral_cli.errors import REDACTED
    from tests.support import TEST_KEY

    actx = make_context(fake_transport, env={"MISTRAL_MODEL": "mistral-small-latest"})
    assert invoke(["chat", f"my key is {TEST_KEY}"], actx).exit_code == 0
    listed = json.loads(invoke(["conversations", "list", "--json"], actx).stdout)
    conversation = listed["data"][0]["id"]
    shown = invoke(["conversations", "show", "--json", conversation], actx).stdout
    markdown = invoke(["conversations", "show", conversation], actx).stdout
    assert TEST_KEY not in shown + markdown
    assert f"my key is {REDACTED}" in markdown


# ---------------------------------------------------------------- a broken store, the doctor


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return store_path(tmp_path / "home" / "data")


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.broken-*"))


def test_doctor_on_a_sound_store(store: ConversationStore) -> None:
    add(store, "one", "q", "a")
    add(store, "two", "q", "a", "q2", "a2")
    result = invoke(["conversations", "doctor"], make_context())
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{store.path}: ok · 2 conversations · 6 messages\n"
    assert backups(store.path) == []


def test_doctor_before_any_chat(path: Path) -> None:
    result = invoke(["conversations", "doctor", "--json"], make_context())
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "path": str(path),
        "status": "missing",
        "problem": None,
        "backup": None,
        "conversations": None,
        "messages": None,
    }
    assert not path.exists()


def test_doctor_backs_a_corrupt_store_up_and_starts_a_fresh_one(path: Path) -> None:
    garbage(path)
    listed = invoke(["conversations", "list"], make_context())
    assert (listed.exit_code, listed.stdout) == (2, "")
    assert listed.stderr == (
        f"mistral: error: cannot open the conversation store {path}: file is not a database\n"
        "hint: run `mistral conversations doctor`: it backs the file up and starts a fresh one\n"
    )
    result = invoke(["conversations", "doctor"], make_context())
    assert (result.exit_code, result.stderr) == (0, "")
    (backup,) = backups(path)
    assert re.fullmatch(r"conversations\.sqlite3\.broken-\d{8}-\d{6}", backup.name)
    assert result.stdout == (
        f"{path}: broken (file is not a database)\n"
        f"backed up to {backup}\n"
        "started a fresh, empty conversation store\n"
    )
    assert backup.read_bytes().startswith(b"this is no database")
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in path.parent.iterdir()}
    assert modes == {path.name: "0o600", backup.name: "0o600"}
    assert invoke(["conversations", "list"], make_context()).exit_code == 0
    again = invoke(["conversations", "doctor"], make_context())
    assert again.stdout == f"{path}: ok · 0 conversations · 0 messages\n"


def test_doctor_json_after_a_repair(path: Path) -> None:
    garbage(path)
    document = json.loads(invoke(["conversations", "doctor", "--json"], make_context()).stdout)
    (backup,) = backups(path)
    assert document == {
        "path": str(path),
        "status": "repaired",
        "problem": "file is not a database",
        "backup": str(backup),
        "conversations": None,
        "messages": None,
    }


def test_doctor_finds_a_damaged_page_and_a_missing_table(path: Path) -> None:
    seed(path, *[f"message {n} " * 200 for n in range(40)])
    with path.open("r+b") as db:
        db.seek(3 * 4096)
        db.write(b"\xff" * 4096)  # a page in the middle, overwritten
    first = invoke(["conversations", "doctor", "--json"], make_context())
    assert json.loads(first.stdout)["status"] == "repaired"
    assert json.loads(first.stdout)["problem"]
    fresh = sqlite3.connect(path)
    fresh.execute("DROP TABLE messages")
    fresh.close()
    second = invoke(["conversations", "doctor"], make_context())
    assert second.stdout.splitlines()[0] == f"{path}: broken (the table messages is missing)"
    assert len(backups(path)) == 2


def test_doctor_leaves_an_empty_file_alone(path: Path) -> None:
    fsio.private_dir(path.parent)
    fsio.private_file(path)  # as left by a run that stopped before SQLite wrote anything
    result = invoke(["conversations", "doctor"], make_context())
    assert result.stdout == f"{path}: ok · 0 conversations · 0 messages\n"
    assert backups(path) == []


def test_doctor_on_a_locked_store_changes_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(path, "q", "a")
    monkeypatch.setattr(ConversationStore, "timeout", 0.0)
    with held_lock(path):
        result = invoke(["conversations", "doctor"], make_context())
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"mistral: error: cannot open the conversation store {path}: database is locked\n"
        "hint: nothing was changed; close other mistral sessions, then run the doctor again\n"
    )
    assert backups(path) == []


def test_rm_on_a_read_only_store_is_exit_1(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = add(store, "keep", "q", "a")
    monkeypatch.setattr(ConversationStore, "factory", failing(Faults(OperationalError(READ_ONLY))))
    result = invoke(["conversations", "rm", cid, "--yes"], make_context())
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"mistral: error: cannot write the conversation store {store.path}: {READ_ONLY}\n"
        "hint: check the permissions of the file and its folder, "
        "or run `mistral conversations doctor`\n"
    )
    assert len(store.summaries()) == 1
