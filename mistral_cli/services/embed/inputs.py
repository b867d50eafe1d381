"""Embed inputs: text arguments, plain lines or JSON lines, each read lazily as an Item."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mistral_cli.errors import DataValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

ItemId = str | int


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


def utf8_lines(stream: Iterable[bytes]) -> Iterator[str]:
    """Decode binary lines as UTF-8 (a BOM on the first is dropped); bad bytes name their line."""
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                number, f"not valid UTF-8 (byte {exc.start + 1})", hint="convert it with iconv"
            ) from None
        yield text[1:] if number == 1 and text.startswith("\ufeff") else text


def count_lines(stream: object, *, limit: int = 1 << 30) -> int | None:
    """Lines left in a regular file behind `stream`, read with pread (the offset stays); else None.

    Used for the progress bar's total; pipes, terminals and files over `limit` bytes give None.
    """
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]  # anything with a descriptor
        info = os.fstat(fd)
        offset = os.lseek(fd, 0, os.SEEK_CUR)
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
