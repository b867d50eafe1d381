"""Local files the careful way: private state, atomic writes, safe output paths, locks.

Every file the CLI writes goes through here, so the rules live in one place:
- state (config, caches, history, the conversation store) is 0600 in 0700 folders;
- a write is a temporary file created with O_CREAT|O_EXCL|O_NOFOLLOW in the target's folder, then
  renamed, so a planted symlink is never followed and a crash never leaves half a file;
- a user's output path is never overwritten without `--force`; `-` is stdout; a character device
  or FIFO (`/dev/stdout`, a named pipe) is written directly;
- a name chosen by the server is reduced to a safe basename;
- a record write holds Ctrl-C and SIGTERM until it is whole.
A leaf: imports nothing from the CLI's layers.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import re
import secrets
import signal
import stat
import sys
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal, overload

from mistral_cli.errors import CliError, PipeClosed, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path
    from types import FrameType

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
        """`tightened permissions of FILE (was 0644)`: a warning, said once."""
        return f"tightened permissions of {self.path} (was {self.was:04o})"


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


# /dev/stdout and friends name an open descriptor (a terminal, a pipe, or the file a shell
# redirected to): written directly, like a device, never replaced.
_FD_PATH = re.compile(r"/dev/std(?:out|err)|/dev/fd/\d+|/proc/(?:self|thread-self|\d+)/fd/\d+")


def is_stream(path: Path) -> bool:
    """True when `path` is (or links to) a character device or FIFO, or names an open descriptor.

    Such a path is written directly (appended to), never replaced by a new file.
    """
    if _FD_PATH.fullmatch(str(path)):
        return True
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
        raise already_exists(path, flag)


def check_folder(path: Path) -> None:
    """Refuse (exit 2) an output path whose folder does not exist: a typo, caught before work."""
    if is_stdout(path) or is_stream(path) or path.parent.is_dir():
        return
    raise UsageError(f"cannot write {path}: there is no folder {path.parent}")


def already_exists(path: Path, flag: str = "--force") -> UsageError:
    """The exit-2 error for an output path that exists, naming the flag that allows it."""
    return UsageError(f"{path} already exists", hint=f"pass {flag} to overwrite it")


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
        try:
            yield stream
            stream.flush()
        except BrokenPipeError:  # `| head`: a normal ending, as Output treats it
            _quiet_stdout()
            raise PipeClosed from None
        except OSError as exc:
            _quiet_stdout()  # the exit flush would fail the same way
            raise write_failed("stdout", exc) from None
        return
    if is_stream(path):
        try:
            handle = path.open("ab" if binary else "a", encoding=None if binary else "utf-8")
        except OSError as exc:
            raise write_failed(path, exc) from None
        with _guarded(path, handle) as direct:
            yield direct
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


def open_progressive(
    path: Path, *, force: bool, flag: str = "--force"
) -> contextlib.AbstractContextManager[IO[bytes]]:
    """Open an output that is written as the work goes, so what was done survives an interrupt.

    The file is created at once: exclusively and never through a symlink (an existing path
    needs `force`, and is then replaced by renaming a fresh temporary file onto it before
    anything is written). `-` is stdout; a device or FIFO is written directly. Failed writes
    are exit 1 naming the file.
    """
    return _open_progressive(path, force=force, flag=flag)


@contextmanager
def _open_progressive(path: Path, *, force: bool, flag: str) -> Iterator[IO[bytes]]:
    check_new(path, force=force, flag=flag)
    if is_stdout(path) or is_stream(path):
        with open_output(path, force=force, binary=True, flag=flag) as direct:
            yield direct
        return
    try:
        fd = _create_now(path, force=force, flag=flag)
    except OSError as exc:
        raise write_failed(path, exc) from None
    with _guarded(path, os.fdopen(fd, "wb")) as handle:
        yield handle


def _create_now(path: Path, *, force: bool, flag: str) -> int:
    if not force:
        try:
            return os.open(path, _OPEN_FLAGS, PUBLIC_FILE)
        except FileExistsError:
            raise already_exists(path, flag) from None
    fd, tmp = _temp_beside(path, PUBLIC_FILE)
    try:
        tmp.replace(path)  # replaces a symlink at `path`, never what it points to
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    return fd


def open_append(path: Path) -> contextlib.AbstractContextManager[IO[bytes]]:
    """Open an existing regular file to append to it, never through a symlink (`--resume`)."""
    return _guarded(path, open_existing(path, append=True))


def open_existing(path: Path, *, append: bool = False) -> IO[bytes]:
    """Open an existing regular file to read and write (or append), never through a symlink.

    A symlink, a FIFO or a device is refused (exit 2); a missing file is FileNotFoundError.
    """
    flags = (os.O_WRONLY | os.O_APPEND) if append else os.O_RDWR
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK
    not_regular = UsageError(f"{path} is not a regular file", hint="name a regular file")
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise UsageError(
                f"{path} is a symbolic link; it is not followed",
                hint="name the file itself, or write to a new file",
            ) from None
        if exc.errno == errno.ENXIO:  # a FIFO nobody reads
            raise not_regular from None
        if isinstance(exc, FileNotFoundError):
            raise
        raise write_failed(path, exc) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise not_regular
    os.set_blocking(fd, True)
    return os.fdopen(fd, "ab" if append else "r+b")


def remove_created(path: Path, handle: IO[Any]) -> None:
    """Remove `path` if it is still the regular file open as `handle` (one we made in vain)."""
    try:
        ours, there = os.fstat(handle.fileno()), os.lstat(path)
    except (OSError, ValueError):
        return
    if stat.S_ISREG(there.st_mode) and (ours.st_dev, ours.st_ino) == (there.st_dev, there.st_ino):
        path.unlink(missing_ok=True)


@contextmanager
def _guarded(path: Path, handle: IO[Any]) -> Iterator[IO[Any]]:
    """Close `handle` however the block ends; a failed write or close is exit 1 naming `path`."""
    try:
        with handle:
            yield handle
    except OSError as exc:
        raise write_failed(path, exc) from None


def _quiet_stdout() -> None:
    """Point fd 1 at /dev/null: the interpreter's exit flush must not fail again."""
    with contextlib.suppress(OSError, ValueError):
        target = sys.stdout.fileno()  # a swapped-in stream without one (tests) is left alone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, target)
        os.close(devnull)


def _publish(tmp: Path, path: Path, *, force: bool, flag: str) -> None:
    """Rename `tmp` onto `path`; without `force`, never replace something that appeared."""
    if force:
        tmp.replace(path)
        return
    try:
        os.link(tmp, path, follow_symlinks=False)  # fails if `path` exists: no clobbering
    except FileExistsError:
        raise already_exists(path, flag) from None
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


# ---------------------------------------------------------------- signals


@contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then deliver them: a write is never torn.

    Python runs signal handlers in the main thread only, so elsewhere this is a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)  # the restored handler runs now, after the block
