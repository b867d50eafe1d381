"""`mistral conversations doctor`: check the store; back a broken one up and start afresh.

Nothing is deleted: a broken database (and the journals beside it) is renamed to
`conversations.sqlite3.broken-<timestamp>`, 0600, where SQLite tools can still open it.
A store that is locked or can't be opened is reported, never moved.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli import fsio
from mistral_cli.services.conversations import COLUMNS, SIDECARS, ConversationStore
from mistral_cli.services.store_errors import BROKEN, StoreUnreadable, kind_of, reason_of
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

OK, MISSING, REPAIRED = "ok", "missing", "repaired"
SHOWN_PROBLEMS = 3  # integrity_check may list thousands


@dataclass(frozen=True)
class Checkup:
    """What the doctor found and did."""

    path: Path
    status: str  # OK, MISSING or REPAIRED
    problem: str | None = None
    backup: Path | None = None
    conversations: int | None = None
    messages: int | None = None

    def lines(self) -> list[str]:
        """The report, one line per finding or action."""
        if self.status == MISSING:
            return [f"{self.path}: not created yet (the first saved chat creates it)"]
        if self.status == OK:
            counts = f"{counted(self.conversations or 0, 'conversation')} · " + counted(
                self.messages or 0, "message"
            )
            return [f"{self.path}: ok · {counts}"]
        return [
            f"{self.path}: broken ({self.problem})",
            f"backed up to {self.backup}",
            "started a fresh, empty conversation store",
        ]

    def as_json(self) -> dict[str, object]:
        """The report for --json."""
        return {
            "path": str(self.path),
            "status": self.status,
            "problem": self.problem,
            "backup": str(self.backup) if self.backup else None,
            "conversations": self.conversations,
            "messages": self.messages,
        }


def doctor(path: Path, *, clock: Callable[[], float] = time.time, timeout: float = 2.0) -> Checkup:
    """Check the store at `path`; if broken, back it up and create a fresh one.

    A locked or unreadable store raises StoreUnreadable (nothing is moved); a failed backup
    raises fsio.WriteFailed.
    """
    if not path.exists():
        return Checkup(path, MISSING)
    problem, counts = examine(path, timeout=timeout)
    if problem is None:
        return Checkup(path, OK, conversations=counts[0], messages=counts[1])
    backup = back_up(path, clock())
    fresh = ConversationStore(path)
    try:
        fresh.check()
    finally:
        fresh.close()
    return Checkup(path, REPAIRED, problem, backup)


def examine(path: Path, *, timeout: float) -> tuple[str | None, tuple[int, int]]:
    """(what is wrong or None, (conversations, messages)); StoreUnreadable if it can't tell."""
    uri = f"{path.resolve().as_uri()}?mode=rw"  # never creates; rw to roll back a hot journal
    try:
        db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise _cannot_check(path, exc) from exc
    try:
        return _inspect(db)
    except sqlite3.Error as exc:
        if kind_of(exc) != BROKEN:
            raise _cannot_check(path, exc) from exc
        return reason_of(exc), (0, 0)
    finally:
        db.close()


def _inspect(db: sqlite3.Connection) -> tuple[str | None, tuple[int, int]]:
    found = [row[0] for row in db.execute("PRAGMA integrity_check").fetchmany(SHOWN_PROBLEMS)]
    if found != ["ok"]:
        return "; ".join(str(line) for line in found), (0, 0)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return None, (0, 0)  # an empty file: the store makes its tables on first use
    for table, wanted in COLUMNS.items():
        if table not in tables:
            return f"the table {table} is missing", (0, 0)
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        missing = [column for column in wanted if column not in have]
        if missing:
            return f"the table {table} lacks {', '.join(missing)}", (0, 0)
    (conversations,) = db.execute("SELECT COUNT(*) FROM conversations").fetchone()
    (messages,) = db.execute("SELECT COUNT(*) FROM messages").fetchone()
    return None, (conversations, messages)


def _cannot_check(path: Path, exc: sqlite3.Error) -> StoreUnreadable:
    error = StoreUnreadable(path, reason_of(exc), kind_of(exc))
    error.hint = "nothing was changed; close other mistral sessions, then run the doctor again"
    return error


def back_up(path: Path, now: float) -> Path:
    """Rename the database and its journals aside (0600); returns the new database name."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    backup = path.with_name(f"{path.name}.broken-{stamp}")
    number = 1
    while any(_beside(backup, s).exists() for s in ("", *SIDECARS)):
        number += 1
        backup = path.with_name(f"{path.name}.broken-{stamp}-{number}")
    try:
        # journals first: a journal left under the old name would be replayed into the new file
        for suffix in (*SIDECARS, ""):
            source = _beside(path, suffix)
            if source.exists():
                source.rename(_beside(backup, suffix))
                with contextlib.suppress(OSError):
                    fsio.tighten(_beside(backup, suffix))
    except OSError as exc:
        raise fsio.WriteFailed(
            f"cannot move {path} aside: {fsio.reason(exc)}",
            hint="nothing was deleted; check the permissions of its folder",
        ) from None
    return backup


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)
