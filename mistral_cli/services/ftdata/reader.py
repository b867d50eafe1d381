"""Streaming reader: JSONL lines, or a pretty/array JSON document, as parsed records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from mistral_cli.services.ftdata.docparse import (
    DocumentError,
    DocumentParser,
    Line,
    reject_constant,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

# A line longer than this is skipped (reported, never buffered): a sample that size cannot
# train anyway, and reading it whole would defeat streaming.
MAX_LINE_BYTES = 64 * 1024 * 1024
# How far the pretty-document probe may read before deciding the file is JSONL after all.
PROBE_BYTES = 16 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a line could not be read as JSON: FT003 (bytes) or FT101 (syntax)."""

    rule: str
    message: str
    column: int | None = None


@dataclass(slots=True)
class Record:
    """One line (or one document element): a parsed value, a blank line, or a problem."""

    line: int
    value: Any = None
    raw: bytes | None = None
    blank: bool = False
    problem: Problem | None = None


_DECODER = json.JSONDecoder(parse_constant=reject_constant)
_decode = _DECODER.decode


def parse_line(lineno: int, data: bytes) -> Record:
    """Parse one JSONL line (bytes without the newline) into a Record."""
    stripped = data.strip()
    if not stripped:
        return Record(lineno, blank=True, raw=data)
    lead = len(data) - len(data.lstrip())
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = stripped[exc.start]
        problem = Problem("FT003", f"invalid UTF-8 byte 0x{byte:02X}", lead + exc.start + 1)
        return Record(lineno, raw=stripped, problem=problem)
    try:
        value = _decode(text)
    except json.JSONDecodeError as exc:
        column = lead + exc.colno if exc.lineno == 1 else None
        return Record(lineno, raw=stripped, problem=Problem("FT101", _json_message(exc), column))
    except ValueError as exc:  # NaN / Infinity, refused by reject_constant
        return Record(lineno, raw=stripped, problem=Problem("FT101", f"invalid JSON: {exc}"))
    except RecursionError:
        return Record(
            lineno, raw=stripped, problem=Problem("FT101", "invalid JSON: nested too deep")
        )
    return Record(lineno, value=value, raw=stripped)


def _json_message(exc: json.JSONDecodeError) -> str:
    return "invalid JSON: " + exc.msg.replace(" delimiter", "")


class Reader:
    """Reads a file once: hashes and sizes it, finds BOM and document layout, yields records."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._sha = hashlib.sha256()
        self.size = 0
        self.bom = False
        self.document: str | None = None  # "array" or "pretty" when the file is not JSONL
        self.document_line = 0

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes read so far (the whole file once records() is exhausted)."""
        return self._sha.hexdigest()

    def _lines(self) -> Iterator[Line]:
        lineno = 0
        readline = self._stream.readline
        while True:
            data = readline(MAX_LINE_BYTES + 1)
            if not data:
                return
            lineno += 1
            self._sha.update(data)
            self.size += len(data)
            if lineno == 1 and data.startswith(BOM):
                self.bom = True
                data = data[3:]
            if data.endswith(b"\n"):
                yield Line(lineno, data[:-1])
            elif len(data) > MAX_LINE_BYTES:
                yield Line(lineno, None, len(data) + self._skip_rest())
            else:
                yield Line(lineno, data)

    def _skip_rest(self) -> int:
        skipped = 0
        while chunk := self._stream.readline(_CHUNK):
            self._sha.update(chunk)
            self.size += len(chunk)
            skipped += len(chunk)
            if chunk.endswith(b"\n"):
                break
        return skipped

    def records(self) -> Iterator[Record]:
        """Yield one Record per line (JSONL) or per element (pretty or array document)."""
        lines = self._lines()
        for line in lines:
            if line.data is None:
                yield _too_long(line)
                continue
            head = line.data.lstrip()[:1]
            if head == b"[" or (head == b"{" and _parse_fails(line.data)):
                yield from self._first_content(line, lines)
                return
            record = parse_line(line.number, line.data)
            yield record
            if not record.blank:
                break
        for line in lines:
            yield _too_long(line) if line.data is None else parse_line(line.number, line.data)

    def _first_content(self, first: Line, lines: Iterator[Line]) -> Iterator[Record]:
        """Decide between a JSON document and a JSONL file whose first line is broken."""
        self.document_line = first.number
        if first.data is not None and first.data.lstrip()[:1] == b"[":
            self.document = "array"
            yield from _document_records(DocumentParser(_chain(first, lines), array=True), None)
            return
        tape = _Tape(first, lines)
        parser = DocumentParser(iter(tape), array=False)
        try:
            probe = parser.first_value(PROBE_BYTES)
        except DocumentError:
            probe = None
        seen = tape.stop()  # memory stays bounded by the probe's budget
        if probe is not None and probe[2]:
            self.document = "pretty"
            yield from _document_records(parser, probe)
            return
        for line in _chain(first, iter(seen)):  # JSONL after all: replay what the probe read
            yield _too_long(line) if line.data is None else parse_line(line.number, line.data)
        for line in lines:
            yield _too_long(line) if line.data is None else parse_line(line.number, line.data)


def _document_records(
    parser: DocumentParser, probe: tuple[int, Any, bool] | None
) -> Iterator[Record]:
    try:
        if probe is not None:
            yield Record(probe[0], value=probe[1])
        for lineno, value in parser.values():
            yield Record(lineno, value=value)
    except DocumentError as exc:
        yield Record(exc.line, problem=Problem(exc.rule, exc.message, exc.column))


def _chain(first: Line, rest: Iterator[Line]) -> Iterator[Line]:
    yield first
    yield from rest


class _Tape:
    """Yields the lines, keeping those after the first while `seen` is a list (the probe)."""

    def __init__(self, first: Line, lines: Iterator[Line]) -> None:
        self._first = first
        self._lines = lines
        self.seen: list[Line] | None = []

    def __iter__(self) -> Iterator[Line]:
        yield self._first
        for line in self._lines:
            if self.seen is not None:
                self.seen.append(line)
            yield line

    def stop(self) -> list[Line]:
        """Stop recording; return what was recorded."""
        seen, self.seen = self.seen or [], None
        return seen


def _parse_fails(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return True
    return False


def _too_long(line: Line) -> Record:
    size = line.skipped / 1024 / 1024
    limit = MAX_LINE_BYTES // 1024 // 1024
    return Record(line.number, problem=Problem("FT101", f"line of {size:.0f} MB > {limit} MB"))
