"""The streaming reader: JSONL vs pretty/array documents, probes, errors with line numbers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from mistral_cli.services.ftdata import docparse, reader
from mistral_cli.services.ftdata.docparse import Line
from mistral_cli.services.ftdata.reader import Reader

ONE = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}


def records(data: bytes) -> tuple[Reader, list[tuple[int, object, str | None]]]:
    source = Reader(io.BytesIO(data))
    out = [
        (r.line, "blank" if r.blank else r.value, r.problem.message if r.problem else None)
        for r in source.records()
    ]
    return source, out


def test_jsonl_records_keep_raw_bytes_for_hashing() -> None:
    source = Reader(io.BytesIO(b'{"a": 1}\n  {"b": 2}  \n'))
    got = [(r.line, r.value, r.raw) for r in source.records()]
    assert got == [(1, {"a": 1}, b'{"a": 1}'), (2, {"b": 2}, b'{"b": 2}')]
    assert source.document is None
    assert source.size == 22


def test_array_document_is_read_element_by_element() -> None:
    text = "\n[\n" + ",\n".join(json.dumps(ONE, indent=2) for _ in range(3)) + "\n]\n\n"
    source, out = records(text.encode())
    assert source.document == "array"
    assert source.document_line == 2
    assert [line for line, _, _ in out] == [1, 3, 15, 27]  # each element spans 12 lines
    assert out[0] == (1, "blank", None)
    assert all(value == ONE for _, value, _ in out[1:])


def test_empty_array() -> None:
    assert records(b"[]\n")[1] == []


def test_pretty_objects_are_a_document() -> None:
    text = json.dumps(ONE, indent=2) + "\n" + json.dumps(ONE) + "\n" + json.dumps(ONE, indent=1)
    source, out = records(text.encode())
    assert source.document == "pretty"
    assert [(line, value == ONE) for line, value, _ in out] == [(1, True), (13, True), (14, True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[\n" + json.dumps(ONE) + "\n" + json.dumps(ONE) + "]",
            (3, "invalid JSON: Expecting ',' or ']'"),
        ),
        ("[\n" + json.dumps(ONE) + ",\n]", (3, "invalid JSON: Expecting value")),
        ("[\n" + json.dumps(ONE), (2, "invalid JSON: unterminated array")),
        ("[\n" + json.dumps(ONE) + ",", (2, "invalid JSON: unterminated array")),
        ("[" + json.dumps(ONE) + "]\n{}", (2, "invalid JSON: data after the array")),
        ('[{"a": NaN}]', (1, "invalid JSON: NaN is not valid JSON")),
        ("[" * 50_000, (1, "invalid JSON: nested too deep")),
        ('[\n{"a": "b\n"}]', (2, "invalid JSON: Invalid control character at")),
    ],
)
def test_document_errors_name_the_line(text: str, expected: tuple[int, str]) -> None:
    _, out = records(text.encode())
    line, _, message = out[-1]
    assert (line, message) == expected


def test_document_with_invalid_utf8() -> None:
    source = Reader(io.BytesIO(b'[\n{"a": "caf\xe9"}\n]'))
    [record] = list(source.records())
    assert record.problem is not None
    assert (record.line, record.problem.rule, record.problem.column) == (2, "FT003", 11)


def test_broken_first_line_is_jsonl_not_a_document() -> None:
    text = '{"messages": [\n' + json.dumps(ONE) + "\n" + json.dumps(ONE) + "\n"
    source, out = records(text.encode())
    assert source.document is None
    assert [(line, message) for line, _, message in out] == [
        (1, "invalid JSON: Expecting value"),
        (2, None),
        (3, None),
    ]


def test_trailing_garbage_on_a_one_line_object_is_jsonl() -> None:
    source, out = records(b'{"a": 1} x\n{"b": 2}\n')
    assert source.document is None
    assert [message for _, _, message in out] == ["invalid JSON: Extra data", None]


def test_probe_gives_up_on_a_huge_first_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "PROBE_BYTES", 200)
    body = "\n".join(f'"k{i}": {i},' for i in range(100))
    source, out = records(("{\n" + body + "\n}\n").encode())
    assert source.document is None
    assert len(out) == 102  # every line replayed as JSONL, none lost
    assert out[0][2] == "invalid JSON: Expecting property name enclosed in double quotes"


def test_large_document_grows_its_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docparse, "_MIN_GROW", 16)
    big = {"messages": [{"role": "user", "content": "y" * 3000}]}
    items = [json.dumps(big if i % 7 == 0 else ONE, indent=1) for i in range(40)]
    starts = [2]
    for item in items[:-1]:
        starts.append(starts[-1] + item.count("\n") + 1)
    _, out = records(("[\n" + ",\n".join(items) + "\n]").encode())
    assert [(line, message) for line, _, message in out] == [(line, None) for line in starts]
    assert [value for _, value, _ in out][:2] == [big, ONE]


def test_too_long_line_inside_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 100)
    text = '[\n{"a": "' + "x" * 300 + '"}\n]'
    _, out = records(text.encode())
    assert out == [(2, None, "line too long for a JSON document")]


def test_too_long_first_line_then_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(reader, "_CHUNK", 7)
    source, out = records(("x" * 300 + "\n" + '{"a": 1}\n').encode())
    assert out == [(1, None, "line of 0 MB > 0 MB"), (2, {"a": 1}, None)]
    assert source.size == 310


def test_bom_is_stripped_and_remembered() -> None:
    source, out = records(b'\xef\xbb\xbf{"a": 1}\n')
    assert source.bom
    assert out == [(1, {"a": 1}, None)]


def test_pretty_document_stops_recording_after_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    tapes: list[reader._Tape] = []

    class Spy(reader._Tape):
        def __iter__(self) -> Iterator[Line]:
            tapes.append(self)
            return super().__iter__()

    monkeypatch.setattr(reader, "_Tape", Spy)
    text = "\n".join(json.dumps(ONE, indent=1) for _ in range(50))
    _, out = records(text.encode())
    assert len(out) == 50
    assert tapes[0].seen is None
