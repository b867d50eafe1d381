import ast
import io
import json
import os
import struct
from array import array

import pytest

from mistral_cli.errors import CliError, UsageError
from mistral_cli.services.embed.inputs import Item
from mistral_cli.services.embed.npy import HEADER_SIZE, NpyWriter, npy_dtype
from mistral_cli.services.embed.writers import CsvWriter, JsonlWriter, JsonWriter, short_sha

ITEMS = [Item(1, None, "hello"), Item(3, None, "world")]
VECTORS = [[0.5, -1.25], [2.0, 0.125]]


class Sink(io.StringIO):
    def __init__(self):
        super().__init__()
        self.flushes = 0

    def flush(self):
        self.flushes += 1


def test_short_sha():
    assert short_sha("hello") == "2cf24dba5fb0"


def test_jsonl_records_and_one_flush_per_batch():
    sink = Sink()
    writer = JsonlWriter(sink)
    writer.write(ITEMS, VECTORS)
    writer.close()
    assert sink.getvalue() == (
        '{"line": 1, "embedding": [0.5,-1.25], "sha": "2cf24dba5fb0"}\n'
        '{"line": 3, "embedding": [2.0,0.125], "sha": "486ea46224d1"}\n'
    )
    assert sink.flushes == 1


def test_jsonl_takes_compact_arrays_and_unicode_ids():
    sink = Sink()
    vectors = [array("f", [0.5, -1.25]), array("b", [-3, 7])]
    JsonlWriter(sink, with_sha=False).write([Item(1, 'é"x', "a"), Item(2, None, "b")], vectors)
    assert (
        sink.getvalue()
        == '{"id": "é\\"x", "embedding": [0.5,-1.25]}\n{"line": 2, "embedding": [-3,7]}\n'
    )
    assert [json.loads(line)["embedding"] for line in sink.getvalue().splitlines()] == [
        [0.5, -1.25],
        [-3, 7],
    ]


def test_jsonl_with_ids_and_without_sha():
    sink = Sink()
    JsonlWriter(sink, with_sha=False).write([Item(1, "a", "x"), Item(2, 9, "y")], [[1], [2]])
    assert sink.getvalue() == '{"id": "a", "embedding": [1]}\n{"id": 9, "embedding": [2]}\n'


def test_json_is_one_document_streamed_by_batch():
    sink = Sink()
    writer = JsonWriter(sink)
    writer.write(ITEMS[:1], VECTORS[:1])
    writer.write(ITEMS[1:], VECTORS[1:])
    writer.close()
    writer.close()
    assert json.loads(sink.getvalue()) == {
        "object": "list",
        "data": [{"line": 1, "embedding": [0.5, -1.25]}, {"line": 3, "embedding": [2.0, 0.125]}],
    }
    assert sink.flushes == 3


def test_json_without_records_is_still_a_document():
    sink = Sink()
    JsonWriter(sink).close()
    assert json.loads(sink.getvalue()) == {"object": "list", "data": []}


def test_csv_has_a_header_then_rows():
    sink = Sink()
    writer = CsvWriter(sink)
    writer.write(ITEMS, VECTORS)
    writer.write([Item(4, None, "x")], [[1.0, 2.0]])
    writer.close()
    assert sink.getvalue() == "line,e0,e1\n1,0.5,-1.25\n3,2.0,0.125\n4,1.0,2.0\n"


def test_csv_keys_by_id():
    sink = Sink()
    CsvWriter(sink).write([Item(1, "doc,1", "x")], [[7]])
    assert sink.getvalue() == 'id,e0\n"doc,1",7\n'


def read_npy(data: bytes):
    """A minimal .npy 1.0 reader: checks the header, returns (header dict, payload)."""
    assert data[:8] == b"\x93NUMPY\x01\x00"
    (length,) = struct.unpack("<H", data[8:10])
    assert (10 + length) % 64 == 0
    header = data[10 : 10 + length].decode("latin-1")
    assert header.endswith("\n")
    return ast.literal_eval(header), data[10 + length :]


def test_npy_float32_rows_with_the_shape_patched_at_close():
    sink = io.BytesIO()
    writer = NpyWriter(sink)
    writer.write(ITEMS, VECTORS)
    writer.write([Item(5, None, "z")], [[3.5, 4.0]])
    writer.close()
    writer.close()
    header, payload = read_npy(sink.getvalue())
    assert header == {"descr": "<f4", "fortran_order": False, "shape": (3, 2)}
    assert struct.unpack("<6f", payload) == (0.5, -1.25, 2.0, 0.125, 3.5, 4.0)
    assert len(sink.getvalue()) == HEADER_SIZE + 24


def test_npy_copies_arrays_and_converts_lists():
    sink = io.BytesIO()
    writer = NpyWriter(sink)
    writer.write(ITEMS, [array("f", [0.5, -1.25]), [2, 0.125]])
    writer.close()
    header, payload = read_npy(sink.getvalue())
    assert header["shape"] == (2, 2)
    assert struct.unpack("<4f", payload) == (0.5, -1.25, 2.0, 0.125)
    raw = io.BytesIO()
    int_writer = NpyWriter(raw, npy_dtype("uint8"))
    int_writer.write(ITEMS, [array("B", [0, 255]), [1.0, 2.0]])
    int_writer.close()
    assert read_npy(raw.getvalue())[1] == bytes([0, 255, 1, 2])


def test_npy_int8_and_empty():
    sink = io.BytesIO()
    writer = NpyWriter(sink, npy_dtype("int8"))
    writer.write(ITEMS, [[-128, 127, 0], [1, -1, 5]])
    writer.close()
    header, payload = read_npy(sink.getvalue())
    assert header["descr"] == "|i1"
    assert header["shape"] == (2, 3)
    assert struct.unpack("<6b", payload) == (-128, 127, 0, 1, -1, 5)
    empty = io.BytesIO()
    NpyWriter(empty, npy_dtype("ubinary")).close()
    assert read_npy(empty.getvalue()) == (
        {"descr": "|u1", "fortran_order": False, "shape": (0, 0)},
        b"",
    )


def test_npy_loads_with_numpy_when_available(tmp_path):
    numpy = pytest.importorskip("numpy")
    path = tmp_path / "v.npy"
    with path.open("wb") as fh:
        writer = NpyWriter(fh)
        writer.write(ITEMS, VECTORS)
        writer.close()
    assert numpy.load(path).tolist() == VECTORS


def test_npy_refuses_mismatched_rows_unknown_dtypes_and_pipes():
    writer = NpyWriter(io.BytesIO())
    with pytest.raises(CliError, match="vectors of 2 and 3 values"):
        writer.write(ITEMS, [[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(UsageError):
        NpyWriter(io.BytesIO(), "<f8")
    with pytest.raises(UsageError):
        npy_dtype("double")
    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "wb") as pipe, pytest.raises(UsageError, match="-o FILE"):
        NpyWriter(pipe)
