"""The local conversation store: SQLite under the data dir (conversations.sqlite3).

The file and the journals SQLite makes beside it (-journal, -wal, -shm: SQLite gives them the
database file's mode) are 0600 in a 0700 folder. Every failure of SQLite or the file system is
a StoreError naming the file (services/store_errors.py), never an internal error.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from mistral_cli import fsio, values
from mistral_cli.errors import UsageError, redact
from mistral_cli.services import conversation_index
from mistral_cli.services.store_errors import GONE, StoreWriteFailed, failure

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from pathlib import Path

FILENAME = "conversations.sqlite3"
SIDECARS = ("-journal", "-wal", "-shm")  # files SQLite keeps beside the database
BUSY_TIMEOUT = 10.0  # seconds to wait for another process's write before giving up
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
# Added since the first stores, in tables of their own (made on first use, like the others):
# a message's attachments, tool calls or tool answer as JSON (services/chat/content.py reads
# and writes it; plain text has no row), and the bytes of attached images by SHA-256, kept
# while a message refers to them.
_PARTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS message_parts (
    conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, parts TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    FOREIGN KEY (conversation_id, seq) REFERENCES messages(conversation_id, seq)
        ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY, mime TEXT NOT NULL, data BLOB NOT NULL, created REAL NOT NULL);
"""
COLUMNS = {
    "conversations": ("id", "title", "model", "created", "updated"),
    "messages": (
        "conversation_id",
        "seq",
        "role",
        "content",
        "partial",
        "prompt_tokens",
        "completion_tokens",
        "created",
    ),
}


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


class MessageKey(NamedTuple):
    """Which saved message this is: its place and the moment its write happened.

    A place (seq) freed by a deletion can be taken again; place and time together cannot, so
    a session removes exactly the messages it saw, never a newer one in the same place.
    """

    conversation_id: str
    seq: int
    created: float


@dataclass(frozen=True)
class Blob:
    """Bytes kept by their SHA-256 (an attached image), with their media type."""

    sha256: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class StoredMessage:
    """One saved message; partial marks an answer cut short (Ctrl-C, broken stream).

    `content` is the text; `parts` the rest as JSON (attachments, tool calls), None for plain
    text. `blobs` are written with the message (the bytes its parts refer to by hash); they
    are not read back with it (`ConversationStore.blob`).
    """

    role: str
    content: str
    partial: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    created: float = 0.0
    seq: int | None = None  # set when read from the store
    parts: str | None = None
    blobs: tuple[Blob, ...] = ()


def title_of(prompt: str) -> str:
    """The first non-blank line of the first prompt, cut to TITLE_LENGTH characters."""
    line = next((ln.strip() for ln in prompt.splitlines() if ln.strip()), "")
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def parse_age(text: str, name: str = "--older-than") -> float:
    """'30d', '12h', '2w', '1d12h' → seconds (values.duration; a bare number is refused)."""
    return values.duration(text, name, units=True)


class ConversationStore:
    """Conversations and their messages; every method commits (safe across processes).

    The database is opened on first use: a new conversation touches it only when its first
    answer is saved, so a broken or locked file never delays (or costs) the answer.
    `factory` and `timeout` are test seams (a connection class that fails, a short wait).
    """

    factory: type[sqlite3.Connection] = sqlite3.Connection
    timeout: float = BUSY_TIMEOUT

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._connection: sqlite3.Connection | None = None
        self._closed = False
        self._parts = True  # the parts tables are there (an old read-only store lacks them)

    @classmethod
    def open(cls, data_dir: Path) -> ConversationStore:
        """The store in `data_dir` (created on first use)."""
        return cls(data_dir / FILENAME)

    @property
    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        if self._connection is None:
            with self._failing(writing=False):
                self._connection = self._connect()
        return self._connection

    def _connect(self) -> sqlite3.Connection:
        try:  # 0600 before SQLite opens it: SQLite gives its journals the database's mode
            fsio.private_dir(self.path.parent)
            fsio.private_file(self.path)
            for suffix in SIDECARS:
                fsio.tighten(self.path.with_name(self.path.name + suffix))
        except OSError:
            if not self.path.is_file():
                raise  # it could not be created: that is the reason to give
            # else (a read-only file system, say) SQLite says whether it can be read
        db = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, factory=self.factory
        )
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.executescript(_SCHEMA)
            self._parts = _add_parts_tables(db)
            conversation_index.prepare(db, _Transaction)  # the search index, built once
        except BaseException:
            db.close()
            raise
        return db

    def check(self) -> None:
        """Open the database now (the REPL asks before the first turn); StoreError if it can't."""
        with self._failing(writing=False):
            self._db.execute("SELECT COUNT(*) FROM conversations").fetchone()

    def close(self) -> None:
        """Close the database (for good: a closed store is not opened again)."""
        self._closed = True
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None

    @contextlib.contextmanager
    def _failing(self, *, writing: bool) -> Iterator[None]:
        """Turn SQLite's and the file system's errors into a StoreError naming the file."""
        try:
            yield
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # our own mistake: a bug, reported as one
        except (sqlite3.Error, OSError) as exc:
            raise failure(self.path, exc, writing=writing) from exc

    # ------------------------------------------------------------ writing

    def create(self, model: str, title: str) -> str:
        """A new empty conversation; returns its id."""
        conversation_id, _ = self.save(None, [], model, title=title)
        return conversation_id

    def append(
        self, conversation_id: str, messages: Iterable[StoredMessage], model: str
    ) -> list[MessageKey]:
        """Add messages at the end of a conversation and mark it updated (with its model)."""
        return self.save(conversation_id, messages, model)[1]

    def save(
        self,
        conversation_id: str | None,
        messages: Iterable[StoredMessage],
        model: str,
        *,
        title: str = "",
        dropping: Sequence[MessageKey] = (),
    ) -> tuple[str, list[MessageKey]]:
        """In one transaction: remove `dropping`, create the conversation (id None), append.

        Returns the conversation id and the keys of the appended messages. A conversation
        deleted meanwhile (`conversations rm` in another shell) is a StoreWriteFailed.
        """
        rows = list(messages)
        with self._failing(writing=True), self._transaction():
            now = self._now()
            self._drop(dropping)
            if conversation_id is None:
                conversation_id = secrets.token_hex(8)
                self._db.execute(
                    "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                    (conversation_id, title, model, now, now),
                )
            elif not self._exists(conversation_id):
                reason = f"conversation {conversation_id[:SHORT_ID]} was deleted meanwhile"
                raise StoreWriteFailed(self.path, reason, GONE)
            (last,) = self._db.execute(
                "SELECT COALESCE(MAX(seq), -1) FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            keys = [MessageKey(conversation_id, last + 1 + n, now) for n in range(len(rows))]
            self._db.executemany(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        *key[:2],
                        m.role,
                        m.content,
                        int(m.partial),
                        m.prompt_tokens,
                        m.completion_tokens,
                        now,
                    )
                    for key, m in zip(keys, rows, strict=True)
                ],
            )
            self._put_parts(keys, rows)
            self._db.execute(
                "UPDATE conversations SET updated = ?, model = ? WHERE id = ?",
                (now, model, conversation_id),
            )
        return conversation_id, keys

    def drop(self, keys: Sequence[MessageKey]) -> int:
        """Remove these messages (the REPL's /undo: only those the session saw); how many."""
        with self._failing(writing=True), self._transaction():
            return self._drop(keys)

    def _put_parts(self, keys: Sequence[MessageKey], rows: Sequence[StoredMessage]) -> None:
        rich = [(key, m) for key, m in zip(keys, rows, strict=True) if m.parts is not None]
        if not rich:
            return
        if not self._parts:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        self._db.executemany(
            "INSERT OR REPLACE INTO message_parts VALUES (?, ?, ?)",
            [(key.conversation_id, key.seq, m.parts) for key, m in rich],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO blobs VALUES (?, ?, ?, ?)",
            [(b.sha256, b.mime, b.data, self._clock()) for _, m in rich for b in m.blobs],
        )

    def _forget_blobs(self) -> None:
        """Remove the bytes no message refers to any more (after a deletion)."""
        if self._parts:
            self._db.execute(
                "DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM message_parts "
                "WHERE instr(parts, blobs.sha256) > 0)"
            )

    def blob(self, sha256: str) -> Blob | None:
        """The bytes kept under this hash, if any."""
        with self._failing(writing=False):
            db = self._db
            if not self._parts:
                return None
            row = db.execute("SELECT mime, data FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        return None if row is None else Blob(sha256, row[0], bytes(row[1]))

    def delete(self, conversation_ids: Sequence[str]) -> None:
        """Remove conversations and their messages."""
        with self._failing(writing=True), self._transaction():
            self._db.executemany(
                "DELETE FROM conversations WHERE id = ?", [(cid,) for cid in conversation_ids]
            )
            self._forget_blobs()

    def prune(self, older_than: float) -> int:
        """Remove conversations not updated for `older_than` seconds; returns how many."""
        with self._failing(writing=True), self._transaction():
            cursor = self._db.execute(
                "DELETE FROM conversations WHERE updated < ?", (self._clock() - older_than,)
            )
            self._forget_blobs()
        return cursor.rowcount

    def _drop(self, keys: Sequence[MessageKey]) -> int:
        if not keys:
            return 0
        cursor = self._db.executemany(
            "DELETE FROM messages WHERE conversation_id = ? AND seq = ? AND created = ?", keys
        )
        self._forget_blobs()
        return max(cursor.rowcount, 0)

    def _exists(self, conversation_id: str) -> bool:
        found = self._db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,))
        return found.fetchone() is not None

    def _now(self) -> float:
        """The clock, but after every write so far: each write's moment is its own."""
        (latest,) = self._db.execute("SELECT MAX(updated) FROM conversations").fetchone()
        now = self._clock()
        return now if latest is None or now > latest else latest + 1e-6

    # ------------------------------------------------------------ reading

    def summaries(self) -> list[Conversation]:
        """Every conversation, most recently updated first."""
        with self._failing(writing=False):
            rows = self._db.execute(
                "SELECT c.id, c.title, c.model, c.created, c.updated, (SELECT COUNT(*) "
                "FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user') "
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

    def listing(self, search: str | None = None) -> list[Found]:
        """Every conversation, latest first; or, with `search`, those it finds, best first.

        A search finds the conversations with a prompt or answer holding every word, each
        with a snippet of its best matching message (services/conversation_index.py).
        """
        summaries = self.summaries()
        if search is None:
            return [Found(c) for c in summaries]
        with self._failing(writing=False):
            hits = conversation_index.search(self._db, search)
        by_id = {c.id: c for c in summaries}
        return [Found(by_id[cid], snippet) for cid, snippet in hits if cid in by_id]

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        """A conversation's messages in order."""
        with self._failing(writing=False):
            db = self._db  # opened first: it says whether the parts tables are there
            query = _READ_MESSAGES if self._parts else _READ_PLAIN_MESSAGES
            rows = db.execute(query, (conversation_id,)).fetchall()
        return [StoredMessage(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6], r[7]) for r in rows]

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


_READ_MESSAGES = (
    "SELECT role, content, partial, prompt_tokens, completion_tokens, created, seq, "
    "(SELECT p.parts FROM message_parts p "
    "WHERE p.conversation_id = m.conversation_id AND p.seq = m.seq) "
    "FROM messages m WHERE conversation_id = ? ORDER BY seq"
)
_READ_PLAIN_MESSAGES = (  # an old store opened read-only: no parts table
    "SELECT role, content, partial, prompt_tokens, completion_tokens, created, seq, NULL "
    "FROM messages WHERE conversation_id = ? ORDER BY seq"
)


def _add_parts_tables(db: sqlite3.Connection) -> bool:
    """Make the parts tables if missing; False when they can't be (an old read-only store)."""
    try:
        db.executescript(_PARTS_SCHEMA)
    except sqlite3.OperationalError:
        return False  # read as plain text; a write of parts says why it fails
    return True


class Found(NamedTuple):
    """A conversation listed; found by a search, with a snippet of its best matching message."""

    conversation: Conversation
    snippet: str | None = None


def key_of(conversation_id: str, message: StoredMessage) -> MessageKey:
    """The key of a message read from the store."""
    assert message.seq is not None, "a message read from the store has its seq"
    return MessageKey(conversation_id, message.seq, message.created)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on any exception, signals included).

    SQLite rolls a transaction back by itself after some errors (a full disk): the ROLLBACK
    is then skipped, so the error the user sees is the real one, never "cannot rollback".
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self._rollback()
            return
        try:
            self._db.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")


# ---------------------------------------------------------------- views

LIST_COLUMNS = ("ID", "TITLE", "MODEL", "UPDATED", "TURNS")


def when(stamp: float) -> str:
    """A local date and time, to the minute."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def iso(stamp: float) -> str:
    """An ISO 8601 UTC timestamp (for --json)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def summary_row(conversation: Conversation) -> list[str]:
    """One row of `conversations list`."""
    c = conversation
    return [c.short_id, redact(c.title), c.model, when(c.updated), str(c.turns)]


def named(conversation: Conversation) -> str:
    """`3f9a1c07 "Capital of Australia?"`: how a question names a conversation."""
    return f'{conversation.short_id} "{redact(conversation.title)}"'


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


SEARCH_COLUMNS = ("ID", "TITLE", "UPDATED", "SNIPPET")


def found_row(found: Found) -> list[str]:
    """One row of `conversations list`, with the snippet instead of model and turns."""
    c = found.conversation
    if found.snippet is None:
        return summary_row(c)
    return [c.short_id, redact(c.title), when(c.updated), redact(found.snippet)]


def found_json(found: Found) -> dict[str, object]:
    """One conversation in `conversations list --json`; a search adds its snippet."""
    if found.snippet is None:
        return summary_json(found.conversation)
    return {**summary_json(found.conversation), "snippet": redact(found.snippet)}


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
                **({"parts": parts} if (parts := parts_of(redact(m.parts or ""))) else {}),
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
        lines += [f"## {m.role}{note}", "", m.content.rstrip("\n"), *parts_lines(m.parts), ""]
    return redact("\n".join(lines))


def parts_of(parts: str | None) -> dict[str, object]:
    """A message's parts as saved (attachments, tool calls); {} when none or unreadable."""
    try:
        extra = json.loads(parts) if parts else {}
    except ValueError:
        return {}
    return extra if isinstance(extra, dict) else {}


def parts_lines(parts: str | None) -> list[str]:
    """What a message carries beside its text, one line each (attachments, tool calls)."""
    extra: dict[str, Any] = parts_of(parts)
    lines: list[str] = []
    names = [p.get("name") for p in extra.get("parts") or [] if isinstance(p, dict)]
    if names:
        lines.append(f"> attached: {', '.join(str(name) for name in names)}")
    for call in extra.get("tool_calls") or []:
        if isinstance(call, dict):
            arguments = call.get("arguments")
            shown = arguments if isinstance(arguments, str) else json.dumps(arguments)
            lines.append(f"> tool call: {call.get('name')}({shown}) (id {call.get('id')})")
    if extra.get("tool_call_id"):
        lines.append(f"> answers tool call {extra['tool_call_id']} ({extra.get('name')})")
    return lines
