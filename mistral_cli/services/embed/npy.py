"""A NumPy `.npy` (format 1.0) writer without numpy: rows appended, shape patched at close."""

from __future__ import annotations

import struct
import sys
from array import array
from typing import TYPE_CHECKING, Any, BinaryIO

from mistral_cli.errors import CliError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.embed.writers import Vector

MAGIC = b"\x93NUMPY\x01\x00"
HEADER_SIZE = 128  # magic + length + dict, padded; room for any shape, a multiple of 64
_TYPECODES = {"<f4": "f", "|i1": "b", "|u1": "B"}
_DTYPES = {"float": "<f4", "int8": "|i1", "binary": "|i1", "uint8": "|u1", "ubinary": "|u1"}


def npy_dtype(output_dtype: str) -> str:
    """The .npy dtype for an API `output_dtype` (float, int8, uint8, binary, ubinary)."""
    try:
        return _DTYPES[output_dtype]
    except KeyError:
        raise UsageError(f"no .npy dtype for output dtype {output_dtype!r}") from None


def npy_header(rows: int, columns: int, dtype: str) -> bytes:
    """The fixed-size .npy 1.0 header for a C-ordered `(rows, columns)` array."""
    text = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({rows}, {columns}), }}"
    padded = text.ljust(HEADER_SIZE - len(MAGIC) - 2 - 1) + "\n"
    return MAGIC + struct.pack("<H", len(padded)) + padded.encode("latin-1")


class NpyWriter:
    """Rows in input order (the record's line is not stored); needs a seekable binary file."""

    def __init__(self, sink: BinaryIO, dtype: str = "<f4") -> None:
        if dtype not in _TYPECODES:
            raise UsageError(f"unsupported .npy dtype {dtype!r}")
        if not sink.seekable():
            raise UsageError("--format npy needs a file: pass -o FILE.npy")
        self._sink = sink
        self._dtype = dtype
        self._rows = 0
        self._columns: int | None = None
        self._closed = False
        sink.write(npy_header(0, 0, dtype))

    def write(self, items: Sequence[Item], vectors: Sequence[Vector]) -> None:
        """Append one row per vector (little-endian), and flush."""
        del items  # rows follow input order; the line is not part of the matrix
        for vector in vectors:
            if self._columns is None:
                self._columns = len(vector)
            elif len(vector) != self._columns:
                raise CliError(
                    f"the API returned vectors of {self._columns} and {len(vector)} values"
                )
        self._sink.write(_pack(vectors, _TYPECODES[self._dtype]))
        self._sink.flush()
        self._rows += len(vectors)

    def close(self) -> None:
        """Write the final shape into the reserved header; the file stays open (caller's)."""
        if self._closed:
            return
        self._closed = True
        end = self._sink.tell()
        self._sink.seek(0)
        self._sink.write(npy_header(self._rows, self._columns or 0, self._dtype))
        self._sink.seek(end)
        self._sink.flush()


def _pack(vectors: Sequence[Vector], typecode: str) -> bytes:
    """Rows as little-endian bytes: float32, or one byte per value (arrays copied as they are)."""
    data: array[Any] = array(typecode)
    for vector in vectors:
        if isinstance(vector, array) and vector.typecode == typecode:
            data.extend(vector)
        elif typecode == "f":
            data.extend(array("f", vector))
        else:
            data.extend(array(typecode, [int(value) for value in vector]))
    if typecode == "f" and sys.byteorder == "big":
        data.byteswap()
    return data.tobytes()
