"""Private state: what the CLI writes under its data and cache dirs is 0600 in 0700 folders."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistral_cli import fsio
from mistral_cli.api.schemas.models import ModelCard
from mistral_cli.services import recent_ids
from mistral_cli.services.conversations import ConversationStore, StoredMessage
from mistral_cli.services.files import UploadCache
from mistral_cli.services.models import ModelCache
from tests.support import invoke, make_context


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common 022: without care, new files would be 0644 and folders 0755."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def loose_file(path: Path, text: str = "x", perms: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(perms)
    return path


# ---------------------------------------------------------------- fsio


def test_private_file_is_created_0600_or_tightened_keeping_the_owner_bits(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    assert fsio.private_file(fresh) is False
    assert mode(fresh) == 0o600
    assert fsio.private_file(loose_file(tmp_path / "loose")) is True
    assert mode(tmp_path / "loose") == 0o600
    read_only = loose_file(tmp_path / "read-only", perms=0o444)
    assert fsio.private_file(read_only) is True
    assert mode(read_only) == 0o400  # tightening never makes a file writable
    target = loose_file(tmp_path / "target")
    (tmp_path / "link").symlink_to(target)
    assert fsio.private_file(tmp_path / "link") is False
    assert mode(target) == 0o644  # a symlink's target is not ours to change


def test_private_state_tightens_only_what_matches(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o755)
    db = loose_file(folder / "conversations.sqlite3")
    journal = loose_file(folder / "conversations.sqlite3-journal", perms=0o664)
    other = loose_file(folder / "notes.txt")
    batch = folder / "batch"
    batch.mkdir()
    batch.chmod(0o755)
    request = loose_file(batch / "embed-1.requests.jsonl")
    changed = fsio.private_state(folder, ("conversations.sqlite3*", "batch"))
    assert [(c.path, c.was) for c in changed] == [
        (folder, 0o755),
        (batch, 0o755),
        (request, 0o644),
        (db, 0o644),
        (journal, 0o664),
    ]
    assert changed[0].notice() == f"tightened permissions of {folder} (was 0755)"
    assert [mode(p) for p in (folder, batch, request, db, journal)] == [0o700, 0o700] + [0o600] * 3
    assert mode(other) == 0o644  # not ours: untouched
    assert fsio.private_state(folder, ("conversations.sqlite3*", "batch")) == []


def test_private_state_creates_the_folder(tmp_path: Path) -> None:
    assert fsio.private_state(tmp_path / "a" / "b", ("*",)) == []
    assert mode(tmp_path / "a" / "b") == 0o700


# ---------------------------------------------------------------- each writer


def test_the_database_and_every_journal_sqlite_makes_are_0600(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = ConversationStore(data / "conversations.sqlite3")
    cid = store.create("m", "t")
    assert (mode(data), mode(store.path)) == (0o700, 0o600)
    db = store._db
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO messages VALUES (?, 0, 'user', 'q', 0, NULL, NULL, 0)", (cid,))
    journal = data / "conversations.sqlite3-journal"
    assert mode(journal) == 0o600  # the rollback journal, while the write is open
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode = WAL")
    store.append(cid, [StoredMessage("assistant", "a")], "m")
    assert {p.name: mode(p) for p in data.iterdir()} == {
        "conversations.sqlite3": 0o600,
        "conversations.sqlite3-wal": 0o600,
        "conversations.sqlite3-shm": 0o600,
    }
    store.close()


def test_an_existing_loose_database_and_journal_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = data / "conversations.sqlite3"
    data.mkdir()
    sqlite3.connect(path).close()
    path.chmod(0o644)
    wal = loose_file(data / "conversations.sqlite3-wal", "")
    data.chmod(0o755)
    store = ConversationStore(path)
    assert store.summaries() == []
    assert (mode(data), mode(path), mode(wal)) == (0o700, 0o600, 0o600)
    store.close()


def test_caches_and_recent_ids_are_0600(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    loose_file(cache / "model-ids.txt")  # an old one, written 0644
    models = ModelCache.for_account(cache, "https://api.mistral.ai", "key")
    models.save([ModelCard(id="mistral-small-latest")])
    recent_ids.remember(cache, "conversation", ["c1", "c2"])
    recent_ids.forget(cache, "conversation", ["c1"])
    UploadCache(cache / "uploads.json", "https://api.mistral.ai").forget("nothing")
    uploads = UploadCache(cache / "uploads.json", "https://api.mistral.ai")
    uploads._save({"scope sha": {"file_id": "f"}})
    files = sorted(cache.iterdir())
    assert [p.name for p in files] == [
        "conversation-ids.txt",
        "model-ids.txt",
        models.path.name,
        "uploads.json",
    ]
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert mode(cache) == 0o700
    assert (cache / "conversation-ids.txt").read_text() == "c2\n"


def test_the_repl_history_is_0600(tmp_path: Path) -> None:
    from mistral_cli.commands._editor import terminal_reader
    from mistral_cli.output import Output

    history = tmp_path / "data" / "history"
    terminal_reader(history, Output())
    assert (mode(history.parent), mode(history)) == (0o700, 0o600)
    history.chmod(0o644)
    terminal_reader(history, Output())
    assert mode(history) == 0o600


# ---------------------------------------------------------------- the one-time notice


def test_looser_state_is_tightened_with_a_notice_printed_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data, cache = home / "data", home / "cache"
    ConversationStore(data / "conversations.sqlite3").create("m", "t")  # as an old version did:
    (data / "conversations.sqlite3").chmod(0o644)
    cache.mkdir()
    for folder in (data, cache):
        folder.chmod(0o755)
    history = loose_file(data / "history")
    ids = loose_file(cache / "conversation-ids.txt", "")
    mine = loose_file(data / "my-notes.md")  # the user's, in a folder shared with us
    result = invoke(["conversations", "list"], make_context())
    assert result.exit_code == 0
    assert result.stderr == "".join(
        f"mistral: warning: tightened permissions of {path} (was {was:04o})\n"
        for path, was in [
            (data, 0o755),
            (data / "conversations.sqlite3", 0o644),
            (history, 0o644),
            (cache, 0o755),
            (ids, 0o644),
        ]
    )
    assert [mode(p) for p in (data, cache, history, ids)] == [0o700, 0o700, 0o600, 0o600]
    assert mode(mine) == 0o644
    again = invoke(["conversations", "list"], make_context())
    assert (again.exit_code, again.stderr) == (0, "")
