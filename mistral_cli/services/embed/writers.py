"""Text writers for embed results: JSON lines (resumable), one JSON document, CSV.

Each `write` gets one batch in input order, writes it as whole records (a few dozen per sink
write, keeping memory flat) and flushes, so an interrupted run leaves whole records (at worst a
torn last line, which `--resume` discards).
Vectors are serialised with orjson (float formatting dominates: ~20x faster than `json`);
records keep `", "` between their fields, the shape `resume` reads back.
"""

from __future__ import annotations

import csv
import hashlib
import io
from array import array
from typing import TYPE_CHECKING, Protocol, TypeAlias

import orjson

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mistral_cli.services.embed.inputs import Item

# Lists from tests and JSON answers; compact arrays ('f', 'b', 'B') from the API backend.
Vector: TypeAlias = "list[float] | list[int] | array[float] | array[int]"  # array: 3.12+ generic


class TextSink(Protocol):
    """Where text output goes: a file, stdout, or anything with write and flush."""

    def write(self, text: str, /) -> object:
        """Write text."""
        ...

    def flush(self) -> object:
        """Push buffered text out."""
        ...


class EmbeddingWriter(Protocol):
    """Receives results batch by batch, in input order; the caller closes it."""

    def write(self, items: Sequence[Item], vectors: Sequence[Vector]) -> None:
        """Write one record per item (same order and length as vectors), then flush."""
        ...

    def close(self) -> None:
        """Finish the output (close a document, patch a header); idempotent."""
        ...


CHUNK = 32  # records joined per sink write: big enough to be cheap, small enough to stay flat


def short_sha(text: str) -> str:
    """First 12 hex digits of the SHA-256 of the input text: lets `--resume` check the input."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def plain(vector: Vector) -> list[float] | list[int]:
    """The vector as a list (what orjson and csv serialise)."""
    return vector.tolist() if isinstance(vector, array) else vector


def record_text(item: Item, vector: Vector, *, with_sha: bool) -> str:
    """One output record as JSON text, no newline: `{"line": 1, "embedding": [...], "sha": "…"}`."""
    key = f'{{"line": {item.line}' if item.id is None else f'{{"id": {_dumps(item.id)}'
    tail = f', "sha": "{short_sha(item.text)}"}}' if with_sha else "}"
    return f'{key}, "embedding": {_dumps(plain(vector))}{tail}'


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode("utf-8")


class Tally:
    """An EmbeddingWriter counting what the writer it wraps has written (for an interruption)."""

    def __init__(self, writer: EmbeddingWriter, last_line: int | None = None) -> None:
        self._writer = writer
        self.records = 0
        self.last_line = last_line

    def write(self, items: Sequence[Item], vectors: Sequence[Vector]) -> None:
        """Write, then count (the runner holds signals across both: the count is the file's)."""
        self._writer.write(items, vectors)
        self.records += len(items)
        if items:
            self.last_line = items[-1].line

    def close(self) -> None:
        """Close the wrapped writer."""
        self._writer.close()


class JsonlWriter:
    """`{"line": 1, "embedding": [...], "sha": "…"}` per line; the sha makes it resumable."""

    def __init__(self, sink: TextSink, *, with_sha: bool = True) -> None:
        self._sink = sink
        self._with_sha = with_sha

    def write(self, items: Sequence[Item], vectors: Sequence[Vector]) -> None:
        """Write the batch's records, one JSON object per line, and flush."""
        with_sha = self._with_sha
        pairs = list(zip(items, vectors, strict=True))
        for start in range(0, len(pairs), CHUNK):  # a few hundred KB at a time, not 10 MB
            self._sink.write(
                "".join(
                    record_text(item, vector, with_sha=with_sha) + "\n"
                    for item, vector in pairs[start : start + CHUNK]
                )
            )
        self._sink.flush()

    def close(self) -> None:
        """Nothing to finish: every line is complete once written."""


class JsonWriter:
    """One document, `{"object": "list", "data": [records]}`, streamed record by record."""

    def __init__(self, sink: TextSink) -> None:
        self._sink = sink
        self._count = 0
        self._closed = False

    def write(self, items: Sequence[Item], vectors: Sequence[Vector]) -> None:
        """Append the batch's records to the open `data` array, and flush."""
        for item, vector in zip(items, vectors, strict=True):
            lead = '{"object": "list", "data": [\n' if self._count == 0 else ",\n"
            self._sink.write(lead + record_text(item, vector, with_sha=False))
            self._count += 1
        self._sink.flush()

    def close(self) -> None:
        """Close the array and the document (valid JSON even after a failed run)."""
        if self._closed:
            return
        self._closed = True
        self._sink.write('{"object": "list", "data": []}\n' if self._count == 0 else "\n]}\n")
        self._sink.flush()


class CsvWriter:
    """A header `line,e0,e1,…` (or `id,…`) from the first record, then one row per input."""

    def __init__(self, sink: TextSink) -> None:
        self._sink = sink
        self._header = False

    def write(self, items: Sequence[Item], vectors: Sequence[Vector]) -> None:
        """Write the batch's rows (and the header before the first), and flush."""
        buffer = io.StringIO()
        rows = csv.writer(buffer, lineterminator="\n")
        for item, vector in zip(items, vectors, strict=True):
            if not self._header:
                key = "line" if item.id is None else "id"
                rows.writerow([key, *(f"e{i}" for i in range(len(vector)))])
                self._header = True
            rows.writerow([item.key, *plain(vector)])
        self._sink.write(buffer.getvalue())
        self._sink.flush()

    def close(self) -> None:
        """Nothing to finish: every row is complete once written."""
