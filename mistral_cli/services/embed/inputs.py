"""Embed inputs: text arguments, plain lines or JSON lines, each read lazily as an Item."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mistral_cli.bounded import LineTooLong, bounded_lines, size_text
from mistral_cli.errors import DataValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

ItemId = str | int
# The longest input line read (bytes): far above any input the API takes (~8k tokens, tens of
# KB), far below what would strain memory. A longer line stops the run (exit 8), unread.
MAX_LINE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Item:
    """One input: its 1-based line (or argument position), an optional id, and its text."""

    line: int
    id: ItemId | None
    text: str

    @property
    def key(self) -> ItemId:
        """What names this input in the output: its id when it has one, else its line."""
        return self.line if self.id is None else self.id

    def where(self) -> str:
        """The input's place for messages: `line 12`, or `line 12 (id "a7")`."""
        if self.id is None:
            return f"line {self.line}"
        return f"line {self.line} (id {json.dumps(self.id)})"


class InputError(DataValidationError):
    """An input that cannot be embedded as given (exit 8); `line` names it."""

    def __init__(self, line: int, message: str, hint: str | None = None) -> None:
        super().__init__(f"line {line}: {message}", hint)
        self.line = line


def is_blank(text: str) -> bool:
    """Blank inputs (empty or whitespace only) are skipped and counted, never sent."""
    return not text.strip()


def from_texts(texts: Iterable[str]) -> Iterator[Item]:
    """Items from TEXT arguments; the argument's 1-based position stands for its line."""
    for position, text in enumerate(texts, start=1):
        yield Item(position, None, text)


def read_lines(lines: Iterable[str]) -> Iterator[Item]:
    """One item per line of a text stream (stdin), line terminator removed, read lazily."""
    for number, raw in enumerate(lines, start=1):
        yield Item(number, None, _chomp(raw))


def read_jsonl(
    lines: Iterable[str], *, field: str = "text", id_field: str | None = None
) -> Iterator[Item]:
    """One item per JSON line: text from `field`, id from `id_field`; blank lines stay blank."""
    for number, raw in enumerate(lines, start=1):
        text = _chomp(raw)
        if is_blank(text):
            yield Item(number, None, "")
            continue
        record = _parse_object(number, text)
        item_id = _read_id(number, record, id_field) if id_field is not None else None
        yield Item(number, item_id, _read_text(number, record, field))


def utf8_lines(stream: Iterable[bytes], *, max_line: int | None = None) -> Iterator[str]:
    """Decode binary lines as UTF-8 (a BOM on the first is dropped); bad bytes name their line.

    A line over `max_line` bytes (default MAX_LINE_BYTES) stops the run (exit 8) after reading
    that many bytes of it, never the rest.
    """
    limit = MAX_LINE_BYTES if max_line is None else max_line
    for number, raw in enumerate(_capped(stream, limit), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                number, f"not valid UTF-8 (byte {exc.start + 1})", hint="convert it with iconv"
            ) from None
        yield text[1:] if number == 1 and text.startswith("\ufeff") else text


def _capped(stream: Iterable[bytes], limit: int) -> Iterator[bytes]:
    try:
        yield from bounded_lines(stream, limit)
    except LineTooLong as exc:
        raise InputError(
            exc.line,
            f"longer than {size_text(limit)}, the most one input line may hold",
            hint="an embedding input is at most ~8k tokens (~32 KB): split the line",
        ) from None


def count_lines(stream: object, *, limit: int = 1 << 30, start: int | None = None) -> int | None:
    """Lines left in a regular file behind `stream`, read with pread (the offset stays); else None.

    Counted from `start` (a byte offset) when given, else from the current offset. Used for the
    progress bar's total; pipes, terminals and files over `limit` bytes give None.
    """
    offset = start if start is not None else offset_of(stream)
    if offset is None:
        return None
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]  # anything with a descriptor
        info = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size - offset > limit:
        return None
    lines, last = 0, b"\n"
    while chunk := os.pread(fd, 1 << 20, offset):
        lines += chunk.count(b"\n")
        offset += len(chunk)
        last = chunk[-1:]
    return lines + (last != b"\n")


def offset_of(stream: object) -> int | None:
    """The byte offset of the descriptor behind `stream` (None: no descriptor, or a pipe)."""
    try:
        return os.lseek(stream.fileno(), 0, os.SEEK_CUR)  # type: ignore[attr-defined]  # any fd
    except (AttributeError, OSError, ValueError):
        return None


def _chomp(raw: str) -> str:
    if raw.endswith("\n"):
        raw = raw[:-1]
    return raw[:-1] if raw.endswith("\r") else raw


def _parse_object(number: int, text: str) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise InputError(number, f"not valid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise InputError(number, f"expected a JSON object, got {_kind(record)}")
    return record


def _read_text(number: int, record: dict[str, Any], field: str) -> str:
    if field not in record:
        raise InputError(number, f'no "{field}" field', hint="choose the text field with --field")
    value = record[field]
    if not isinstance(value, str):
        raise InputError(number, f'"{field}" is {_kind(value)}, expected a string')
    return value


def _read_id(number: int, record: dict[str, Any], id_field: str) -> ItemId:
    if id_field not in record:
        raise InputError(number, f'no "{id_field}" field', hint="every line needs the --id-field")
    value = record[id_field]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(number, f'"{id_field}" is {_kind(value)}, expected a string or integer')
    return value


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
