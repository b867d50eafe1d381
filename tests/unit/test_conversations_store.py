from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistral_cli.errors import ExitCode, UsageError
from mistral_cli.fsio import WriteFailed
from mistral_cli.services.conversations import (
    FILENAME,
    ConversationStore,
    StoredMessage,
    parse_age,
    title_of,
)
from mistral_cli.services.store_doctor import back_up
from mistral_cli.services.store_errors import StoreUnreadable, StoreWriteFailed
from tests.store_faults import (
    FULL,
    READ_ONLY,
    Faults,
    PageLimited,
    failing,
    garbage,
    held_lock,
    seed,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    opened = ConversationStore.open(tmp_path / "new" / "dir")
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30d", 30 * 86400),
        ("12h", 43200),
        ("2w", 14 * 86400),
        ("90m", 5400),
        ("1d12h", 129600),
        ("45s", 45),
    ],
)
def test_parse_age(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "d", "30x", "soon", "3d later"])
def test_parse_age_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_age(text)


def test_title_is_the_first_line_cut() -> None:
    assert title_of("\n  Hello there  \nmore") == "Hello there"
    long = title_of("x" * 100)
    assert len(long) == 60
    assert long.endswith("…")


def test_messages_keep_order_and_flags(store: ConversationStore) -> None:
    cid = store.create("m", "t")
    store.append(cid, [StoredMessage("user", "q")], "m")
    store.append(
        cid,
        [StoredMessage("assistant", "a", partial=True, prompt_tokens=3, completion_tokens=1)],
        "m2",
    )
    saved = store.messages(cid)
    assert [(m.role, m.content, m.partial, m.prompt_tokens) for m in saved] == [
        ("user", "q", False, None),
        ("assistant", "a", True, 3),
    ]
    (summary,) = store.summaries()
    assert (summary.model, summary.turns) == ("m2", 1)


def test_drop_removes_exactly_the_keyed_messages(store: ConversationStore) -> None:
    cid = store.create("m", "t")
    keys = store.append(cid, [StoredMessage("user", str(n)) for n in range(4)], "m")
    assert [k.seq for k in keys] == [0, 1, 2, 3]
    assert store.drop(keys[2:]) == 2
    assert [m.content for m in store.messages(cid)] == ["0", "1"]
    (again,) = store.append(cid, [StoredMessage("user", "x")], "m")
    assert again.seq == keys[2].seq  # the place was free again …
    assert store.drop(keys[2:3]) == 0  # … but an old key never removes the new message
    assert [m.content for m in store.messages(cid)] == ["0", "1", "x"]


def test_each_write_has_its_own_moment_even_on_a_stuck_clock(tmp_path: Path) -> None:
    stuck = ConversationStore(tmp_path / "c.sqlite3", clock=lambda: 100.0)
    cid = stuck.create("m", "t")
    (one,) = stuck.append(cid, [StoredMessage("user", "a")], "m")
    (two,) = stuck.append(cid, [StoredMessage("user", "b")], "m")
    assert one.created < two.created
    stuck.close()


def test_find_and_latest(store: ConversationStore) -> None:
    assert store.latest() is None
    one = store.create("m", "one")
    two = store.create("m", "two")
    assert store.find(one).id == one
    assert store.find(two[:10].upper()).id == two
    latest = store.latest()
    assert latest is not None
    assert latest.id == two
    with pytest.raises(UsageError, match="no conversation"):
        store.find("")


def test_a_second_process_sees_the_writes(store: ConversationStore) -> None:
    cid = store.create("m", "t")
    other = ConversationStore(store.path)
    other.append(cid, [StoredMessage("user", "from elsewhere")], "m")
    other.close()
    assert [m.content for m in store.messages(cid)] == ["from elsewhere"]


# ---------------------------------------------------------------- a store that fails


def test_garbage_bytes_are_an_error_naming_the_file_and_the_doctor(tmp_path: Path) -> None:
    path = garbage(tmp_path / FILENAME)
    broken = ConversationStore(path)  # opening touches nothing yet
    with pytest.raises(StoreUnreadable) as raised:
        broken.summaries()
    error = raised.value
    assert error.exit_code == ExitCode.USAGE
    assert (error.kind, error.reason) == ("broken", "file is not a database")
    assert error.message == f"cannot open the conversation store {path}: file is not a database"
    assert (
        error.hint
        == "run `mistral conversations doctor`: it backs the file up and starts a fresh one"
    )
    assert error.not_saved == f"not saved: file is not a database ({path})"
    broken.close()


def test_a_lock_held_past_the_busy_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / FILENAME
    cid = seed(path, "q", "a")
    monkeypatch.setattr(ConversationStore, "timeout", 0.0)
    store = ConversationStore(path)
    store.check()  # opened before the other process took its lock
    with held_lock(path):
        with pytest.raises(StoreUnreadable, match=r"database is locked$") as reading:
            store.messages(cid)
        with pytest.raises(StoreWriteFailed, match=r"database is locked$") as writing:
            store.append(cid, [StoredMessage("user", "more")], "m")
    assert (reading.value.kind, writing.value.kind) == ("locked", "locked")
    assert writing.value.exit_code == ExitCode.ERROR
    assert "another mistral process is using it" in str(writing.value.hint)
    assert [m.content for m in store.messages(cid)] == ["q", "a"]  # the lock is gone: fine
    store.close()


def test_a_full_disk_shows_the_real_cause_not_cannot_rollback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / FILENAME
    cid = seed(path, "q", "a")
    monkeypatch.setattr(ConversationStore, "factory", PageLimited)
    full = ConversationStore(path)
    with pytest.raises(StoreWriteFailed) as raised:
        full.append(cid, [StoredMessage("user", "x" * 20_000)], "m")
    assert raised.value.reason == FULL  # SQLite rolled back by itself: no "cannot rollback"
    assert raised.value.kind == "full"
    assert raised.value.hint == "free some space, then run `mistral conversations doctor`"
    assert [m.content for m in full.messages(cid)] == ["q", "a"]
    assert not full._db.in_transaction
    full.close()


@pytest.mark.parametrize(
    ("error", "reason", "kind"),
    [
        (sqlite3.OperationalError(FULL), FULL, "full"),
        (sqlite3.OperationalError(READ_ONLY), READ_ONLY, "denied"),
        (OSError(errno.ENOSPC, "No space left on device"), "no space left on device", "full"),
        (sqlite3.OperationalError("disk I/O error"), "disk I/O error", "other"),
    ],
)
def test_injected_write_failures(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    reason: str,
    kind: str,
) -> None:
    path = tmp_path / FILENAME
    cid = seed(path, "q", "a")
    faults = Faults(error)
    monkeypatch.setattr(ConversationStore, "factory", failing(faults))
    store = ConversationStore(path)
    with pytest.raises(StoreWriteFailed) as raised:
        store.append(cid, [StoredMessage("user", "more")], "m")
    assert (raised.value.reason, raised.value.kind, faults.raised) == (reason, kind, 1)
    assert raised.value.message == f"cannot write the conversation store {path}: {reason}"
    assert [m.content for m in store.messages(cid)] == ["q", "a"]
    store.close()


def test_a_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = ConversationStore(blocker / FILENAME)
    with pytest.raises(StoreUnreadable, match=r"/file/conversations\.sqlite3: ") as raised:
        store.summaries()
    assert raised.value.kind == "other"


def test_appending_to_a_conversation_deleted_meanwhile(store: ConversationStore) -> None:
    cid = store.create("m", "t")
    other = ConversationStore(store.path)
    other.delete([cid])
    other.close()
    with pytest.raises(StoreWriteFailed, match=f"conversation {cid[:8]} was deleted meanwhile$"):
        store.append(cid, [StoredMessage("user", "q")], "m")
    assert store.summaries() == []


def test_our_own_mistakes_stay_bugs(store: ConversationStore) -> None:
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.summaries()


# ---------------------------------------------------------------- the doctor's backup


def test_back_up_moves_the_journals_first_and_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = garbage(folder / FILENAME)
    for suffix in ("-journal", "-wal"):
        (folder / f"{FILENAME}{suffix}").write_text(suffix)
        (folder / f"{FILENAME}{suffix}").chmod(0o644)
    taken = folder / f"{FILENAME}.broken-19700101-000000"
    taken.write_text("an earlier backup")
    backup = back_up(path, time.mktime((1970, 1, 1, 0, 0, 0, 0, 0, -1)))
    assert backup.name == f"{FILENAME}.broken-19700101-000000-2"
    assert sorted((p.name, oct(p.stat().st_mode & 0o777)) for p in folder.iterdir()) == [
        (taken.name, "0o644"),
        (backup.name, "0o600"),
        (f"{backup.name}-journal", "0o600"),
        (f"{backup.name}-wal", "0o600"),
    ]
    assert taken.read_text() == "an earlier backup"


def test_back_up_that_cannot_move_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = garbage(tmp_path / FILENAME)

    def refuse(self: Path, target: Path) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(WriteFailed) as raised:
        back_up(path, 0.0)
    assert raised.value.message == f"cannot move {path} aside: permission denied"
    assert raised.value.exit_code == ExitCode.ERROR
