"""Edits of the user's own files in the config folder: locked, comments kept, private (0600).

config.toml is edited with tomlkit, which keeps the user's comments, order and formatting; the
read-modify-write holds a lock so concurrent `config set` runs keep every update; a symlinked
config file is written through to its target (a dotfiles repository), never replaced.
"""

from __future__ import annotations

import os
import stat
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

from mistral_cli import config, fsio
from mistral_cli.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tomlkit import TOMLDocument

T = TypeVar("T")
D = TypeVar("D")


def _loose_mode(path: Path) -> int | None:
    """The permission bits of `path` (following a link) when group or others have access."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    return mode if mode & 0o077 else None


def write_private(
    path: Path,
    text: str,
    *,
    old: bytes | None = None,
    notify: Callable[[str], None] | None = None,
) -> None:
    """Write a private file (0600 in a 0700 folder), through a symlink to its target.

    Nothing is rewritten when `old` already holds `text` and the mode is private; a looser
    file is made 0600 and `notify` told so. Disk full or no permission: exit 1 naming it.
    """
    try:
        fsio.private_dir(path.parent)
        loose = _loose_mode(path)
        if old is not None and text.encode("utf-8") == old and loose is None:
            return
        fsio.atomic_write(path, text, through_symlink=True)
    except OSError as exc:
        raise fsio.write_failed(path, exc) from None
    if loose is not None and notify is not None:
        notify(fsio.Tightened(path, loose).notice())


def update(
    path: Path,
    parse: Callable[[bytes | None], D],
    dump: Callable[[D], str],
    change: Callable[[D], T],
    *,
    notify: Callable[[str], None] | None = None,
) -> T:
    """Read-modify-write a private file under its lock (`parse` gets None when it is missing).

    The file is rewritten only when its text changed (or its mode was looser than 0600).
    """
    try:
        fsio.private_dir(path.parent)
        with fsio.locked(path):
            try:
                old: bytes | None = path.read_bytes()
            except FileNotFoundError:
                old = None
            document = parse(old)
            result = change(document)
            write_private(path, dump(document), old=b"" if old is None else old, notify=notify)
    except OSError as exc:  # the folder, the lock or the file cannot be created or read
        raise fsio.write_failed(path, exc) from None
    return result


def edit(
    path: Path,
    change: Callable[[TOMLDocument], T],
    *,
    notify: Callable[[str], None] | None = None,
) -> T:
    """Apply `change` to config.toml under the lock, keeping comments and layout; its result."""

    def parse(raw: bytes | None) -> TOMLDocument:
        import tomlkit  # lazy: only config writes need it

        config.parse_config_text(raw or b"", path)  # malformed: the loader's error, with the line
        return tomlkit.parse((raw or b"").decode("utf-8"))

    return update(path, parse, lambda document: document.as_string(), change, notify=notify)


def table_at(
    document: MutableMapping[str, Any], names: list[str], path: Path, *, create: bool
) -> MutableMapping[str, Any] | None:
    """The table at `names` (e.g. ["profiles", "work"]); created on demand, else None if missing."""
    import tomlkit  # lazy: only config writes need it

    table = document
    for depth, name in enumerate(names):
        found = table.get(name)
        if found is None:
            if not create:
                return None
            found = tomlkit.table(is_super_table=depth < len(names) - 1)
            table[name] = found
        elif not isinstance(found, MutableMapping):
            where = ".".join(names[: depth + 1])
            raise ConfigError(f"{path}: {where} must be a table", hint=f"fix [{where}] in {path}")
        table = found
    return table
