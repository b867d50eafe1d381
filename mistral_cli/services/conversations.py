"""The local conversation store: SQLite under the data dir (conversations.sqlite3)."""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.errors import UsageError, redact

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

FILENAME = "conversations.sqlite3"
TITLE_LENGTH = 60
SHORT_ID = 8
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, model TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL,
    partial INTEGER NOT NULL DEFAULT 0, prompt_tokens INTEGER, completion_tokens INTEGER,
    created REAL NOT NULL, PRIMARY KEY (conversation_id, seq));
CREATE INDEX IF NOT EXISTS conversations_updated ON conversations(updated);
"""
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class Conversation:
    """One saved conversation (turns = user messages)."""

    id: str
    title: str
    model: str
    created: float
    updated: float
    turns: int = 0

    @property
    def short_id(self) -> str:
        """The id as shown in lists (any unique prefix is accepted back)."""
        return self.id[:SHORT_ID]


@dataclass(frozen=True)
class StoredMessage:
    """One saved message; partial marks an answer cut short (Ctrl-C, broken stream)."""

    role: str
    content: str
    partial: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    created: float = 0.0


def title_of(prompt: str) -> str:
    """The first non-blank line of the first prompt, cut to TITLE_LENGTH characters."""
    line = next((ln.strip() for ln in prompt.splitlines() if ln.strip()), "")
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def parse_age(text: str) -> float:
    """'30d', '12h', '2w', '1d12h' → seconds; a usage error otherwise."""
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not parts or _DURATION.sub("", cleaned).strip():
        raise UsageError(f"cannot read the age {text!r}", hint="use e.g. 30d, 12h, 2w or 90m")
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


class ConversationStore:
    """Conversations and their messages; every method commits (safe across processes)."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._clock = clock
        self._db = sqlite3.connect(path, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path) -> ConversationStore:
        """The store in `data_dir` (created on first use)."""
        return cls(data_dir / FILENAME)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    # ------------------------------------------------------------ writing

    def create(self, model: str, title: str) -> str:
        """A new empty conversation; returns its id."""
        conversation_id = secrets.token_hex(8)
        now = self._clock()
        self._db.execute(
            "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
            (conversation_id, title, model, now, now),
        )
        return conversation_id

    def append(self, conversation_id: str, messages: Iterable[StoredMessage], model: str) -> None:
        """Add messages at the end of a conversation and mark it updated (with its model)."""
        now = self._clock()
        with self._transaction():
            (last,) = self._db.execute(
                "SELECT COALESCE(MAX(seq), -1) FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            rows = [
                (
                    conversation_id,
                    last + 1 + n,
                    m.role,
                    m.content,
                    int(m.partial),
                    m.prompt_tokens,
                    m.completion_tokens,
                    now,
                )
                for n, m in enumerate(messages)
            ]
            self._db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute(
                "UPDATE conversations SET updated = ?, model = ? WHERE id = ?",
                (now, model, conversation_id),
            )

    def drop_last(self, conversation_id: str, count: int) -> None:
        """Remove the last `count` messages (the REPL's /undo)."""
        self._db.execute(
            "DELETE FROM messages WHERE conversation_id = ? AND seq IN "
            "(SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?)",
            (conversation_id, conversation_id, count),
        )

    def delete(self, conversation_ids: Sequence[str]) -> None:
        """Remove conversations and their messages."""
        with self._transaction():
            self._db.executemany(
                "DELETE FROM conversations WHERE id = ?", [(cid,) for cid in conversation_ids]
            )

    def prune(self, older_than: float) -> int:
        """Remove conversations not updated for `older_than` seconds; returns how many."""
        cursor = self._db.execute(
            "DELETE FROM conversations WHERE updated < ?", (self._clock() - older_than,)
        )
        return cursor.rowcount

    # ------------------------------------------------------------ reading

    def summaries(self) -> list[Conversation]:
        """Every conversation, most recently updated first."""
        rows = self._db.execute(
            "SELECT c.id, c.title, c.model, c.created, c.updated, "
            "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user') "
            "FROM conversations c ORDER BY c.updated DESC, c.rowid DESC"
        ).fetchall()
        return [Conversation(*row) for row in rows]

    def latest(self) -> Conversation | None:
        """The most recently updated conversation."""
        found = self.summaries()
        return found[0] if found else None

    def find(self, prefix: str) -> Conversation:
        """The conversation whose id starts with `prefix`; a usage error if none or several."""
        wanted = prefix.strip().lower()
        matches = [c for c in self.summaries() if wanted and c.id.startswith(wanted)]
        if not matches:
            raise UsageError(
                f"no conversation with id {prefix!r}",
                hint="`mistral conversations list` shows them",
            )
        if len(matches) > 1:
            listed = ", ".join(f"{c.short_id} ({redact(c.title)})" for c in matches[:10])
            raise UsageError(f"the id {prefix!r} is ambiguous: {listed}", hint="give more of it")
        return matches[0]

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        """A conversation's messages in order."""
        rows = self._db.execute(
            "SELECT role, content, partial, prompt_tokens, completion_tokens, created "
            "FROM messages WHERE conversation_id = ? ORDER BY seq",
            (conversation_id,),
        ).fetchall()
        return [StoredMessage(r[0], r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on any exception, signals included)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


# ---------------------------------------------------------------- views

LIST_COLUMNS = ("ID", "TITLE", "MODEL", "UPDATED", "TURNS")


def when(stamp: float) -> str:
    """A local date and time, to the minute."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def iso(stamp: float) -> str:
    """An ISO 8601 UTC timestamp (for --json)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def plural(count: int, noun: str) -> str:
    """'1 conversation', '2 conversations'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_row(conversation: Conversation) -> list[str]:
    """One row of `conversations list`."""
    c = conversation
    return [c.short_id, redact(c.title), c.model, when(c.updated), str(c.turns)]


def summary_json(conversation: Conversation) -> dict[str, object]:
    """One conversation in `conversations list --json`."""
    c = conversation
    return {
        "id": c.id,
        "title": redact(c.title),
        "model": c.model,
        "created": iso(c.created),
        "updated": iso(c.updated),
        "turns": c.turns,
    }


def conversation_json(
    conversation: Conversation, messages: list[StoredMessage]
) -> dict[str, object]:
    """`conversations show --json`: the summary plus every message."""
    return {
        **summary_json(conversation),
        "messages": [
            {
                "role": m.role,
                "content": redact(m.content),  # a key pasted into a chat never leaves in an export
                "partial": m.partial,
                "prompt_tokens": m.prompt_tokens,
                "completion_tokens": m.completion_tokens,
                "created": iso(m.created),
            }
            for m in messages
        ],
    }


def transcript(conversation: Conversation, messages: list[StoredMessage]) -> str:
    """A markdown transcript: a heading, then each message under its role."""
    c = conversation
    lines = [f"# {c.title}", "", f"{c.short_id} · {c.model} · {when(c.created)}", ""]
    for m in messages:
        note = " (partial: cut short)" if m.partial else ""
        lines += [f"## {m.role}{note}", "", m.content.rstrip("\n"), ""]
    return redact("\n".join(lines))
