"""One exchange with the model: events as the answer arrives, and what it added up to."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mistral_cli.api.chat import read_answer, split_content
from mistral_cli.api.errors import ServerError, StreamInterrupted

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator, Mapping

    from mistral_cli.api.chat import Usage

CHAT_PATH = "/v1/chat/completions"


class ChatClient(Protocol):
    """The part of ApiClient a chat needs."""

    def request(self, method: str, path: str, *, json_body: Any = None) -> Any:  # noqa: ANN401
        """Send a JSON request; return the decoded answer."""
        ...

    def stream_events(self, path: str, body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """POST a streaming request; yield each event's JSON payload."""
        ...


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer."""

    text: str


@dataclass(frozen=True)
class ThinkingDelta:
    """A piece of a reasoning model's thinking (never for stdout)."""

    text: str


@dataclass(frozen=True)
class RawEvent:
    """The API's own payload: each stream chunk, or the one complete answer (--jsonl)."""

    payload: dict[str, Any]


ChatEvent = TextDelta | ThinkingDelta | RawEvent


@dataclass
class Turn:
    """One request and its answer; iterate for events, then read the totals."""

    client: ChatClient
    model: str
    prompt: str
    body: dict[str, Any]
    stream: bool
    clock: Callable[[], float] = time.monotonic
    text: str = ""
    thinking: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None  # only when both counts could be read: else "usage n/a"
    completed: bool = False  # the answer arrived whole (else it is partial or failed)
    started: float = 0.0
    elapsed: float = 0.0
    events: int = 0
    head: dict[str, Any] = field(default_factory=dict)  # id, created, model of the answer
    _response: dict[str, Any] | None = None
    _usage_doc: dict[str, Any] | None = None
    _running: Generator[ChatEvent, None, None] | None = None

    def __iter__(self) -> Iterator[ChatEvent]:
        """Send the request (once) and yield events until the answer is complete."""
        if self._running is not None:
            raise RuntimeError("a turn runs once")
        self._running = self._run()
        return self._running

    def close(self) -> None:
        """Stop reading the answer and release the connection (safe to call twice)."""
        if self._running is not None:
            self._running.close()

    def _run(self) -> Generator[ChatEvent, None, None]:
        self.started = self.clock()
        try:
            if self.stream:
                yield from self._streamed(self.client)
            else:
                yield from self._whole(self.client)
        except StreamInterrupted as exc:
            if self.text or self.thinking:
                raise StreamInterrupted(
                    f"{exc.message}; the partial answer was kept", hint=exc.hint
                ) from None
            raise
        finally:
            self.elapsed = self.clock() - self.started
        self._check_finish()
        self.completed = True

    def _streamed(self, client: ChatClient) -> Iterator[ChatEvent]:
        for payload in client.stream_events(CHAT_PATH, self.body):
            self.events += 1
            yield RawEvent(payload)
            chunk = read_answer(payload, where=f"POST {CHAT_PATH} (stream)", part="delta")
            if not self.head:
                self.head = {"id": chunk.id, "created": chunk.created, "model": chunk.model}
            if isinstance(payload.get("usage"), dict):
                self._usage_doc = payload["usage"]  # as sent, for --json (nulls kept)
            if chunk.usage is not None:
                self.usage = chunk.usage
            # one answer is shown: with --param n>1, the first readable choice
            text, thinking = split_content(chunk.content)
            if thinking:
                self.thinking += thinking
                yield ThinkingDelta(thinking)
            if text:
                self.text += text
                yield TextDelta(text)
            if chunk.finish_reason is not None:
                self.finish_reason = chunk.finish_reason

    def _whole(self, client: ChatClient) -> Iterator[ChatEvent]:
        payload = client.request("POST", CHAT_PATH, json_body=self.body)
        answer = read_answer(payload, where=f"POST {CHAT_PATH}", part="message")
        self._response = dict(payload)  # as sent, for --json
        self.head = {"id": answer.id, "created": answer.created, "model": answer.model}
        self.usage = answer.usage
        self.events = 1
        yield RawEvent(self._response)
        self.text, self.thinking = split_content(answer.content)
        self.finish_reason = answer.finish_reason
        if self.thinking:
            yield ThinkingDelta(self.thinking)
        if self.text:
            yield TextDelta(self.text)

    def _check_finish(self) -> None:
        if self.finish_reason == "error":
            raise ServerError(
                "the model stopped with an error (finish_reason: error)",
                hint="the partial answer was kept; try again" if self.text else "try again",
            )

    @property
    def truncated(self) -> str | None:
        """Why the answer was cut short by a limit (length, model_length), else None."""
        if self.finish_reason == "length":
            return "the answer reached --max-tokens and was cut short"
        if self.finish_reason == "model_length":
            return "the answer reached the model's context length and was cut short"
        return None

    def response(self) -> dict[str, Any]:
        """The API's complete answer; for a stream, the chunks assembled into the same shape."""
        if self._response is not None:
            return self._response
        content: Any = self.text
        if self.thinking:
            thinking = {"type": "thinking", "thinking": [{"type": "text", "text": self.thinking}]}
            content = [thinking, {"type": "text", "text": self.text}]
        message = {"role": "assistant", "content": content}
        choice = {"index": 0, "message": message, "finish_reason": self.finish_reason}
        return {
            "id": self.head.get("id"),
            "object": "chat.completion",
            "created": self.head.get("created"),
            "model": self.head.get("model") or self.model,
            "choices": [choice],
            "usage": self._usage_doc,
        }
