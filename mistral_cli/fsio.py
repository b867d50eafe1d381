"""Local files the careful way: private state, atomic writes, safe output paths, locks.

Every file the CLI writes goes through here, so the rules live in one place:
- state (config, caches, history, the conversation store) is 0600 in 0700 folders;
- a write is a temporary file created with O_CREAT|O_EXCL|O_NOFOLLOW in the target's folder, then
  renamed, so a planted symlink is never followed and a crash never leaves half a file;
- a user's output path is never overwritten without `--force`; `-` is stdout; a character device
  or FIFO (`/dev/stdout`, a named pipe) is written directly;
- a name chosen by the server is reduced to a safe basename.
A leaf: imports nothing from the CLI's layers.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import secrets
import stat
import sys
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal, overload

from mistral_cli.errors import CliError, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PUBLIC_FILE = 0o666  # user outputs: the umask decides, as for any file the user creates
MAX_NAME = 200  # bytes of a basename we create (most file systems allow 255)
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS |= getattr(os, "O_CLOEXEC", 0)


class WriteFailed(CliError):
    """A local file could not be written (disk full, no permission): exit 1 naming the file."""


def reason(exc: OSError) -> str:
    """A short human reason for an OSError ("no space left on device")."""
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno == errno.EDQUOT:
        return "disk quota exceeded"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def write_failed(path: Path | str, exc: OSError) -> WriteFailed:
    """The exit-1 error for a failed write of `path`."""
    return WriteFailed(
        f"cannot write {path}: {reason(exc)}",
        hint="free some space or choose another location" if exc.errno == errno.ENOSPC else None,
    )


# ---------------------------------------------------------------- private state


def loose(path: Path) -> bool:
    """True when group or others have any access to `path` (a symlink's target is not checked)."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    return not stat.S_ISLNK(mode) and bool(mode & 0o077)


def private_dir(path: Path) -> list[Path]:
    """Create `path` (and missing parents) as 0700; tighten it if it exists looser.

    Returns the folders whose mode was tightened (for a one-time notice); parents that already
    existed are left alone (they may be ~/.cache, shared with other programs).
    """
    tightened: list[Path] = []
    if not path.exists():
        path.mkdir(parents=True, mode=PRIVATE_DIR, exist_ok=True)
        path.chmod(PRIVATE_DIR)  # mkdir's mode is filtered by the umask
        return tightened
    if loose(path) and path.is_dir():
        _strip_shared(path)
        tightened.append(path)
    return tightened


def tighten(path: Path) -> bool:
    """Take group and other access away from an existing regular file (0644 → 0600).

    True if it was looser. Never follows a symlink; the owner's own bits are kept, so a
    read-only file stays read-only.
    """
    if not loose(path) or not path.is_file():
        return False
    _strip_shared(path)
    return True


def _strip_shared(path: Path) -> None:
    path.chmod(stat.S_IMODE(path.lstat().st_mode) & ~0o077)


def private_file(path: Path) -> bool:
    """Create `path` empty as 0600 if it is missing, else tighten it; True if it was tightened.

    For state files other programs write in place (SQLite, prompt_toolkit's history): they
    keep the mode of the file they find. An existing file is not opened (it may be read-only);
    a symlink is left alone. OSError propagates.
    """
    try:
        os.close(os.open(path, _OPEN_FLAGS, PRIVATE_FILE))
    except FileExistsError:
        return tighten(path)
    path.chmod(PRIVATE_FILE)  # os.open's mode is filtered by the umask
    return False


@dataclass(frozen=True)
class Tightened:
    """A state file or folder whose permissions were tightened, and its mode before."""

    path: Path
    was: int

    def notice(self) -> str:
        """`mistral: tightened permissions of FILE (was 0644)`."""
        return f"mistral: tightened permissions of {self.path} (was {self.was:04o})"


def private_state(folder: Path, patterns: Iterable[str]) -> list[Tightened]:
    """Make `folder` a private state folder: created 0700, or tightened with what it holds.

    Only the entries matching `patterns` (glob patterns of names in `folder`) are touched, so a
    folder shared by mistake (MISTRAL_DATA_DIR=~) loses no access to other files: matching
    files are tightened, matching subfolders become 0700 and their files are tightened.
    Returns what was tightened, for a one-time notice. OSError propagates.
    """
    changed = [Tightened(folder, _mode(folder))] if loose(folder) else []
    private_dir(folder)
    names = tuple(patterns)
    for entry in sorted(folder.iterdir()):
        if not any(fnmatch.fnmatchcase(entry.name, pattern) for pattern in names):
            continue
        was = _mode(entry)
        if entry.is_dir() and not entry.is_symlink():
            changed += [Tightened(entry, was)] if private_dir(entry) else []
            inside = [(item, _mode(item)) for item in sorted(entry.iterdir())]
            changed += [Tightened(item, mode) for item, mode in inside if tighten(item)]
        elif tighten(entry):
            changed.append(Tightened(entry, was))
    return changed


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _temp_beside(target: Path, mode: int) -> tuple[int, Path]:
    """A new, exclusively created, never-followed temporary file in `target`'s folder."""
    stem = target.name[: MAX_NAME - 24]
    for _ in range(16):
        tmp = target.with_name(f".{stem}.{secrets.token_hex(4)}.part")
        try:
            return os.open(tmp, _OPEN_FLAGS, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "cannot create a temporary file", str(target.parent))


def atomic_write(
    path: Path, data: bytes | str, *, mode: int = PRIVATE_FILE, through_symlink: bool = False
) -> Path:
    """Replace `path` with `data` atomically (temp file, fsync, rename); returns the file written.

    With `through_symlink`, a symlink at `path` is kept and its final target is replaced (the
    user's own config file may be a link into a dotfiles repository); otherwise a symlink at
    `path` is replaced by the new file and its target is never touched. OSError propagates.
    """
    target = path.resolve() if through_symlink and path.is_symlink() else path
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _temp_beside(target, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if mode == PRIVATE_FILE:
            tmp.chmod(PRIVATE_FILE)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<path>.lock` (beside `path`) for a read-modify-write."""
    import fcntl  # noqa: PLC0415  # POSIX only; imported where used

    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


# ---------------------------------------------------------------- user output paths


def is_stdout(path: str | Path) -> bool:
    """True for `-`, which means standard output."""
    return str(path) == "-"


def is_stream(path: Path) -> bool:
    """True when `path` is (or links to) a character device or FIFO: written directly."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def check_new(path: Path, *, force: bool, flag: str = "--force") -> None:
    """Refuse (exit 2) an existing output path unless `force`; streams and `-` always pass."""
    if is_stdout(path) or is_stream(path) or force:
        return
    if path.exists() or path.is_symlink():
        raise UsageError(f"{path} already exists", hint=f"pass {flag} to overwrite it")


@overload
def open_output(
    path: Path, *, force: bool, binary: Literal[True], flag: str = ...
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
@overload
def open_output(
    path: Path, *, force: bool, binary: Literal[False] = ..., flag: str = ...
) -> contextlib.AbstractContextManager[IO[str]]: ...
def open_output(
    path: Path, *, force: bool, binary: bool = False, flag: str = "--force"
) -> contextlib.AbstractContextManager[IO[bytes]] | contextlib.AbstractContextManager[IO[str]]:
    """Open an output path safely; the file appears (whole) only when the block succeeds.

    `-` is stdout (left open); a character device or FIFO is opened and written directly;
    otherwise a temporary file beside `path` is written and, at the end, renamed onto it —
    without `force` only if nothing appeared there meanwhile (exit 2 if something did).
    A failed write is exit 1 naming the file; on any failure the temporary file is removed.
    """
    return _open_output(path, force=force, binary=binary, flag=flag)


@contextmanager
def _open_output(path: Path, *, force: bool, binary: bool, flag: str) -> Iterator[IO[Any]]:
    check_new(path, force=force, flag=flag)
    if is_stdout(path):
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    if is_stream(path):
        try:
            handle = path.open("ab" if binary else "a", encoding=None if binary else "utf-8")
        except OSError as exc:
            raise write_failed(path, exc) from None
        with handle:
            yield handle
        return
    try:
        fd, tmp = _temp_beside(path, PUBLIC_FILE)
    except OSError as exc:
        raise write_failed(path, exc) from None
    try:
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _publish(tmp, path, force=force, flag=flag)
    except OSError as exc:
        raise write_failed(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def _publish(tmp: Path, path: Path, *, force: bool, flag: str) -> None:
    """Rename `tmp` onto `path`; without `force`, never replace something that appeared."""
    if force:
        tmp.replace(path)
        return
    try:
        os.link(tmp, path, follow_symlinks=False)  # fails if `path` exists: no clobbering
    except FileExistsError:
        raise UsageError(f"{path} already exists", hint=f"pass {flag} to overwrite it") from None
    except OSError as exc:  # a file system without hard links: check, then rename
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        check_new(path, force=False, flag=flag)
        tmp.replace(path)


def safe_basename(name: str, *, fallback: str) -> str:
    r"""A server-chosen file name reduced to a harmless basename in the current folder.

    No folder parts (`/` or `\`), no control or format characters, no leading dots (no hidden
    `.bashrc`), at most MAX_NAME bytes; `fallback` when nothing usable is left.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(
        ch for ch in base if ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zl")
    )
    base = base.strip().lstrip(".").strip()
    while len(base.encode("utf-8")) > MAX_NAME:
        base = base[:-1]
    return base or fallback
