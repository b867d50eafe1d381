"""POST /v1/chat/completions: scripted or echoed replies, as one JSON object or as an SSE stream."""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from typing import Any, Final

from tests.fakes.embeddings import fake_token_count
from tests.fakes.router import FakeMistral, FakeModule, PathParams, now, route
from tests.fakes.wire import (
    SSE_DONE,
    SSE_TYPE,
    Chunk,
    FakeRequest,
    Response,
    StreamResponse,
    api_error,
    json_response,
    sse_event,
)

STREAM_HEADERS: Final = {"content-type": f"{SSE_TYPE}; charset=utf-8", "cache-control": "no-cache"}


@dataclass(frozen=True)
class Reply:
    """What the fake model answers next; `text=None` echoes the last user message."""

    text: str | None = None
    thinking: str | None = None
    finish_reason: str = "stop"
    chunk_size: int = 8  # characters per streamed delta
    include_usage: bool = True  # False: the last stream chunk lacks usage (seen live)


def message_text(message: dict[str, Any]) -> str:
    """Return a message's text: the string content, or its text chunks joined."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if c.get("type") == "text")
    return ""


def chat_usage(messages: list[dict[str, Any]], text: str, thinking: str | None) -> dict[str, int]:
    """Count tokens with the fake tokenizer: each message's text, then the reply (and thinking)."""
    prompt = sum(fake_token_count(message_text(message)) for message in messages)
    completion = fake_token_count(text) + (fake_token_count(thinking) if thinking else 0)
    return {
        "prompt_tokens": prompt,
        "total_tokens": prompt + completion,
        "completion_tokens": completion,
    }


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), max(1, size))]


def _thinking(text: str) -> dict[str, object]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


class ChatFake(FakeModule):
    """Chat completions; queue answers with `fake.chat.replies.append(Reply(...))`."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.replies: deque[Reply] = deque()

    def unused(self) -> list[str]:
        """The scripted replies no request took."""
        return [f"unused scripted reply: {reply}" for reply in self.replies]

    def _next_reply(self, messages: list[dict[str, Any]]) -> tuple[Reply, str]:
        try:
            reply = self.replies.popleft()
        except IndexError:
            reply = Reply()
        if reply.text is not None:
            return reply, reply.text
        users = [m for m in messages if m.get("role") == "user"]
        return reply, "Echo: " + (message_text(users[-1]) if users else "")

    @route("POST", "/v1/chat/completions")
    def complete(self, request: FakeRequest, params: PathParams) -> Response:
        """Answer with the next scripted reply; 400 invalid_model for an unknown model."""
        body = request.json()
        card = self.fake.models.find(body["model"])
        if card is None:
            message = f"Invalid model: {body['model']}"
            return api_error(request, 400, message, "invalid_model", code="1500")
        reply, text = self._next_reply(body["messages"])
        usage = chat_usage(body["messages"], text, reply.thinking)
        head = {"id": os.urandom(16).hex(), "created": now(), "model": body["model"]}
        headers: dict[str, str] = {}
        if card.get("deprecation"):
            headers["x-model-deprecation-timestamp"] = card["deprecation"]
        if body.get("stream"):
            return _stream(head, reply, text, usage, headers)
        content: object = text
        if reply.thinking is not None:
            content = [_thinking(reply.thinking), {"type": "text", "text": text}]
        answer = {"role": "assistant", "tool_calls": None, "content": content}
        choice: dict[str, object] = {
            "index": 0,
            "message": answer,
            "finish_reason": reply.finish_reason,
        }
        completion = {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
        return json_response(200, completion, headers)


def _stream(
    head: dict[str, object],
    reply: Reply,
    text: str,
    usage: dict[str, int],
    headers: dict[str, str],
) -> StreamResponse:
    """Frame the reply as Mistral does: role delta, thinking, text; the last delta ends it."""

    def event(delta: dict[str, object], finish: str | None = None) -> Chunk:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        chunk: dict[str, object] = {**head, "object": "chat.completion.chunk", "choices": [choice]}
        if finish is not None and reply.include_usage:
            chunk["usage"] = usage
        return Chunk(sse_event(chunk))

    events = [event({"role": "assistant", "content": ""})]
    if reply.thinking:
        events += [
            event({"content": [_thinking(p)]}) for p in _pieces(reply.thinking, reply.chunk_size)
        ]
    pieces = _pieces(text, reply.chunk_size) or [""]
    events += [event({"content": piece}) for piece in pieces[:-1]]
    events.append(event({"content": pieces[-1]}, reply.finish_reason))
    return StreamResponse(200, {**STREAM_HEADERS, **headers}, (*events, Chunk(SSE_DONE)))
