"""Text writers for embed results: JSON lines (resumable), one JSON document, CSV.

Each `write` gets one batch in input order, writes it in a single call and flushes, so an
interrupted run leaves whole records (at worst a torn last line, which `--resume` discards).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mistral_cli.services.embed.inputs import Item

Vector = list[float] | list[int]


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


def short_sha(text: str) -> str:
    """First 12 hex digits of the SHA-256 of the input text: lets `--resume` check the input."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def record(item: Item, vector: Vector, *, with_sha: bool) -> dict[str, object]:
    """One output record: `line` (or `id`), `embedding`, and optionally `sha`."""
    out: dict[str, object] = {"line": item.line} if item.id is None else {"id": item.id}
    out["embedding"] = vector
    if with_sha:
        out["sha"] = short_sha(item.text)
    return out


class JsonlWriter:
    """`{"line": 1, "embedding": [...], "sha": "…"}` per line; the sha makes it resumable."""

    def __init__(self, sink: TextSink, *, with_sha: bool = True) -> None:
        self._sink = sink
        self._with_sha = with_sha

    def write(self, items: Sequence[Item], vectors: Sequence[Vector]) -> None:
        """Write the batch's records, one JSON object per line, and flush."""
        lines = [
            json.dumps(record(item, vector, with_sha=self._with_sha)) + "\n"
            for item, vector in zip(items, vectors, strict=True)
        ]
        self._sink.write("".join(lines))
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
        parts = []
        for item, vector in zip(items, vectors, strict=True):
            lead = '{"object": "list", "data": [\n' if self._count == 0 else ",\n"
            parts.append(lead + json.dumps(record(item, vector, with_sha=False)))
            self._count += 1
        self._sink.write("".join(parts))
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
            rows.writerow([item.key, *vector])
        self._sink.write(buffer.getvalue())
        self._sink.flush()

    def close(self) -> None:
        """Nothing to finish: every row is complete once written."""
