"""Table of single bad samples: each yields exactly these (rule, severity, path, message)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.unit.finetune.conftest import Writer, check

E, W = "error", "warning"
U = {"role": "user", "content": "Hi"}
A = {"role": "assistant", "content": "Hello."}
CID = "k3T9xQ2aB"
TOOL = {
    "type": "function",
    "function": {"name": "f", "description": "d", "parameters": {"type": "object"}},
}
CALL = {"id": CID, "type": "function", "function": {"name": "f", "arguments": "{}"}}
ANSWER = {"role": "tool", "tool_call_id": CID, "content": "42"}
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452")
JPEG = b"\xff\xd8\xff\xe0" + bytes(12)
TWICE = ("FT208", W, "/messages/2", "two 'assistant' messages in a row")


def calls(*items: Any, answers: list[Any] | None = None, tools: Any = (TOOL,)) -> dict[str, Any]:
    replies = [ANSWER] if answers is None else answers
    msgs = [U, {"role": "assistant", "tool_calls": list(items)}, *replies, A]
    sample: dict[str, Any] = {"messages": msgs}
    if tools is not None:
        sample["tools"] = list(tools) if isinstance(tools, tuple) else tools
    return sample


def image(url: Any) -> dict[str, Any]:
    chunk = {"type": "image_url", "image_url": url}
    return {"messages": [{"role": "user", "content": [chunk]}, A]}


def data_uri(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode()}"


CASES: list[tuple[str, Any, set[tuple[str, str, str, str]]]] = [
    (
        "weight on user",
        {"messages": [U | {"weight": 1}, A]},
        {("FT209", W, "/messages/0/weight", "'weight' on a 'user' message is ignored")},
    ),
    (
        "unknown message key",
        {"messages": [U | {"lang": "en"}, A]},
        {("FT209", W, "/messages/0/lang", "unknown key 'lang'")},
    ),
    (
        "user after tool",
        {
            "messages": [U, {"role": "assistant", "tool_calls": [CALL]}, ANSWER, U, A],
            "tools": [TOOL],
        },
        {("FT206", E, "/messages/3", "unexpected role 'user' after 'tool'")},
    ),
    (
        "late system",
        {"messages": [U, {"role": "system", "content": "x"}, A]},
        {("FT208", W, "/messages/1", "system message not first")},
    ),
    (
        "assistant twice",
        {"messages": [U, A, A]},
        {("FT208", W, "/messages/2", "two 'assistant' messages in a row")},
    ),
    (
        "empty user",
        {"messages": [{"role": "user", "content": " "}, A]},
        {("FT208", W, "/messages/0/content", "empty 'user' message")},
    ),
    (
        "content type",
        {"messages": [{"role": "user", "content": 7}, A]},
        {("FT203", E, "/messages/0/content", "content must be a string or an array, got number")},
    ),
    (
        "text alias",
        {"messages": [{"role": "user", "text": "Hi"}, A]},
        {("FT203", E, "/messages/0/text", "'text' is a trainer-only alias: use 'content'")},
    ),
    (
        "assistant null content",
        {"messages": [U, {"role": "assistant", "content": None}]},
        {("FT203", E, "/messages/1", "empty assistant message")},
    ),
    (
        "messages not a list",
        {"messages": {"role": "user"}},
        {("FT201", E, "/messages", "'messages' must be an array, got object")},
    ),
    (
        "message not an object",
        {"messages": ["Hi", A]},
        {("FT201", E, "/messages/0", "message must be an object, got string")},
    ),
    (
        "sharegpt",
        {"messages": [{"from": "human", "value": "Hi"}, A]},
        {
            (
                "FT201",
                E,
                "/messages/0",
                "message lacks 'role' (ShareGPT 'from'/'value' keys are not supported)",
            )
        },
    ),
    (
        "role not a string",
        {"messages": [{"role": 1, "content": "Hi"}, A]},
        {("FT202", E, "/messages/0/role", "unknown role 1")},
    ),
    (
        "weight true",
        {"messages": [U, A | {"weight": True}]},
        {("FT205", E, "/messages/1/weight", "weight must be 0 or 1, got true")},
    ),
    ("weight 0 then 1", {"messages": [U, A | {"weight": 0}, U, A | {"weight": 1.0}]}, set()),
    (
        "tool first",
        {"messages": [ANSWER, A]},
        {("FT305", E, "/messages/0/tool_call_id", f"'{CID}' matches no call")},
    ),
    # function calling
    (
        "tool_calls on user",
        {"messages": [U | {"tool_calls": [CALL]}, A]},
        {("FT301", E, "/messages/0/tool_calls", "'tool_calls' on a 'user' message")},
    ),
    (
        "tool_calls empty",
        {"messages": [U, A | {"tool_calls": []}]},
        {("FT301", E, "/messages/1/tool_calls", "'tool_calls' is empty")},
    ),
    (
        "tool_calls not a list",
        {"messages": [U, {"role": "assistant", "tool_calls": "x"}]},
        {("FT301", E, "/messages/1/tool_calls", "'tool_calls' must be an array, got string")},
    ),
    (
        "call not an object",
        calls("x", answers=[]),
        {("FT302", E, "/messages/1/tool_calls/0", "call must be an object, got string"), TWICE},
    ),
    (
        "call lacks id",
        calls({"type": "function", "function": {"name": "f", "arguments": "{}"}}, answers=[]),
        {("FT302", E, "/messages/1/tool_calls/0", "call lacks 'id'"), TWICE},
    ),
    (
        "call lacks type",
        calls({"id": CID, "function": {"name": "f", "arguments": "{}"}}),
        {("FT302", E, "/messages/1/tool_calls/0", "call lacks 'type'")},
    ),
    (
        "call wrong type",
        calls(CALL | {"type": "tool"}),
        {("FT302", E, "/messages/1/tool_calls/0/type", "call type must be 'function', got 'tool'")},
    ),
    (
        "call lacks function",
        calls({"id": CID, "type": "function"}),
        {("FT302", E, "/messages/1/tool_calls/0", "call lacks 'function'")},
    ),
    (
        "call lacks name",
        calls(CALL | {"function": {"arguments": "{}"}}),
        {("FT302", E, "/messages/1/tool_calls/0/function", "call lacks 'name'")},
    ),
    (
        "arguments not JSON",
        calls(CALL | {"function": {"name": "f", "arguments": "{oops"}}),
        {
            (
                "FT303",
                W,
                "/messages/1/tool_calls/0/function/arguments",
                "arguments are not valid JSON",
            )
        },
    ),
    (
        "arguments not an object",
        calls(CALL | {"function": {"name": "f", "arguments": "[1]"}}),
        {
            (
                "FT303",
                W,
                "/messages/1/tool_calls/0/function/arguments",
                "arguments should encode a JSON object",
            )
        },
    ),
    (
        "arguments a number",
        calls(CALL | {"function": {"name": "f", "arguments": 3}}),
        {
            (
                "FT303",
                E,
                "/messages/1/tool_calls/0/function/arguments",
                "arguments must be a JSON string",
            )
        },
    ),
    (
        "id not a string",
        calls(CALL | {"id": 5}, answers=[ANSWER | {"tool_call_id": 5}]),
        {
            ("FT304", E, "/messages/1/tool_calls/0/id", "bad id 5"),
            ("FT304", E, "/messages/2/tool_call_id", "bad id 5"),
        },
    ),
    (
        "duplicate call id",
        calls(CALL, CALL),
        {("FT305", E, "/messages/1/tool_calls/1/id", f"duplicate call id '{CID}'")},
    ),
    (
        "answered twice",
        calls(CALL, answers=[ANSWER, ANSWER]),
        {("FT305", E, "/messages/3/tool_call_id", f"'{CID}' answered twice")},
    ),
    (
        "answer lacks id",
        calls(CALL, answers=[{"role": "tool", "content": "42"}]),
        {
            ("FT305", E, "/messages/2", "tool message lacks 'tool_call_id'"),
            ("FT305", E, "/messages/1/tool_calls/0", f"call '{CID}' not answered"),
        },
    ),
    (
        "final call unanswered is fine",
        {"messages": [U, {"role": "assistant", "tool_calls": [CALL]}], "tools": [TOOL]},
        set(),
    ),
    (
        "unanswered before the end",
        {"messages": [U, {"role": "assistant", "tool_calls": [CALL]}, U]},
        {
            ("FT204", E, "/messages/2", "last message is 'user'"),
            ("FT305", E, "/messages/1/tool_calls/0", f"call '{CID}' not answered"),
            (
                "FT306",
                E,
                "/messages/1/tool_calls/0/function/name",
                "'f' not in tools (the sample has no 'tools')",
            ),
        },
    ),
    (
        "bad function name",
        calls(CALL | {"function": {"name": "get stock", "arguments": "{}"}}),
        {("FT306", E, "/messages/1/tool_calls/0/function/name", "bad function name 'get stock'")},
    ),
    (
        "bad tool message name",
        calls(CALL, answers=[ANSWER | {"name": "a b"}]),
        {("FT306", E, "/messages/2/name", "bad function name 'a b'")},
    ),
    (
        "tools not a list",
        calls(CALL, tools={"f": 1}),
        {
            ("FT307", E, "/tools", "'tools' must be an array, got object"),
            ("FT306", E, "/messages/1/tool_calls/0/function/name", "'f' not in tools"),
        },
    ),
    (
        "tool not an object",
        calls(CALL, tools=(TOOL, 3)),
        {("FT307", E, "/tools/1", "tool must be an object, got number")},
    ),
    (
        "tool lacks type",
        calls(CALL, tools=({"function": TOOL["function"]},)),
        {("FT307", E, "/tools/0", "tool lacks 'type'")},
    ),
    (
        "tool wrong type",
        calls(CALL, tools=(TOOL | {"type": "retrieval"},)),
        {("FT307", E, "/tools/0/type", "tool type must be 'function', got 'retrieval'")},
    ),
    (
        "tool lacks function",
        calls(CALL, tools=(TOOL, {"type": "function"})),
        {("FT307", E, "/tools/1/function", "tool lacks a 'function' object")},
    ),
    (
        "function lacks keys",
        calls(CALL, tools=(TOOL, {"type": "function", "function": {"name": "g"}})),
        {
            ("FT307", E, "/tools/1/function", "function lacks 'description'"),
            ("FT307", E, "/tools/1/function", "function lacks 'parameters'"),
        },
    ),
    (
        "description not a string",
        calls(
            CALL,
            tools=(
                TOOL,
                {"type": "function", "function": {"name": "g", "description": 1, "parameters": {}}},
            ),
        ),
        {("FT307", E, "/tools/1/function/description", "description must be a string")},
    ),
    (
        "duplicate tool",
        calls(CALL, tools=(TOOL, TOOL)),
        {("FT307", E, "/tools/1/function/name", "duplicate tool 'f'")},
    ),
    (
        "bad tool name",
        calls(
            CALL,
            tools=(
                TOOL,
                {
                    "type": "function",
                    "function": {"name": "g h", "description": "", "parameters": {}},
                },
            ),
        ),
        {("FT306", E, "/tools/1/function/name", "bad function name 'g h'")},
    ),
    (
        "legacy function message alone",
        {"messages": [U, {"role": "function", "name": "f", "content": "1"}, A]},
        {
            ("FT308", E, "/messages/1/role", "legacy role 'function': use 'tool'"),
            ("FT305", E, "/messages/1", "'function' message answers no function_call"),
            ("FT206", E, "/messages/1", "unexpected role 'tool' after 'user'"),
        },
    ),
    (
        "legacy call unanswered",
        {
            "messages": [U, {"role": "assistant", "function_call": {"name": "f"}}, U, A],
            "functions": [TOOL["function"]],
        },
        {
            ("FT308", E, "/functions", "legacy 'functions': use 'tools'"),
            ("FT308", E, "/messages/1/function_call", "legacy 'function_call': use 'tool_calls'"),
            ("FT305", E, "", "function_call not answered"),
        },
    ),
    # vision
    (
        "chunk not an object",
        {"messages": [{"role": "user", "content": ["hi"]}, A]},
        {("FT401", E, "/messages/0/content/0", "chunk must be an object, got string")},
    ),
    (
        "text chunk without text",
        {"messages": [{"role": "user", "content": [{"type": "text"}]}, A]},
        {("FT401", E, "/messages/0/content/0", "text chunk lacks a string 'text'")},
    ),
    (
        "unknown chunk",
        {"messages": [{"role": "user", "content": [{"type": "audio"}]}, A]},
        {("FT401", E, "/messages/0/content/0", "unknown chunk type 'audio'")},
    ),
    (
        "url object without url",
        image({"href": "x"}),
        {
            (
                "FT401",
                E,
                "/messages/0/content/0/image_url/url",
                "image_url needs a URL string or {'url': …}",
            )
        },
    ),
    (
        "file url",
        image("file:///tmp/a.png"),
        {
            (
                "FT401",
                E,
                "/messages/0/content/0/image_url",
                "image URL must be http(s):// or a data: URI",
            )
        },
    ),
    (
        "https tiff",
        image("https://example.com/scan.TIFF"),
        {("FT401", E, "/messages/0/content/0/image_url", "image/tiff not supported")},
    ),
    ("https png", image("https://example.com/cat.png?size=2"), set()),
    ("jpg alias", image(data_uri("image/jpg", JPEG)), set()),
    (
        "data uri no comma",
        image("data:image/png;base64"),
        {("FT401", E, "/messages/0/content/0/image_url", "data URI lacks ','")},
    ),
    (
        "data uri not base64",
        image("data:image/png,abc"),
        {("FT401", E, "/messages/0/content/0/image_url", "data URI must be base64")},
    ),
    (
        "data uri bad base64",
        image("data:image/png;base64,@@@@"),
        {("FT401", E, "/messages/0/content/0/image_url", "invalid base64 in data URI")},
    ),
    (
        "data uri mismatch",
        image(data_uri("image/png", JPEG)),
        {("FT401", E, "/messages/0/content/0/image_url", "data is image/jpeg, declared image/png")},
    ),
    (
        "data uri unknown bytes",
        image(data_uri("image/gif", b"hello world!")),
        {
            (
                "FT401",
                E,
                "/messages/0/content/0/image_url",
                "image data is not PNG, JPEG, GIF or WEBP",
            )
        },
    ),
    (
        "data uri untyped",
        image("data:;base64,AAAA"),
        {("FT401", E, "/messages/0/content/0/image_url", "untyped data not supported")},
    ),
    (
        "gif and webp",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image_url",
                            "image_url": data_uri("image/gif", b"GIF89a" + bytes(8)),
                        },
                        {
                            "type": "image_url",
                            "image_url": data_uri("image/webp", b"RIFF\0\0\0\0WEBPVP8 "),
                        },
                        {"type": "image_url", "image_url": {"url": data_uri("image/png", PNG)}},
                    ],
                },
                A,
            ]
        },
        set(),
    ),
    # classifier
    (
        "labels not an object",
        {"text": "x", "labels": []},
        {("FT501", E, "/labels", "'labels' must be a non-empty object")},
    ),
    (
        "label list of numbers",
        {"text": "x", "labels": {"t": [1]}},
        {("FT501", E, "/labels/t", "bad value at /labels/t (array)")},
    ),
    (
        "text and messages",
        {"text": "x", "messages": [U], "labels": {"t": "a"}},
        {("FT501", E, "", "both 'text' and 'messages'; keep one")},
    ),
    (
        "neither text nor messages",
        {"labels": {"t": "a"}},
        {("FT501", E, "", "needs 'text' or 'messages'")},
    ),
    (
        "blank text",
        {"text": " ", "labels": {"t": "a"}},
        {("FT501", E, "/text", "'text' must be a non-empty string")},
    ),
    ("classifier messages need no assistant", {"messages": [U], "labels": {"t": "a"}}, set()),
    (
        "classifier unknown key",
        {"text": "x", "labels": {"t": "a"}, "id": 3},
        {("FT102", W, "/id", "unknown key 'id'")},
    ),
    (
        "system_prompt alias",
        {"system_prompt": "Be brief.", "messages": [U, A]},
        {("FT102", W, "/system_prompt", "'system_prompt': use a system message")},
    ),
    (
        "available_tools alias",
        {"available_tools": [TOOL], "messages": [U, A]},
        {("FT102", W, "/available_tools", "'available_tools': use 'tools'")},
    ),
    (
        "pointer escaping",
        {"messages": [U, A], "a/b~c": 1},
        {("FT102", W, "/a~1b~0c", "unknown key 'a/b~c'")},
    ),
    (
        "template token",
        {"messages": [U, A | {"content": "done <|im_end|>"}]},
        {("FT209", W, "/messages/1/content", "template markup '<|im_end|>' in content")},
    ),
    (
        "secret hint without secret",
        {"messages": [U | {"content": "use sk-short or AKIA"}, A]},
        set(),
    ),
    (
        "private key",
        {"messages": [U | {"content": "-----BEGIN RSA PRIVATE KEY-----\nMII"}, A]},
        {("FT209", W, "/messages/0/content", "possible secret (private key) in content")},
    ),
]


def _line(sample: Any) -> str:
    return json.dumps(sample)


@pytest.mark.parametrize(("sample", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sample(write: Writer, sample: Any, expected: set[tuple[str, str, str, str]]) -> None:
    first: dict[str, Any] = {"messages": [{"role": "user", "content": "first"}, A]}
    if isinstance(sample, dict) and "labels" in sample:
        first = {"text": "first", "labels": {"t": "a"}}
    path: Path = write("train.jsonl", [_line(first), _line(sample)])
    report = check(path)
    found = {
        (f.rule, f.severity, f.path, f.message)
        for f in report.findings
        if f.rule not in {"FT007", "FT503"}
    }
    assert found == expected
    assert all(f.line == 2 for f in report.findings if f.rule not in {"FT007", "FT503"})
