"""The chat fake is as strict as the API about history, and answers with more than text."""

from typing import Any

import httpx
import pytest

from tests.fakes import FakeMistral
from tests.fakes.chat import NO_CONTENT, UNANSWERED, FakeCall, Reply, history_problem
from tests.fakes.files import FilesFake
from tests.unit.fakes.helpers import CHAT, chat_body, component_validator, sse_payloads

CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


def stream(client: httpx.Client, **extra: Any) -> list[Any]:
    response = client.post(CHAT, json=chat_body(stream=True, **extra))
    assert response.status_code == 200, response.text
    return sse_payloads(response.content)


@pytest.mark.parametrize(
    ("messages", "problem"),
    [
        ([{"role": "user", "content": "q"}], None),
        ([{"role": "user", "content": "q"}, {"role": "assistant", "content": ""}], NO_CONTENT),
        ([{"role": "user", "content": "q"}, {"role": "assistant", "content": None}], NO_CONTENT),
        ([{"role": "assistant", "tool_calls": [CALL]}], UNANSWERED),
        (
            [{"role": "assistant", "tool_calls": [CALL]}, {"role": "user", "content": "q"}],
            UNANSWERED,
        ),
        (
            [{"role": "assistant", "tool_calls": [CALL]}, {"role": "tool", "content": "1"}],
            UNANSWERED,
        ),
        (
            [
                {"role": "assistant", "tool_calls": [CALL]},
                {"role": "tool", "content": "1", "tool_call_id": "c1"},
            ],
            None,
        ),
        (
            [
                {"role": "assistant", "tool_calls": [CALL]},
                {"role": "tool", "content": "1", "tool_call_id": "c1"},
                {"role": "user", "content": "q"},
            ],
            "Unexpected role 'user' after role 'tool'",
        ),
        (
            [{"role": "user", "content": "q"}, {"role": "tool", "content": "1"}],
            "Unexpected role 'tool' after role 'user'",
        ),
    ],
)
def test_histories_the_api_refuses(messages: list[dict[str, Any]], problem: str | None) -> None:
    assert history_problem(messages) == problem


def test_a_refused_history_is_a_400_with_code_3230(client: httpx.Client) -> None:
    body = chat_body()
    body["messages"].append({"role": "assistant", "content": ""})
    body["messages"].append({"role": "user", "content": "again"})
    answer = client.post(CHAT, json=body)
    assert answer.status_code == 400
    assert (answer.json()["message"], answer.json()["code"]) == (NO_CONTENT, "3230")


def test_tool_calls_whole_and_in_pieces(fake: FakeMistral, client: httpx.Client) -> None:
    call = FakeCall("get_weather", '{"city": "Paris"}', id="x1")
    fake.chat.replies.extend(
        [Reply(text="", tool_calls=(call,)), Reply(text="", tool_calls=(call,), call_piece=6)]
    )
    whole = client.post(CHAT, json=chat_body()).json()["choices"][0]
    assert whole["finish_reason"] == "tool_calls"
    assert whole["message"]["tool_calls"] == [
        {"id": "x1", "type": "function", "index": 0,
         "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
    ]  # fmt: skip
    events = stream(client)[:-1]
    pieces = [e["choices"][0]["delta"].get("tool_calls") for e in events]
    pieces = [p[0] for p in pieces if p]
    assert [p["function"]["arguments"] for p in pieces] == ['{"city', '": "Pa', 'ris"}']
    assert pieces[0]["id"] == "x1"
    assert "id" not in pieces[1]
    assert events[-1]["choices"][0]["finish_reason"] == "tool_calls"
    chunk_validator = component_validator("CompletionChunk")
    for event in events:
        assert list(chunk_validator.iter_errors(event)) == []


def test_n_choices_streamed_interleaved_and_whole(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.extend([Reply(text="a", choices=("b",)), Reply(text="a")])
    whole = client.post(CHAT, json=chat_body(n=2)).json()
    assert [c["message"]["content"] for c in whole["choices"]] == ["a", "b"]
    events = stream(client, n=3)[:-1]
    assert [(c["index"], c["delta"]["content"]) for e in events for c in e["choices"]] == [
        (0, ""), (1, ""), (2, ""), (0, "a"), (1, "a #2"), (2, "a #3"),
    ]  # fmt: skip
    assert "usage" in events[-1]
    assert all("usage" not in e for e in events[:-1])


def test_raw_content_and_no_content(fake: FakeMistral, client: httpx.Client) -> None:
    chunks = [{"type": "text", "text": "A"}, {"type": "reference", "reference_ids": [1]}]
    fake.chat.replies.extend([Reply(content=chunks), Reply(content=None), Reply(content=chunks)])
    assert client.post(CHAT, json=chat_body()).json()["choices"][0]["message"]["content"] == chunks
    assert client.post(CHAT, json=chat_body()).json()["choices"][0]["message"]["content"] is None
    deltas = [e["choices"][0]["delta"]["content"] for e in stream(client)[:-1]]
    assert deltas == ["", [chunks[0]], [chunks[1]]]


def test_signed_urls_are_readable_until_they_expire(
    fake: FakeMistral, client: httpx.Client
) -> None:
    files = fake.module(FilesFake)
    files.clock = lambda: 1_000_000.0
    stored = files.add("r.pdf", b"%PDF-1.4", "ocr")
    answer = client.get(f"/v1/files/{stored.id}/url", params={"expiry": 1})
    url = answer.json()["url"]
    assert files.readable(url)
    assert not files.readable(url.replace("sig=", "sig=0"))
    body = chat_body()
    body["messages"][0]["content"] = [{"type": "document_url", "document_url": url}]
    assert client.post(CHAT, json=body).status_code == 200
    files.clock = lambda: 1_000_000.0 + 3601
    refused = client.post(CHAT, json=body)
    assert refused.status_code == 400
    assert refused.json()["message"] == f"Could not download the document at {url}"
    assert client.get(f"/v1/files/{stored.id}/url", params={"expiry": 169}).status_code == 422
    files.expire(stored.id)
    assert client.get(f"/v1/files/{stored.id}/url").status_code == 404


def test_ocr_uploads_must_be_pdfs(client: httpx.Client) -> None:
    files = {"file": ("notes.txt", b"hello", "text/plain")}
    answer = client.post("/v1/files", files=files, data={"purpose": "ocr"})
    assert answer.status_code == 422
    files = {"file": ("r.pdf", b"%PDF-1.4\n", "application/pdf")}
    assert client.post("/v1/files", files=files, data={"purpose": "ocr"}).status_code == 200
