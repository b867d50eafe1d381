"""`-o FILE --resume`: check a JSON-lines output against the input and skip what it holds.

Every JSONL record carries `"sha"`, the first 12 hex digits of the SHA-256 of its input text.
Resuming walks the file and the input together, checking every record: it must be a whole
record (valid JSON, the fields `line` or `id`, `embedding`, `sha`; vectors all of one length),
name the next non-blank input (same line, or same id) and carry that input's sha (when it has
one). A record that names another input means the input changed: nothing is touched. A broken
record (a torn last line, bytes damaged on disk) is cut off with everything after it, and the
run embeds those inputs again. The file is opened without following a symlink.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import orjson

from mistral_cli.errors import DataValidationError, UsageError
from mistral_cli.fsio import open_existing
from mistral_cli.services.embed.inputs import MAX_LINE_BYTES, Item, ItemId, is_blank
from mistral_cli.services.embed.writers import short_sha

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{12}")
_NUMBERS = (float, int)
# A record line is at most a few hundred KB (3,072 numbers); past this it is damage, not data.
MAX_RECORD_BYTES = MAX_LINE_BYTES
_NEW_FILE_HINT = "resume with the same input, or write to a new -o file"


@dataclass(frozen=True, slots=True)
class Cut:
    """Broken records cut off the end of the file: where, why, and how many lines went."""

    line: int
    reason: str
    lines: int


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a resumed run starts: the inputs left, and what the file already held."""

    items: Iterator[Item]
    done: int
    last_line: int | None
    blank: int
    discarded_bytes: int
    cut: Cut | None = None


@dataclass(frozen=True, slots=True)
class _Record:
    name: str  # "line" or "id"
    key: ItemId
    sha: str | None
    width: int


@dataclass(slots=True)
class _Walk:
    """The records checked so far: how many, the last input line, blanks skipped, bytes kept."""

    done: int = 0
    blank: int = 0
    last_line: int | None = None
    end: int = 0
    width: int | None = None


def resume(path: Path, items: Iterable[Item]) -> ResumePoint:
    """Match `path`'s records against `items`, cut broken ones off, return the inputs left."""
    source = iter(items)
    try:
        handle = open_existing(path)
    except FileNotFoundError:
        return ResumePoint(source, 0, None, 0, 0)
    with handle:
        walk = _Walk()
        cut = _check_records(handle, path, source, walk)
        size = handle.seek(0, 2)
        if walk.end < size:
            handle.truncate(walk.end)
    return ResumePoint(source, walk.done, walk.last_line, walk.blank, size - walk.end, cut)


def _check_records(
    handle: IO[bytes], path: Path, source: Iterator[Item], walk: _Walk
) -> Cut | None:
    """Walk the records; return the Cut when a broken one ends the usable part (None: torn/end)."""
    number = 0
    while raw := handle.readline(MAX_RECORD_BYTES + 1):
        number += 1
        if not raw.endswith(b"\n"):
            if len(raw) <= MAX_RECORD_BYTES:
                return None  # the torn last line: the run died mid-write
            found: _Record | str = "longer than any record"
        else:
            found = _parse(raw)
        if isinstance(found, _Record) and walk.width is not None and found.width != walk.width:
            found = f"{found.width} values, where the records before it hold {walk.width}"
        if isinstance(found, str):
            if walk.done == 0:
                raise UsageError(
                    f"{path}:{number}: not a record written by mistral embed --format jsonl",
                    hint="--resume continues the JSON lines of an earlier run; pick another -o",
                )
            return Cut(number, found, _lines_left(handle) + raw.endswith(b"\n"))
        item, skipped = _next_input(source, path, number)
        _check(found, item, path, number)
        walk.done, walk.blank, walk.last_line = number, walk.blank + skipped, item.line
        walk.end += len(raw)
        walk.width = found.width
    return None


def _lines_left(handle: IO[bytes]) -> int:
    """Lines from the current offset to the end (a last line without newline counts)."""
    lines, last = 0, b"\n"
    while chunk := handle.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    return lines + (last != b"\n")


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
    if found.sha is not None and found.sha != short_sha(item.text):
        raise DataValidationError(
            f"{item.where()} differs from the text embedded in {path}:{number} "
            "(the input changed since that run)",
            hint=_NEW_FILE_HINT,
        )


def _parse(raw: bytes) -> _Record | str:
    """The record on one line, or why it is not one."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return "not valid JSON"
    if not isinstance(data, dict):
        return "not a JSON object"
    names = [name for name in ("line", "id") if name in data]
    if len(names) != 1 or not set(data) <= {names[0], "embedding", "sha"}:
        return "not the fields of a record (line or id, embedding, sha)"
    name = names[0]
    if not _is_key(data[name]):
        return f'"{name}" is not a string or an integer'
    sha = data.get("sha")
    if "sha" in data and not (isinstance(sha, str) and _SHA.fullmatch(sha)):
        return '"sha" is not 12 hex digits'
    vector = data.get("embedding")
    if not isinstance(vector, list) or not vector or not _numbers(vector):
        return '"embedding" is not a list of numbers'
    return _Record(name, data[name], sha, len(vector))


def _numbers(values: list[object]) -> bool:
    return all(type(value) in _NUMBERS for value in values)


def _is_key(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)
