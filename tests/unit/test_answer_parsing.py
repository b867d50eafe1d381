"""api/parse.py and the lenient schema types: what an answer may carry, and the one-line errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import Field

from mistral_cli.api import parse
from mistral_cli.api.chat import read_answer, split_content
from mistral_cli.api.client import ApiClient
from mistral_cli.api.errors import ServerError, UnexpectedAnswer, unreadable
from mistral_cli.api.schemas import Page, Response
from mistral_cli.api.schemas.files import FileList, FileOut
from mistral_cli.api.schemas.lenient import (
    Count,
    Flag,
    Id,
    Int,
    Items,
    Object,
    Opt,
    Text,
    Texts,
    as_flag,
    as_float,
    as_int,
)
from mistral_cli.api.schemas.models import ModelList

KEY = "sk-test-" + "7" * 32


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.0, 3), ("3", 3), (" 3.0 ", 3), (-2, -2), ("1e3", 1000), (3.5, None),
     (True, None), ("x", None), ("1_000", None), ([], None), ({}, None), (None, None)],
)  # fmt: skip
def test_an_int_is_taken_only_when_unambiguous(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


def test_floats_and_flags() -> None:
    assert [as_float(v) for v in (1, 0.5, "0.25", "nan", "inf", False, "x")] == [
        1.0, 0.5, 0.25, None, None, None, None,
    ]  # fmt: skip
    assert [as_flag(v) for v in (True, 0, 1, "TRUE", " false", 2, "yes", None)] == [
        True, False, True, True, False, None, None, None,
    ]  # fmt: skip


class Item(Response):
    id: Id
    size: Int = None


class Thing(Response):
    id: Id
    count: Count
    name: Text = None
    ready: Flag = None
    tags: Texts = Field(default_factory=list)
    extra: Object = None
    item: Opt[Item] = None
    items: Items[Item] = Field(default_factory=list)


class Things(Page):
    data: Items[Thing]


def read(data: object) -> tuple[Thing, list[str]]:
    notes: list[str] = []
    return parse.answer(Thing, data, where="GET /v1/things", note=notes.append), notes


def test_odd_values_of_fields_the_command_can_do_without_become_none_with_a_note() -> None:
    thing, notes = read(
        {"id": 7, "count": "2", "name": ["x"], "ready": "maybe", "tags": ["a", 1, None, {}],
         "extra": "x", "item": {"size": 1}, "items": [{"id": "a"}, {"size": 2}, 5]}
    )  # fmt: skip
    assert (thing.id, thing.count, thing.name, thing.ready, thing.extra) == (
        "7",
        2,
        None,
        None,
        None,
    )
    assert thing.tags == ["a", "1"]
    assert thing.item is None
    assert [item.id for item in thing.items] == ["a"]
    assert notes == [
        "GET /v1/things: ignored name = a list (not a string)",
        'GET /v1/things: ignored ready = "maybe" (not true or false)',
        'GET /v1/things: ignored extra = "x" (not an object)',
        "GET /v1/things: ignored item: id is missing",
        "GET /v1/things: skipped items[1]: id is missing",
        "GET /v1/things: skipped items[2]: it is not an object (got 5)",
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"count": 1}, "id is missing"),
        ({"id": None, "count": 1}, "id is null"),
        ({"id": "", "count": 1}, 'id is not a string (got "")'),
        ({"id": {}, "count": 1}, "id is not a string (got an object)"),
        ({"id": "a", "count": 1.5}, "count is not an integer (got 1.5)"),
        ({"id": "a"}, "count is missing"),
        ({}, "id is missing (and 1 more)"),
        (None, "the answer is empty or null"),
        ([1], "the answer is not an object (got a list)"),
        ("<html>", 'the answer is not an object (got "<html>")'),
    ],
)
def test_what_an_answer_lacks_is_one_line_naming_the_route(data: object, problem: str) -> None:
    with pytest.raises(UnexpectedAnswer) as caught:
        read(data)
    error = caught.value
    assert error.message == f"unexpected answer from the server (GET /v1/things): {problem}"
    assert error.hint == "rerun with --debug to see the answer it sent"
    assert (error.exit_code, error.answer, unreadable(error)) == (1, data, True)


class Strict(Response):
    data: list[Item]  # a plain list: an unreadable item is an error here, not skipped


def test_nested_locations_read_like_paths() -> None:
    with pytest.raises(UnexpectedAnswer, match=r"\(GET /v1/x\): data\[1\]\.id is missing$"):
        parse.answer(Strict, {"data": [{"id": "a"}, {"size": 1}]}, where="GET /v1/x")
    assert parse.location(("data", 0, "id")) == "data[0].id"
    assert parse.location(()) == ""


def test_a_failure_shows_the_body_to_debug_cut_short() -> None:
    notes: list[str] = []
    with pytest.raises(UnexpectedAnswer):
        parse.answer(Thing, {"blob": "x" * 5000}, where="GET /v1/things", note=notes.append)
    (note,) = notes
    assert note.startswith('GET /v1/things answered: {"blob":"xxx')
    assert len(note) == len("GET /v1/things answered: ") + parse.PREVIEW
    assert note.endswith("…")


def test_wire_is_the_document_as_sent() -> None:
    sent = {"id": "f", "bytes": None, "created_at": "soon", "new": [1]}
    file = FileOut.model_validate(sent)
    assert (file.bytes, file.created_at) == (None, None)
    assert file.wire() == sent
    assert FileOut(id="built").wire() == {"id": "built"}  # nothing added that was not set


def test_a_page_re_emits_only_the_readable_items() -> None:
    sent = {"object": "list", "total": 3, "data": [{"id": "a", "count": 1}, {"id": "b"}, None]}
    page = Things.model_validate(sent)
    assert page.wire() == {"object": "list", "total": 3, "data": [{"id": "a", "count": 1}]}


def test_a_model_list_may_be_a_bare_list_and_null_data_is_empty() -> None:
    assert [c.id for c in parse.answer(ModelList, [{"id": "m"}, {}], where="x").data] == ["m"]
    assert parse.answer(ModelList, {"data": None}, where="x").data == []


def test_usage_without_both_counts_is_none() -> None:
    sent = {"usage": {"prompt_tokens": 3, "completion_tokens": None}}
    chunk = read_answer(sent, where="x", part="delta")
    assert chunk.usage is None
    sent = {"usage": {"prompt_tokens": "3", "completion_tokens": 2.0}}
    whole = read_answer(sent, where="x", part="delta")
    assert whole.usage is not None
    assert (whole.usage.prompt_tokens, whole.usage.completion_tokens) == (3, 2)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, ("", "")),
        ("plain", ("plain", "")),
        (42, ("42", "")),
        ({"type": "text", "text": "one"}, ("one", "")),
        (
            [{"type": "thinking", "thinking": [{"text": "t"}, 3]}, {"type": "text", "text": None},
             {"type": "image", "url": "u"}, "s", {"type": "text", "text": 5}, ["x"]],
            ("s5", "t"),
        ),
        (
            [{"type": "thinking", "thinking": "raw"}, {"type": "thinking", "thinking": 1}],
            ("", "raw"),
        ),
    ],
)  # fmt: skip
def test_split_content_reads_what_it_can(content: object, expected: tuple[str, str]) -> None:
    assert split_content(content) == expected


def test_unreadable_covers_bodies_that_are_not_json_but_not_server_failures() -> None:
    assert unreadable(ServerError("the server sent an unreadable answer", status=200))
    assert not unreadable(ServerError("Bad gateway", status=502))
    assert not unreadable(ValueError("x"))


def client(answer: Any, trace: list[str]) -> ApiClient:  # a JSON document
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    return ApiClient(
        api_key=KEY, base_url="http://api.test", transport=httpx.MockTransport(handler),
        trace=trace.append,
    )  # fmt: skip


def test_send_notes_skipped_items_and_shows_an_unexpected_body_key_redacted() -> None:
    trace: list[str] = []
    listed = client({"data": [{"id": "a"}, {"name": "b"}]}, trace).send(
        "GET", "/v1/files", into=FileList, params={"page": 0}
    )
    assert [f.id for f in listed.data] == ["a"]
    assert "GET /v1/files: skipped data[1]: id is missing" in trace
    trace.clear()
    with pytest.raises(UnexpectedAnswer, match=r"\(GET /v1/files/x\): id is missing$"):
        client({"echo": KEY}, trace).send("GET", "/v1/files/x", into=FileOut)
    assert 'GET /v1/files/x answered: {"echo":"****"}' in trace
