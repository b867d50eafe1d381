"""Search over the saved prompts and answers: SQLite FTS5, or a scan where FTS5 is missing.

The index, `messages_fts`, is an FTS5 table over `messages.content` (external content: the
text is not stored twice). Triggers on `messages` keep it in step with every insert, delete
(`conversations rm` and `prune` cascade to the messages) and update, whoever writes: this
version, an older one, or an `sqlite3` shell.

Schema version 1 (`PRAGMA user_version`) is that index. A store from before it is migrated
once, when it is first opened: table, triggers, the index of the messages already saved and
the new version are written in one transaction, so a crash or Ctrl-C leaves the store as it
was. Whether this SQLite has FTS5 is found out once per process. One without it searches
with a scan (the same words, case and accents ignored, the conversation with most matching
messages first); if it opens a store indexed elsewhere it drops the triggers (it could not run
them, and every write would fail), and the next SQLite with FTS5 rebuilds the index.

Matching is per message: a message matches when it holds every word of the search, as a word
or the beginning of one with FTS5 (`deploy` finds `deployment`), anywhere in a word without.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from typing import TYPE_CHECKING

from mistral_cli.errors import UsageError
from mistral_cli.services.store_errors import DENIED, FULL, LOCKED, kind_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from contextlib import AbstractContextManager

SCHEMA_VERSION = 1  # PRAGMA user_version once the index is built
SNIPPET_WORDS = 12
_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(content, content='messages', "
    "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
)
_TRIGGERS = {
    "messages_fts_insert": "AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, content) VALUES (new.rowid, new.content); END",
    "messages_fts_delete": "AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, content) "
    "VALUES ('delete', old.rowid, old.content); END",
    "messages_fts_update": "AFTER UPDATE OF content ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, content) "
    "VALUES ('delete', old.rowid, old.content); "
    "INSERT INTO messages_fts(rowid, content) VALUES (new.rowid, new.content); END",
}
_INDEX = frozenset({"messages_fts", *_TRIGGERS})
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 splits words


@functools.cache
def fts5_available() -> bool:
    """True when this process's SQLite has FTS5 (asked once)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute(_TABLE.replace("content='messages', content_rowid='rowid', ", ""))
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def prepare(
    db: sqlite3.Connection,
    transaction: Callable[[sqlite3.Connection], AbstractContextManager[None]],
) -> None:
    """Bring the store in step with this SQLite: build the index once, or drop its triggers.

    Runs in one `transaction(db)`. A store that can't be written now (read-only, locked,
    full) is left as it is: it is still read, and searched with a scan, until an open that
    can write builds the index.
    """
    present = _present(db)
    if (present == _INDEX) if fts5_available() else not (present & _TRIGGERS.keys()):
        return
    try:
        with transaction(db):
            if fts5_available():
                _build(db)
            else:
                for name in _TRIGGERS:
                    db.execute(f"DROP TRIGGER IF EXISTS {name}")
    except sqlite3.OperationalError as exc:
        if kind_of(exc) not in (DENIED, FULL, LOCKED):
            raise


def _build(db: sqlite3.Connection) -> None:
    if _present(db) == _INDEX:
        return  # another process built it while this one waited for the lock
    db.execute(_TABLE)
    db.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
    for name, body in _TRIGGERS.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    (version,) = db.execute("PRAGMA user_version").fetchone()
    db.execute(f"PRAGMA user_version = {max(version, SCHEMA_VERSION)}")


def indexed(db: sqlite3.Connection) -> bool:
    """True when the store has the index and the triggers that keep it in step."""
    return _present(db) == _INDEX


def _present(db: sqlite3.Connection) -> set[str]:
    found = db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'messages_fts%'")
    return {row[0] for row in found} & _INDEX


# ---------------------------------------------------------------- searching


def words(text: str) -> list[str]:
    """The words of a search; a usage error when it has none."""
    found = _WORD.findall(text)
    if not found:
        raise UsageError(
            f"--search needs a word to look for, got {text!r}",
            hint='e.g. --search "capital Australia"',
        )
    return found


def search(db: sqlite3.Connection, text: str) -> list[tuple[str, str]]:
    """(conversation id, snippet of its best matching message), the best match first."""
    terms = words(text)
    if fts5_available() and indexed(db):
        return _ranked(db, terms)
    return _scanned(db, terms)


def _ranked(db: sqlite3.Connection, terms: list[str]) -> list[tuple[str, str]]:
    query = " ".join(f'"{term}"*' for term in terms)  # letters and digits: nothing to escape
    rows = db.execute(
        "SELECT m.conversation_id, snippet(messages_fts, 0, '', '', '…', ?) "
        "FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid "
        "JOIN conversations c ON c.id = m.conversation_id "
        "WHERE messages_fts MATCH ? AND m.role IN ('user', 'assistant') "  # not system prompts
        "ORDER BY messages_fts.rank, c.updated DESC, c.rowid DESC, m.seq",
        (SNIPPET_WORDS, query),
    )
    return _best_each(rows)


def _scanned(db: sqlite3.Connection, terms: list[str]) -> list[tuple[str, str]]:
    folded = [fold(term) for term in terms]

    def holds_all(content: str) -> bool:
        text = fold(content)
        return all(term in text for term in folded)

    db.create_function("mistral_holds_all", 1, holds_all, deterministic=True)
    rows = db.execute(
        "SELECT m.conversation_id, m.content FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id "
        "WHERE m.role IN ('user', 'assistant') AND mistral_holds_all(m.content) "
        "ORDER BY c.updated DESC, c.rowid DESC, m.seq"
    )
    hits: dict[str, int] = {}
    first: dict[str, str] = {}
    for cid, content in rows:
        hits[cid] = hits.get(cid, 0) + 1
        first.setdefault(cid, content)
    ranked = sorted(first, key=lambda cid: -hits[cid])  # stable: the latest first on a tie
    return [(cid, around(first[cid], folded)) for cid in ranked]


def _best_each(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first row of each conversation, in order, its snippet on one line."""
    best: dict[str, str] = {}
    for cid, snippet in rows:
        best.setdefault(cid, " ".join(snippet.split()))
    return list(best.items())


def fold(text: str) -> str:
    """Lower case without accents (`Café` → `cafe`), as FTS5's unicode61 compares words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def around(content: str, folded: list[str]) -> str:
    """SNIPPET_WORDS words of `content` around the first one holding a search word."""
    spaced = content.split()
    first = next(
        (n for n, word in enumerate(spaced) if any(term in fold(word) for term in folded)), 0
    )
    start = max(0, min(first - 3, len(spaced) - SNIPPET_WORDS))
    end = start + SNIPPET_WORDS
    text = " ".join(spaced[start:end])
    return ("…" if start else "") + text + ("…" if end < len(spaced) else "")
