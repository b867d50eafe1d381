import io

import pytest

from mistral_cli.errors import DataValidationError
from mistral_cli.services.embed.inputs import (
    MAX_LINE_BYTES,
    InputError,
    Item,
    from_texts,
    is_blank,
    read_jsonl,
    read_lines,
    utf8_lines,
)


def test_lines_lose_their_terminator_only():
    lines = ["one\n", "two\r\n", "  three  \n", "\n", "last"]
    assert list(read_lines(lines)) == [
        Item(1, None, "one"),
        Item(2, None, "two"),
        Item(3, None, "  three  "),
        Item(4, None, ""),
        Item(5, None, "last"),
    ]


def test_lines_are_read_lazily():
    def endless():
        n = 0
        while True:
            n += 1
            yield f"line {n}\n"

    reader = read_lines(endless())
    assert next(reader) == Item(1, None, "line 1")
    assert next(reader) == Item(2, None, "line 2")


def test_text_arguments_are_numbered_by_position():
    assert list(from_texts(["a\nb", "c"])) == [Item(1, None, "a\nb"), Item(2, None, "c")]


@pytest.mark.parametrize(("text", "blank"), [("", True), (" \t ", True), (" x ", False)])
def test_is_blank(text, blank):
    assert is_blank(text) is blank


def test_jsonl_reads_the_field_and_carries_the_id():
    lines = ['{"text": "hello", "doc": "a1"}\n', "\n", '{"doc": 7, "text": "bye", "x": [1]}\n']
    assert list(read_jsonl(lines, field="text", id_field="doc")) == [
        Item(1, "a1", "hello"),
        Item(2, None, ""),
        Item(3, 7, "bye"),
    ]


def test_jsonl_without_id_field_keys_by_line():
    items = list(read_jsonl(['{"body": "b"}'], field="body"))
    assert items == [Item(1, None, "b")]
    assert items[0].key == 1
    assert items[0].where() == "line 1"


def test_where_names_the_id():
    assert Item(4, "a/7", "t").where() == 'line 4 (id "a/7")'
    assert Item(4, "a/7", "t").key == "a/7"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{nope", "line 2: not valid JSON (Expecting property name enclosed in double quotes"),
        ('["text"]', "line 2: expected a JSON object, got an array"),
        ('{"other": 1, "doc": "d"}', 'line 2: no "text" field'),
        ('{"text": 5, "doc": "d"}', 'line 2: "text" is a number, expected a string'),
        ('{"text": null, "doc": "d"}', 'line 2: "text" is null, expected a string'),
        ('{"text": "t"}', 'line 2: no "doc" field'),
        ('{"text": "t", "doc": true}', 'line 2: "doc" is a boolean, expected a string or integer'),
        ('{"text": "t", "doc": {"a": 1}}', 'line 2: "doc" is an object, expected a string'),
    ],
)
def test_jsonl_errors_name_the_line(line, message):
    reader = read_jsonl(['{"text": "ok", "doc": "d1"}', line], id_field="doc")
    assert next(reader) == Item(1, "d1", "ok")
    with pytest.raises(DataValidationError) as caught:
        next(reader)
    assert caught.value.message.startswith(message)
    assert caught.value.exit_code == 8
    assert caught.value.line == 2  # type: ignore[attr-defined]


def test_a_line_over_the_cap_stops_with_exit_8_naming_it():
    stream = io.BytesIO(b"first\n" + b"y" * 5000 + b"\nthird\n")
    lines = utf8_lines(stream, max_line=1024)
    assert next(lines) == "first\n"
    with pytest.raises(InputError) as caught:
        next(lines)
    assert caught.value.exit_code == 8
    assert caught.value.line == 2
    assert caught.value.message == ("line 2: longer than 1 KiB, the most one input line may hold")
    assert stream.tell() < 2048  # the rest of the line stays unread


def test_the_default_cap_is_8_mib():
    assert MAX_LINE_BYTES == 8 * 1024 * 1024
    assert list(utf8_lines(io.BytesIO(b"a" * 1024 + b"\n"))) == ["a" * 1024 + "\n"]
