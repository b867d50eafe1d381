"""Result writers: JSON lines (default), CSV, or rows for a table; and the output choice.

A record is the API's result item as sent, after the input's line: `{"line": 3, "sentiment":
{"scores": {...}}}` or `{"line": 3, "categories": {...}, "category_scores": {...}}`. CSV flattens
nested objects into dotted columns (`sentiment.scores.positive`), the header from the first
record. Records are written batch by batch, in input order, and flushed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from typing import TYPE_CHECKING, Any

from mistral_cli import fsio
from mistral_cli.errors import UsageError
from mistral_cli.services.classify.inputs import preview
from mistral_cli.services.embed.job import Utf8Sink

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from mistral_cli.services.classify.backend import Result
    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.embed.writers import TextSink

FORMATS = ("jsonl", "csv", "table")


def record(item: Item, result: Result) -> dict[str, Any]:
    """`{"line": N, ...the result as sent}` (the input's line comes first, and wins)."""
    return {"line": item.line, **{key: value for key, value in result.items() if key != "line"}}


class JsonlResults:
    """One JSON object per line."""

    def __init__(self, sink: TextSink) -> None:
        self._sink = sink
        self.records = 0

    def write(self, items: Sequence[Item], results: Sequence[Result]) -> None:
        """Write the batch's records, then flush."""
        lines = (
            json.dumps(record(i, r), ensure_ascii=False) + "\n"
            for i, r in zip(items, results, strict=True)
        )
        self._sink.write("".join(lines))
        self._sink.flush()
        self.records += len(items)

    def close(self) -> None:
        """Nothing to finish."""


class CsvResults:
    """A header of dotted columns from the first record, then one row per input."""

    def __init__(self, sink: TextSink) -> None:
        self._sink = sink
        self._columns: list[str] | None = None
        self.records = 0

    def write(self, items: Sequence[Item], results: Sequence[Result]) -> None:
        """Write the batch's rows (the header before the first), then flush."""
        buffer = io.StringIO()
        rows = csv.writer(buffer, lineterminator="\n")
        for item, result in zip(items, results, strict=True):
            flat = flatten(record(item, result))
            if self._columns is None:
                self._columns = list(flat)
                rows.writerow(self._columns)
            rows.writerow([_cell(flat.get(column)) for column in self._columns])
        self._sink.write(buffer.getvalue())
        self._sink.flush()
        self.records += len(items)

    def close(self) -> None:
        """Nothing to finish."""


def flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys: `{"a": {"b": 1}}` → `{"a.b": 1}`."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


class TableRows:
    """Rows for a terminal table: line, input, then each target's top label (or the flags)."""

    def __init__(self, *, chat: bool) -> None:
        self._chat = chat
        self.columns: list[str] = ["LINE", "INPUT"]
        self.rows: list[list[str]] = []
        self._keys: list[str] | None = None
        self.records = 0

    def write(self, items: Sequence[Item], results: Sequence[Result]) -> None:
        """Add the batch's rows."""
        for item, result in zip(items, results, strict=True):
            if self._keys is None:
                self._keys = _table_keys(result)
                self.columns += [key.upper() for key in self._keys]
            cells = [_summary(result, key) for key in self._keys]
            self.rows.append([str(item.line), preview(item, chat=self._chat), *cells])
        self.records += len(items)

    def close(self) -> None:
        """Nothing to finish: the command prints the rows."""


def _table_keys(result: Result) -> list[str]:
    if "categories" in result:
        return ["flagged", "top"]
    return [key for key, value in result.items() if isinstance(value, dict)]


def _summary(result: Result, key: str) -> str:
    """One cell: the flagged categories, the top category score, or a target's top label."""
    if key == "flagged":
        categories = result.get("categories")
        flagged = (
            [c for c, v in categories.items() if v is True] if isinstance(categories, dict) else []
        )
        return ", ".join(flagged) or "·"
    scores = result.get("category_scores") if key == "top" else result.get(key)
    if key != "top" and isinstance(scores, dict):
        scores = scores.get("scores")
    numbers = (
        {k: v for k, v in scores.items() if isinstance(v, int | float)}
        if isinstance(scores, dict)
        else {}
    )
    if not numbers:
        return "?"
    best = max(numbers, key=lambda label: numbers[label])
    return f"{best} {numbers[best]:.2f}"


def choose_format(fmt: str | None, path: Path | None, *, tty: bool) -> str:
    """--format, else csv for an `-o *.csv`, jsonl for other files and pipes, table on a TTY."""
    file = None if path is None or fsio.is_stdout(path) else path
    if fmt is None:
        if file is not None:
            return "csv" if file.suffix.lower() == ".csv" else "jsonl"
        return "table" if tty else "jsonl"
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "table" and file is not None:
        raise UsageError("--format table is for the terminal", hint="write jsonl or csv to -o FILE")
    return fmt


ResultsWriter = JsonlResults | CsvResults | TableRows


@contextlib.contextmanager
def open_writer(
    fmt: str, path: Path | None, *, force: bool, stdout: TextSink, chat: bool
) -> Iterator[ResultsWriter]:
    """The writer for the run: stdout, or `-o FILE` written as results arrive.

    The file is created before the first request (never over an existing one without
    `force`) and removed again when the run fails before its first record.
    """
    file = None if path is None or fsio.is_stdout(path) else path
    if fmt == "table":
        yield TableRows(chat=chat)
        return
    if file is None:
        yield _text_writer(fmt, stdout)
        return
    with fsio.open_progressive(file, force=force) as handle:
        writer = _text_writer(fmt, Utf8Sink(handle))
        try:
            yield writer
        except BaseException:
            if writer.records == 0:
                fsio.remove_created(file, handle)
            raise


def _text_writer(fmt: str, sink: TextSink) -> JsonlResults | CsvResults:
    return CsvResults(sink) if fmt == "csv" else JsonlResults(sink)
