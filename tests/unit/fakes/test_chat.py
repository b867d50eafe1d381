"""Chat completions: JSON and SSE shapes, scripted replies, thinking, usage, unknown models."""

from typing import Any

import httpx
import pytest

from tests.fakes import FakeMistral, Reply, fake_token_count
from tests.fakes.chat import chat_usage, message_text
from tests.unit.fakes.helpers import CHAT, chat_body, component_validator, sse_payloads


def test_default_reply_echoes_the_last_user_message(
    fake: FakeMistral, client: httpx.Client
) -> None:
    body = chat_body("first")
    body["messages"] += [
        {"role": "assistant", "content": "ok"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "second "}, {"type": "text", "text": "part"}],
        },
    ]
    answer = client.post(CHAT, json=body)
    assert answer.status_code == 200
    completion = answer.json()
    assert completion["object"] == "chat.completion"
    assert completion["model"] == "mistral-small-latest"
    assert completion["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "tool_calls": None, "content": "Echo: second part"},
            "finish_reason": "stop",
        }
    ]
    prompt = fake_token_count("first") + fake_token_count("ok") + fake_token_count("second part")
    completion_tokens = fake_token_count("Echo: second part")
    assert completion["usage"] == {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
    }


def test_scripted_replies_are_used_in_order(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.extend([Reply(text="one"), Reply(text="two", finish_reason="length")])
    first, second, third = (
        client.post(CHAT, json=chat_body()).json()["choices"][0] for _ in range(3)
    )
    assert (first["message"]["content"], first["finish_reason"]) == ("one", "stop")
    assert (second["message"]["content"], second["finish_reason"]) == ("two", "length")
    assert third["message"]["content"] == "Echo: hi"


def test_thinking_comes_first_as_chunks(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.append(Reply(text="42", thinking="let me see"))
    message = client.post(CHAT, json=chat_body()).json()["choices"][0]["message"]
    assert message["content"] == [
        {"type": "thinking", "thinking": [{"type": "text", "text": "let me see"}]},
        {"type": "text", "text": "42"},
    ]


def stream(client: httpx.Client, **extra: Any) -> list[Any]:
    answer = client.post(CHAT, json=chat_body(stream=True, **extra))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    return sse_payloads(answer.content)


def test_stream_is_data_only_sse_ending_with_done(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.append(Reply(text="Hello there!", chunk_size=5))
    payloads = stream(client)
    assert payloads[-1] == "[DONE]"
    chunks = payloads[:-1]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    assert [c["choices"][0]["delta"] for c in chunks] == [
        {"role": "assistant", "content": ""},
        {"content": "Hello"},
        {"content": " ther"},
        {"content": "e!"},
    ]
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, None, "stop"]
    assert ["usage" in c for c in chunks] == [False, False, False, True]
    assert chunks[-1]["usage"] == chat_usage([{"content": "hi"}], "Hello there!", None)


def test_stream_thinking_then_text(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.append(Reply(text="yes", thinking="abcdef", chunk_size=4))
    deltas = [c["choices"][0]["delta"] for c in stream(client)[:-1]]
    assert deltas[1:] == [
        {"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "abcd"}]}]},
        {"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "ef"}]}]},
        {"content": "yes"},
    ]


def test_stream_of_an_empty_reply_still_finishes(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.append(Reply(text="", include_usage=False))
    chunks = stream(client)[:-1]
    assert chunks[-1]["choices"][0] == {
        "index": 0,
        "delta": {"content": ""},
        "finish_reason": "stop",
    }
    assert "usage" not in chunks[-1]


def test_unknown_model_is_rejected_like_the_api(client: httpx.Client) -> None:
    answer = client.post(CHAT, json=chat_body() | {"model": "mistral-smal"})
    assert answer.status_code == 400
    assert answer.json() == {
        "object": "error",
        "message": "Invalid model: mistral-smal",
        "type": "invalid_model",
        "param": None,
        "code": "1500",
        "request_id": answer.headers["x-request-id"],
    }


@pytest.mark.parametrize(
    "model",
    [
        "mistral-small-2506",
        "mistral-medium-3-5",
        "ft:ministral-8b-latest:7d1e40aa:20260801:a1b2c3d4",
    ],
)
def test_ids_and_aliases_are_accepted(client: httpx.Client, model: str) -> None:
    answer = client.post(CHAT, json=chat_body() | {"model": model})
    assert (answer.status_code, answer.json()["model"]) == (200, model)


def test_deprecated_models_carry_the_deprecation_header(client: httpx.Client) -> None:
    answer = client.post(CHAT, json=chat_body() | {"model": "mistral-medium-2508"})
    assert answer.headers["x-model-deprecation-timestamp"] == "2026-08-31T12:00:00Z"
    assert "x-model-deprecation-timestamp" not in client.post(CHAT, json=chat_body()).headers


def test_message_text_handles_every_content_form() -> None:
    assert message_text({"content": None}) == ""
    assert (
        message_text(
            {"content": [{"type": "image_url", "image_url": "x"}, {"type": "text", "text": "t"}]}
        )
        == "t"
    )


def test_responses_follow_the_spec(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.extend([Reply(text="a", thinking="b"), Reply(text="a", thinking="b")])
    completion = client.post(CHAT, json=chat_body()).json()
    errors = [
        e.message for e in component_validator("ChatCompletionResponse").iter_errors(completion)
    ]
    assert errors == ["'data' is a required property"]  # the spec's known mistake (API.md §1)
    chunk_validator = component_validator("CompletionChunk")
    for chunk in stream(client)[:-1]:
        assert list(chunk_validator.iter_errors(chunk)) == []
