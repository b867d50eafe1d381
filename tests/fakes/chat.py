"""POST /v1/chat/completions: scripted or echoed replies, as one JSON object or as an SSE stream.

As strict as the real API about the history (API.md §9, code 3230): an assistant message needs
content or tool calls, every tool call a `tool` message answering it, and roles keep their
order (no `user` right after `tool`). A `document_url` must be a signed URL the files fake
issued, still valid. Replies can carry tool calls (streamed whole or in pieces), several
choices (`n`), raw content chunks (references, unknown types) or no content at all.
"""

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
ORDER_ERROR: Final = "invalid_request_message_order"
NO_CONTENT: Final = "Assistant message must have either content or tool_calls, but not none"
UNANSWERED: Final = "Not the same number of function calls and responses"
_TEXT: Final = object()  # Reply.content's default: the reply's text


@dataclass(frozen=True)
class FakeCall:
    """A tool call the fake model asks for; `arguments` is sent as given (JSON text or object)."""

    name: str
    arguments: str | dict[str, Any] = "{}"
    id: str | None = None

    def whole(self, index: int) -> dict[str, Any]:
        """The call as the API sends it."""
        call_id = self.id or f"call{index}"
        function = {"name": self.name, "arguments": self.arguments}
        return {"id": call_id, "type": "function", "function": function, "index": index}


@dataclass(frozen=True)
class Reply:
    """What the fake model answers next; `text=None` echoes the last user message.

    `content` replaces the text with raw content (None, or a list of chunks: references,
    unknown types); `tool_calls` are asked for after it, streamed whole or, with
    `call_piece`, their arguments in pieces of that many characters. With `n` > 1 in the
    request, choice k says `choices[k - 1]` (else the text and `#k+1`).
    """

    text: str | None = None
    thinking: str | None = None
    finish_reason: str = "stop"
    chunk_size: int = 8  # characters per streamed delta
    include_usage: bool = True  # False: the last stream chunk lacks usage (seen live)
    content: object = _TEXT
    tool_calls: tuple[FakeCall, ...] = ()
    call_piece: int = 0  # stream tool-call arguments in pieces of this size (0: whole)
    choices: tuple[str, ...] = ()


def message_text(message: dict[str, Any]) -> str:
    """Return a message's text: the string content, or its text chunks joined."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if c.get("type") == "text")
    return ""


def attached(message: dict[str, Any]) -> list[str]:
    """What a message carries beside text, as the echo names it: `[image]`, `[document x.pdf]`."""
    content = message.get("content")
    names: list[str] = []
    for chunk in content if isinstance(content, list) else []:
        if chunk.get("type") == "image_url":
            names.append("[image]")
        elif chunk.get("type") == "document_url":
            names.append(f"[document {chunk.get('document_name')}]")
    return names


def chat_usage(messages: list[dict[str, Any]], text: str, thinking: str | None) -> dict[str, int]:
    """Count tokens with the fake tokenizer: each message's text, then the reply (and thinking)."""
    prompt = sum(fake_token_count(message_text(message)) for message in messages)
    completion = fake_token_count(text) + (fake_token_count(thinking) if thinking else 0)
    return {
        "prompt_tokens": prompt,
        "total_tokens": prompt + completion,
        "completion_tokens": completion,
    }


def history_problem(messages: list[dict[str, Any]]) -> str | None:
    """What the real API says (code 3230) of a history it refuses, or None."""
    waiting: set[str] = set()
    previous = None
    for message in messages:
        role = message.get("role")
        if previous == "tool" and role == "user":
            return "Unexpected role 'user' after role 'tool'"
        if role == "tool" and previous not in ("assistant", "tool"):
            return f"Unexpected role 'tool' after role '{previous}'"
        if role == "tool":
            if message.get("tool_call_id") not in waiting:
                return UNANSWERED
            waiting.discard(message["tool_call_id"])
        elif waiting:
            return UNANSWERED
        if role == "assistant":
            calls = message.get("tool_calls") or []
            content = message.get("content")
            if not calls and (content is None or content == "" or content == []):
                return NO_CONTENT
            waiting = {call.get("id", "null") for call in calls}
        previous = role
    return UNANSWERED if waiting else None


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), max(1, size))]


def _thinking(text: str) -> dict[str, object]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}]}


@dataclass(frozen=True)
class _Choice:
    """One choice of the reply, ready to frame."""

    index: int
    text: str
    content: object  # the content as sent (the text, or Reply.content)


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
        echoed = [message_text(users[-1]), *attached(users[-1])] if users else [""]
        return reply, "Echo: " + " ".join(echoed)

    def _refusal(self, request: FakeRequest, body: dict[str, Any]) -> Response | None:
        card = self.fake.models.find(body["model"])
        if card is None:
            message = f"Invalid model: {body['model']}"
            return api_error(request, 400, message, "invalid_model", code="1500")
        problem = history_problem(body["messages"])
        if problem is not None:
            return api_error(request, 400, problem, ORDER_ERROR, code="3230")
        return self._unreadable_document(request, body["messages"])

    def _unreadable_document(
        self, request: FakeRequest, messages: list[dict[str, Any]]
    ) -> Response | None:
        """400 for a document_url the files fake did not sign, or signed for a time now past."""
        from tests.fakes.files import FilesFake

        files = self.fake.module(FilesFake)
        for message in messages:
            content = message.get("content")
            for chunk in content if isinstance(content, list) else []:
                url = chunk.get("document_url")
                if chunk.get("type") == "document_url" and not files.readable(url):
                    problem = f"Could not download the document at {url}"
                    return api_error(request, 400, problem, "invalid_request_error")
        return None

    @route("POST", "/v1/chat/completions")
    def complete(self, request: FakeRequest, params: PathParams) -> Response:
        """Answer with the next scripted reply; 400 for an unknown model or a refused history."""
        body = request.json()
        refused = self._refusal(request, body)
        if refused is not None:
            return refused
        reply, text = self._next_reply(body["messages"])
        count = body.get("n") or 1
        texts = [text, *(reply.choices[k - 1] if k <= len(reply.choices) else f"{text} #{k + 1}"
                         for k in range(1, count))]  # fmt: skip
        choices = [
            _Choice(k, t, t if reply.content is _TEXT or k else reply.content)
            for k, t in enumerate(texts)
        ]
        usage = chat_usage(body["messages"], "".join(texts), reply.thinking)
        head = {"id": os.urandom(16).hex(), "created": now(), "model": body["model"]}
        headers: dict[str, str] = {}
        card = self.fake.models.find(body["model"]) or {}
        if card.get("deprecation"):
            headers["x-model-deprecation-timestamp"] = card["deprecation"]
        if body.get("stream"):
            return _stream(head, reply, choices, usage, headers)
        documents = [_whole(reply, choice) for choice in choices]
        completion = {**head, "object": "chat.completion", "choices": documents, "usage": usage}
        return json_response(200, completion, headers)


def _whole(reply: Reply, choice: _Choice) -> dict[str, object]:
    content = choice.content
    if reply.thinking is not None and isinstance(content, str):
        content = [_thinking(reply.thinking), {"type": "text", "text": content}]
    calls = [call.whole(n) for n, call in enumerate(reply.tool_calls)] if not choice.index else []
    answer = {"role": "assistant", "tool_calls": calls or None, "content": content}
    finish = "tool_calls" if calls and reply.finish_reason == "stop" else reply.finish_reason
    return {"index": choice.index, "message": answer, "finish_reason": finish}


def _deltas(reply: Reply, choice: _Choice) -> list[dict[str, object]]:
    """The deltas of one choice: role, thinking, content pieces, tool calls (the first only)."""
    deltas: list[dict[str, object]] = [{"role": "assistant", "content": ""}]
    if reply.thinking:
        deltas += [{"content": [_thinking(p)]} for p in _pieces(reply.thinking, reply.chunk_size)]
    if isinstance(choice.content, str):
        pieces = _pieces(choice.content, reply.chunk_size) or [""]
        deltas += [{"content": piece} for piece in pieces]
    elif isinstance(choice.content, list):
        deltas += [{"content": [chunk]} for chunk in choice.content]
    else:
        deltas.append({"content": choice.content})
    for n, call in enumerate(reply.tool_calls if not choice.index else ()):
        whole = call.whole(n)
        arguments = call.arguments
        if not reply.call_piece or not isinstance(arguments, str):
            deltas.append({"content": "", "tool_calls": [whole]})
            continue
        for k, piece in enumerate(_pieces(arguments, reply.call_piece) or [""]):
            first = {**whole, "function": {"name": call.name, "arguments": piece}}
            # a later piece has no id; the spec wants a name in each (FunctionCall.required)
            later = {"index": n, "function": {"name": call.name, "arguments": piece}}
            deltas.append({"content": "", "tool_calls": [first if k == 0 else later]})
    return deltas


def _stream(
    head: dict[str, object],
    reply: Reply,
    choices: list[_Choice],
    usage: dict[str, int],
    headers: dict[str, str],
) -> StreamResponse:
    """Frame the reply as Mistral does: each choice's deltas interleaved; the last ones end it."""
    per_choice = [_deltas(reply, choice) for choice in choices]
    payloads: list[dict[str, object]] = []
    for step in range(max(len(deltas) for deltas in per_choice)):
        for choice, deltas in zip(choices, per_choice, strict=True):
            if step >= len(deltas):
                continue
            finish = reply.finish_reason if step == len(deltas) - 1 else None
            if finish == "stop" and reply.tool_calls and not choice.index:
                finish = "tool_calls"
            entry = {"index": choice.index, "delta": deltas[step], "finish_reason": finish}
            payloads.append({**head, "object": "chat.completion.chunk", "choices": [entry]})
    if reply.include_usage:
        payloads[-1]["usage"] = usage  # with the last chunk, as the API sends it
    events = [Chunk(sse_event(payload)) for payload in payloads]
    return StreamResponse(200, {**STREAM_HEADERS, **headers}, (*events, Chunk(SSE_DONE)))
