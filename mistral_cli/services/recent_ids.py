"""Ids seen recently (conversations, fine-tune jobs, files), kept in small files for completion.

The shell completion scripts read `<cache dir>/<kind>-ids.txt` (one id a line, newest first);
nothing calls the network or Python while completing. Writing never fails a command.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from mistral_cli import fsio

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

KINDS = ("conversation", "job", "file")
KEEP = 200  # most ids per file


def path_for(cache_dir: Path, kind: str) -> Path:
    """`<cache dir>/<kind>-ids.txt`."""
    if kind not in KINDS:
        raise ValueError(f"unknown id kind {kind!r}")
    return cache_dir / f"{kind}-ids.txt"


def remember(cache_dir: Path, kind: str, ids: Iterable[str], *, replace: bool = False) -> None:
    """Put `ids` first in the kind's file (a list command passes replace=True: all it saw)."""
    path = path_for(cache_dir, kind)
    new = [i for i in dict.fromkeys(ids) if i and i.isprintable() and " " not in i]
    old: list[str] = []
    if not replace:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            old = path.read_text(encoding="utf-8").split()
    kept = list(dict.fromkeys(new + old))[:KEEP]
    _write(path, kept)


def forget(cache_dir: Path, kind: str, ids: Iterable[str]) -> None:
    """Drop ids (deleted things) from the kind's file."""
    path = path_for(cache_dir, kind)
    gone = set(ids)
    with contextlib.suppress(OSError, UnicodeDecodeError):
        kept = [i for i in path.read_text(encoding="utf-8").split() if i not in gone]
        _write(path, kept)


def _write(path: Path, ids: list[str]) -> None:
    """Replace the file atomically, 0600 in a 0700 folder; a failure is not an error."""
    with contextlib.suppress(OSError):
        fsio.private_dir(path.parent)
        fsio.atomic_write(path, "".join(f"{i}\n" for i in ids))
