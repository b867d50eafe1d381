"""Broken conversation stores for tests: garbage bytes, a lock held elsewhere, failing writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mistral_cli import fsio
from mistral_cli.services.conversations import FILENAME, ConversationStore, StoredMessage

FULL = "database or disk is full"
READ_ONLY = "attempt to write a readonly database"


def store_path(data_dir: Path) -> Path:
    """Where the CLI keeps the store under `data_dir`."""
    return data_dir / FILENAME


def garbage(path: Path) -> Path:
    """Replace `path` with bytes that are no SQLite database (private, as the CLI keeps it)."""
    fsio.private_dir(path.parent)
    path.write_bytes(b"this is no database\n" * 300)
    path.chmod(0o600)
    return path


def seed(path: Path, *texts: str, model: str = "mistral-small-latest") -> str:
    """A conversation of alternating user/assistant messages; returns its id."""
    store = ConversationStore(path)
    try:
        cid = store.create(model, texts[0] if texts else "empty")
        roles = ("user", "assistant")
        store.append(cid, [StoredMessage(roles[n % 2], t) for n, t in enumerate(texts)], model)
        return cid
    finally:
        store.close()


@contextmanager
def held_lock(path: Path) -> Iterator[None]:
    """Another connection holding an exclusive lock on the database meanwhile."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@dataclass
class Faults:
    """Which statements fail, with what, and how many times (None: always)."""

    error: BaseException
    prefixes: tuple[str, ...] = ("INSERT", "DELETE", "UPDATE")
    times: int | None = None
    raised: int = 0
    spared: str | None = "messages_fts"  # the search index's one-time build: tested apart

    def check(self, sql: str) -> None:
        if not sql.lstrip().upper().startswith(self.prefixes):
            return
        if self.spared is not None and self.spared in sql:
            return
        if self.times is not None and self.raised >= self.times:
            return
        self.raised += 1
        raise self.error


def failing(faults: Faults) -> type[sqlite3.Connection]:
    """A real SQLite connection class whose matching statements raise `faults.error`."""

    class Failing(sqlite3.Connection):
        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            faults.check(sql)
            return super().execute(sql, parameters)

        def executemany(self, sql: str, rows: Iterable[Any], /) -> sqlite3.Cursor:
            faults.check(sql)
            return super().executemany(sql, rows)

    return Failing


class PageLimited(sqlite3.Connection):
    """A connection that may not grow the file: SQLite's own SQLITE_FULL, as on a full disk."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        (pages,) = self.execute("PRAGMA page_count").fetchone()
        self.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
