"""`-o FILE --resume`: check a JSON-lines output against the input and skip what it holds.

Every JSONL record carries `"sha"`, the first 12 hex digits of the SHA-256 of its input text.
Resuming walks the file and the input together: each record must name the next non-blank input
(same line, or same id) with the same sha, else the input changed and nothing is touched. A torn
last line (no newline: the run died mid-write) is cut off; the run then appends the rest.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.services.embed.inputs import Item, ItemId, is_blank
from mistral_cli.services.embed.writers import short_sha

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

_DECODER = json.JSONDecoder()
_SHA_TAIL = re.compile(r', "sha": "([0-9a-f]{12})"\}\r?\n$')
_EMBEDDING = ', "embedding": ['
_NEW_FILE_HINT = "resume with the same input, or write to a new -o file"


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a resumed run starts: the inputs left, and what the file already held."""

    items: Iterator[Item]
    done: int
    last_line: int | None
    blank: int
    discarded_bytes: int


@dataclass(frozen=True, slots=True)
class _Record:
    name: str  # "line" or "id"
    key: ItemId
    sha: str


def resume(path: Path, items: Iterable[Item]) -> ResumePoint:
    """Match `path`'s records against `items`, cut a torn last line, return the inputs left."""
    source = iter(items)
    if not path.exists():
        return ResumePoint(source, 0, None, 0, 0)
    done = blank = 0
    last_line: int | None = None
    end = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                break  # the torn last line
            found = _parse(raw.decode("utf-8", errors="replace"))
            if found is None:
                raise UsageError(
                    f"{path}:{number}: not a record written by mistral embed --format jsonl",
                    hint="--resume continues the JSON lines of an earlier run; pick another -o",
                )
            item, skipped = _next_input(source, path, number)
            _check(found, item, path, number)
            done, blank, last_line, end = number, blank + skipped, item.line, end + len(raw)
    size = path.stat().st_size
    if end < size:
        os.truncate(path, end)
    return ResumePoint(source, done, last_line, blank, size - end)


def _next_input(source: Iterator[Item], path: Path, number: int) -> tuple[Item, int]:
    for skipped, item in enumerate(source):
        if not is_blank(item.text):
            return item, skipped
    raise DataValidationError(
        f"the input ends before {path}:{number}: it is not the input of that run",
        hint=_NEW_FILE_HINT,
    )


def _check(found: _Record, item: Item, path: Path, number: int) -> None:
    name = "line" if item.id is None else "id"
    if found.name != name or found.key != item.key:
        raise DataValidationError(
            f"{path}:{number} holds {found.name} {json.dumps(found.key)}, "
            f"but the next input is {item.where()}: not the input of that run",
            hint=_NEW_FILE_HINT,
        )
    if found.sha != short_sha(item.text):
        raise DataValidationError(
            f"{item.where()} differs from the text embedded in {path}:{number} "
            "(the input changed since that run)",
            hint=_NEW_FILE_HINT,
        )


def _parse(text: str) -> _Record | None:
    """Read the key and sha of a record; a fast path skips decoding the embedding."""
    for name in ("line", "id"):
        prefix = f'{{"{name}": '
        if not text.startswith(prefix):
            continue
        try:
            key, end = _DECODER.raw_decode(text, len(prefix))
        except ValueError:
            return None
        tail = _SHA_TAIL.search(text, max(end, len(text) - 40))
        if tail is not None and text.startswith(_EMBEDDING, end) and _is_key(key):
            return _Record(name, key, tail.group(1))
    return _parse_slowly(text)


def _parse_slowly(text: str) -> _Record | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sha"), str):
        return None
    if not isinstance(data.get("embedding"), list):
        return None
    for name in ("line", "id"):
        if name in data and _is_key(data[name]):
            return _Record(name, data[name], data["sha"])
    return None


def _is_key(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)
