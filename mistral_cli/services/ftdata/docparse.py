"""Incremental parser for a JSON array or pretty-printed objects: one element at a time."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from collections.abc import Iterator

_WS = re.compile(r"[ \t\n\r]*")
_MIN_GROW = 64 * 1024


@dataclass(frozen=True, slots=True)
class Line:
    """A raw line without its newline; data None means it was too long and was skipped."""

    number: int
    data: bytes | None
    skipped: int = 0


class DocumentError(Exception):
    """The document is not valid JSON (FT101) or not UTF-8 (FT003) at this line."""

    def __init__(
        self, line: int, message: str, column: int | None = None, rule: str = "FT101"
    ) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.column = column
        self.rule = rule


def reject_constant(name: str) -> NoReturn:
    """Refuse NaN and Infinity, which Python accepts but JSON does not."""
    raise ValueError(f"{name} is not valid JSON")


_raw_decode = json.JSONDecoder(parse_constant=reject_constant).raw_decode


class DocumentParser:
    """Pulls lines on demand and decodes one top-level value (or array element) at a time."""

    def __init__(self, lines: Iterator[Line], *, array: bool) -> None:
        self._lines = lines
        self._array = array
        self._text = ""
        self._pos = 0
        self._line_pos = 0  # _line_no is the line of text[_line_pos]
        self._line_no = 0
        self._eof = False
        self._started = False
        self._budget: int | None = None

    def _read(self) -> str | None:
        """The next line as text (newline included), or None at the end of the input."""
        line = next(self._lines, None)
        if line is None:
            self._eof = True
            return None
        if line.data is None:
            raise DocumentError(line.number, "line too long for a JSON document")
        try:
            text = line.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = line.data[exc.start]
            raise DocumentError(
                line.number, f"invalid UTF-8 byte 0x{byte:02X}", exc.start + 1, "FT003"
            ) from None
        if not self._line_no:
            self._line_no = line.number
        if self._budget is not None:
            self._budget -= len(text) + 64
            if self._budget < 0:
                raise DocumentError(line.number, "first value too large to probe")
        return text + "\n"

    def _grow(self) -> bool:
        """Append at least as much input as is unconsumed (≥ 64 KiB); False at the end.

        The consumed prefix is dropped first, so the buffer holds about twice the value being
        decoded, and batching lines keeps appends linear.
        """
        target = max(len(self._text) - self._pos, _MIN_GROW)
        parts: list[str] = []
        size = 0
        while size < target and (text := self._read()) is not None:
            parts.append(text)
            size += len(text)
        if not parts:
            return False
        self._line_of(self._pos)
        self._text = self._text[self._pos :] + "".join(parts)
        self._pos = self._line_pos = 0
        return True

    def _line_of(self, pos: int) -> int:
        self._line_no += self._text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line_no

    def _skip_ws(self) -> bool:
        """Move past whitespace; False at the end of the input."""
        while True:
            match = _WS.match(self._text, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._text):
                return True
            if not self._grow():
                return False

    def _error(self, pos: int, message: str) -> DocumentError:
        pos = max(0, min(pos, len(self._text) - 1))  # at the end of input: blame the last line
        line = self._line_of(pos) if pos >= self._line_pos else self._line_no
        column = pos - (self._text.rfind("\n", 0, pos) + 1) + 1
        return DocumentError(line, message, column)

    def _value(self) -> tuple[int, Any, bool]:
        while True:
            start = self._pos  # _grow() moves the buffer: re-read the start on each try
            try:
                value, end = _raw_decode(self._text, start)
            except json.JSONDecodeError as exc:
                if self._eof or exc.pos < len(self._text.rstrip()):
                    msg = "invalid JSON: " + exc.msg.replace(" delimiter", "")
                    raise self._error(exc.pos, msg) from None
                self._grow()
                continue
            except ValueError as exc:
                raise self._error(start, f"invalid JSON: {exc}") from None
            except RecursionError:
                raise self._error(start, "invalid JSON: nested too deep") from None
            line = self._line_of(start)
            self._pos = end
            return line, value, self._text.find("\n", start, end) != -1

    def _start(self) -> None:
        # The reader only starts a document at a line beginning with "[" or "{".
        self._started = True
        self._skip_ws()
        if self._array:
            self._pos += 1

    def first_value(self, budget: int) -> tuple[int, Any, bool]:
        """Decode the first value within `budget` bytes: (line, value, spans several lines)."""
        self._budget = budget
        self._start()
        found = self._value()
        self._budget = None
        return found

    def values(self) -> Iterator[tuple[int, Any]]:
        """Yield (line, value) for each remaining element or top-level value."""
        if not self._started:
            self._start()
        if self._array:
            yield from self._elements()
            return
        while self._skip_ws():
            line, value, _ = self._value()
            yield line, value

    def _elements(self) -> Iterator[tuple[int, Any]]:
        first = True
        while True:
            if not self._skip_ws():
                raise self._error(self._pos, "invalid JSON: unterminated array")
            char = self._text[self._pos]
            if char == "]":
                self._pos += 1
                if self._skip_ws():
                    raise self._error(self._pos, "invalid JSON: data after the array")
                return
            if not first:
                if char != ",":
                    raise self._error(self._pos, "invalid JSON: Expecting ',' or ']'")
                self._pos += 1
                if not self._skip_ws():
                    raise self._error(self._pos, "invalid JSON: unterminated array")
            line, value, _ = self._value()
            yield line, value
            first = False
