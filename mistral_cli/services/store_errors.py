"""What went wrong with the conversation store, in SQLite's (or the OS's) own words.

A failure of the local database is never "a bug in mistral-cli": it is a broken, locked,
read-only or full file, named with its path and the way out (`mistral conversations doctor`).
Reading it (opening, listing, continuing) is exit 2, like any unreadable input; writing it
(`conversations rm`, `prune`) is exit 1, like any failed write. `chat` turns either into a
warning (`not saved: …`) and keeps the answer.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from mistral_cli.errors import CliError, ExitCode
from mistral_cli.fsio import reason as os_reason

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

DOCTOR = "mistral conversations doctor"
BROKEN, LOCKED, DENIED, FULL, GONE, OTHER = "broken", "locked", "denied", "full", "gone", "other"
# SQLite primary result codes (sqlite3.h), for errors that carry one
_KINDS_BY_CODE = {3: DENIED, 5: LOCKED, 6: LOCKED, 8: DENIED, 11: BROKEN, 13: FULL, 14: DENIED}
_KINDS_BY_CODE[26] = BROKEN  # SQLITE_NOTADB
# and by message, for errors raised without a code (or by an older SQLite)
_KINDS_BY_TEXT = (
    ("not a database", BROKEN),
    ("malformed", BROKEN),
    ("no such table", BROKEN),
    ("no such column", BROKEN),
    ("locked", LOCKED),
    ("busy", LOCKED),
    ("readonly", DENIED),
    ("read-only", DENIED),
    ("unable to open", DENIED),
    ("disk is full", FULL),
)
_HINTS = {
    BROKEN: f"run `{DOCTOR}`: it backs the file up and starts a fresh one",
    LOCKED: f"another mistral process is using it; try again, or run `{DOCTOR}`",
    DENIED: f"check the permissions of the file and its folder, or run `{DOCTOR}`",
    FULL: f"free some space, then run `{DOCTOR}`",
    GONE: "`mistral conversations list` shows the saved ones",
    OTHER: f"run `{DOCTOR}` to check it",
}


class StoreError(CliError):
    """The conversation store could not be used; `reason` is what SQLite or the OS said."""

    verb = "use"

    def __init__(self, path: Path, reason: str, kind: str = OTHER) -> None:
        super().__init__(
            f"cannot {self.verb} the conversation store {path}: {reason}", hint=_HINTS[kind]
        )
        self.path = path
        self.reason = reason
        self.kind = kind

    @property
    def not_saved(self) -> str:
        """The warning `chat` prints when it keeps the answer but could not save it."""
        return f"not saved: {self.reason} ({self.path})"


class StoreUnreadable(StoreError):
    """The store could not be opened or read (corrupt, locked, unreadable): exit 2."""

    exit_code = ExitCode.USAGE
    verb = "open"


class StoreWriteFailed(StoreError):
    """The store could not be written (full disk, read-only, locked): exit 1."""

    exit_code = ExitCode.ERROR
    verb = "write"


def kind_of(exc: BaseException) -> str:
    """BROKEN, LOCKED, DENIED, FULL or OTHER for an sqlite3.Error or OSError."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return FULL
        return DENIED if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else OTHER
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _KINDS_BY_CODE:
        return _KINDS_BY_CODE[code & 0xFF]
    text = str(exc).lower()
    return next((kind for part, kind in _KINDS_BY_TEXT if part in text), OTHER)


def reason_of(exc: BaseException) -> str:
    """The cause in a few words: SQLite's message, or the OS error's."""
    if isinstance(exc, OSError):
        return os_reason(exc)
    return str(exc) or type(exc).__name__


def failure(path: Path, exc: sqlite3.Error | OSError, *, writing: bool) -> StoreError:
    """The CliError for a failed read or write of the store at `path`."""
    kind = kind_of(exc)
    error = StoreWriteFailed if writing else StoreUnreadable
    return error(path, reason_of(exc), kind)
