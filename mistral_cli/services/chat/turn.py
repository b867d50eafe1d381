"""One exchange with the model: events as the answer arrives, and what it added up to."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from mistral_cli.api.chat import (
    Reference,
    Thinking,
    ToolCall,
    Unsupported,
    read_answer,
    read_content,
    read_tool_calls,
)
from mistral_cli.api.errors import ServerError, StreamInterrupted

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator, Mapping

    from mistral_cli.api.chat import Answer, CallPiece, Usage

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
    """A piece of the answer (of choice `choice`, by its index)."""

    text: str
    choice: int = 0


@dataclass(frozen=True)
class ThinkingDelta:
    """A piece of a reasoning model's thinking (never for stdout)."""

    text: str
    choice: int = 0


@dataclass(frozen=True)
class RawEvent:
    """The API's own payload: each stream chunk, or the one complete answer (--jsonl)."""

    payload: dict[str, Any]


ChatEvent = TextDelta | ThinkingDelta | RawEvent


@dataclass
class _Call:
    """A tool call being put together from its streamed pieces."""

    id: str | None = None
    name: str | None = None
    arguments: str | dict[str, Any] | None = None

    def add(self, piece: CallPiece) -> None:
        self.id = self.id or piece.id
        self.name = self.name or piece.name
        if isinstance(piece.arguments, dict) or not isinstance(self.arguments, str):
            self.arguments = piece.arguments if piece.arguments is not None else self.arguments
        elif piece.arguments is not None:
            self.arguments += piece.arguments


@dataclass
class ChoiceState:
    """What one choice of the answer added up to."""

    index: int
    text: str = ""
    thinking: str = ""
    finish_reason: str | None = None
    references: list[Reference] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # chunk types, each once
    calls: dict[int, _Call] = field(default_factory=dict)  # by the call's index

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The tool calls asked for, in index order (one without a name is no call)."""
        return tuple(
            ToolCall(call.id, call.name, call.arguments if call.arguments is not None else "")
            for _, call in sorted(self.calls.items())
            if call.name
        )

    @property
    def empty(self) -> bool:
        """Neither text nor tool calls: nothing to show or keep."""
        return not self.text and not self.tool_calls

    @property
    def anything(self) -> bool:
        """Whether the choice holds anything to show (text, thinking, calls, other chunks)."""
        return bool(self.text or self.thinking or self.calls or self.unsupported)

    def read(self, content: object, calls: object) -> list[ChatEvent]:
        """Take in a piece of content and tool calls; the events to pass on."""
        events: list[ChatEvent] = []
        for piece in read_content(content):
            if isinstance(piece, str):
                if piece:
                    self.text += piece
                    events.append(TextDelta(piece, self.index))
            elif isinstance(piece, Thinking):
                self.thinking += piece.text
                events.append(ThinkingDelta(piece.text, self.index))
            elif isinstance(piece, Reference):
                self.references.append(piece)
                marker = f"[{len(self.references)}]"
                self.text += marker
                events.append(TextDelta(marker, self.index))
            elif isinstance(piece, Unsupported) and piece.kind not in self.unsupported:
                self.unsupported.append(piece.kind)
        for call in read_tool_calls(calls):
            self.calls.setdefault(call.index, _Call()).add(call)
        return events

    def document(self) -> dict[str, Any]:
        """The choice as a complete answer carries it (for --json of a stream)."""
        content: Any = self.text
        if self.thinking:
            thinking = {"type": "thinking", "thinking": [{"type": "text", "text": self.thinking}]}
            content = [thinking, {"type": "text", "text": self.text}]
        calls = [call.document(n) for n, call in enumerate(self.tool_calls)]
        message = {"role": "assistant", "content": content, "tool_calls": calls or None}
        return {"index": self.index, "message": message, "finish_reason": self.finish_reason}


@dataclass
class Turn:
    """One request and its answer; iterate for events, then read the totals.

    With several choices (`n`), the first one seen is the turn's own (`text`, `thinking`,
    `finish_reason`, `tool_calls`: what is saved); `choices` holds them all.
    """

    client: ChatClient
    model: str
    prompt: str
    body: dict[str, Any]
    stream: bool
    clock: Callable[[], float] = time.monotonic
    usage: Usage | None = None  # only when both counts could be read: else "usage n/a"
    completed: bool = False  # the answer arrived whole (else it is partial or failed)
    started: float = 0.0
    elapsed: float = 0.0
    events: int = 0
    head: dict[str, Any] = field(default_factory=dict)  # id, created, model of the answer
    choices: dict[int, ChoiceState] = field(default_factory=dict)  # by index, in arrival order
    left_out: tuple[ToolCall, ...] = ()  # unanswered tool calls the history left out
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

    # ------------------------------------------------------------ the first choice

    @property
    def first(self) -> ChoiceState:
        """The turn's own choice (the first seen; an empty one, not kept, before any arrived)."""
        return next(iter(self.choices.values()), None) or ChoiceState(0)

    @property
    def primary(self) -> int:
        """The index of the turn's own choice."""
        return self.first.index

    @property
    def text(self) -> str:
        """The answer's text (the first choice's)."""
        return self.first.text

    @text.setter
    def text(self, value: str) -> None:
        self.choices.setdefault(self.primary, self.first).text = value

    @property
    def thinking(self) -> str:
        """The answer's thinking (the first choice's)."""
        return self.first.thinking

    @property
    def finish_reason(self) -> str | None:
        """Why the answer ended (the first choice's)."""
        return self.first.finish_reason

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The tool calls the answer asks for (the first choice's)."""
        return self.first.tool_calls

    @property
    def others(self) -> list[ChoiceState]:
        """The other choices (n > 1) that hold anything, in index order."""
        rest = (c for c in self.choices.values() if c is not self.first and c.anything)
        return sorted(rest, key=_index)

    @property
    def blank_others(self) -> list[ChoiceState]:
        """The other choices of a complete answer that hold nothing at all, in index order."""
        if not self.completed:
            return []
        rest = (c for c in self.choices.values() if c is not self.first and not c.anything)
        return sorted(rest, key=_index)

    # ------------------------------------------------------------ reading the answer

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
            yield from self._take(chunk)

    def _whole(self, client: ChatClient) -> Iterator[ChatEvent]:
        payload = client.request("POST", CHAT_PATH, json_body=self.body)
        answer = read_answer(payload, where=f"POST {CHAT_PATH}", part="message")
        self._response = dict(payload)  # as sent, for --json
        self.head = {"id": answer.id, "created": answer.created, "model": answer.model}
        self.usage = answer.usage
        self.events = 1
        yield RawEvent(self._response)
        answer = _sorted(answer)
        events = list(self._take(answer))  # thinking first, as a stream shows it
        yield from (e for e in events if isinstance(e, ThinkingDelta))
        yield from (e for e in events if not isinstance(e, ThinkingDelta))

    def _take(self, answer: Answer) -> Iterator[ChatEvent]:
        for choice in answer.choices:
            state = self.choices.setdefault(choice.index, ChoiceState(choice.index))
            yield from state.read(choice.content, choice.tool_calls)
            if choice.finish_reason is not None:
                state.finish_reason = choice.finish_reason

    def _check_finish(self) -> None:
        if self.finish_reason == "error":
            raise ServerError(
                "the model stopped with an error (finish_reason: error)",
                hint="the partial answer was kept; try again" if self.text else "try again",
            )

    # ------------------------------------------------------------ what it added up to

    @property
    def truncated(self) -> str | None:
        """Why the answer was cut short by a limit (length, model_length), else None."""
        return cut_short(self.first)

    @property
    def empty(self) -> str | None:
        """Why a complete answer holds nothing to show or keep (no text, no tool calls), or None."""
        if not self.completed or not self.first.empty:
            return None
        return empty_answer(self.first)

    def response(self) -> dict[str, Any]:
        """The API's complete answer; for a stream, the chunks assembled into the same shape."""
        if self._response is not None:
            return self._response
        choices = sorted(self.choices.values(), key=_index) or [ChoiceState(0)]
        return {
            "id": self.head.get("id"),
            "object": "chat.completion",
            "created": self.head.get("created"),
            "model": self.head.get("model") or self.model,
            "choices": [choice.document() for choice in choices],
            "usage": self._usage_doc,
        }


def cut_short(choice: ChoiceState) -> str | None:
    """Why a choice was cut short by a limit (length, model_length), else None."""
    if choice.finish_reason == "length":
        return "the answer reached --max-tokens and was cut short"
    if choice.finish_reason == "model_length":
        return "the answer reached the model's context length and was cut short"
    return None


def empty_answer(choice: ChoiceState) -> str:
    """`the answer is empty (finish_reason: stop)`; a reasoning answer cut while thinking."""
    reason = f"finish_reason: {choice.finish_reason or 'none'}"
    if choice.thinking and choice.finish_reason in ("length", "model_length"):
        return f"the answer was cut short while the model was thinking ({reason})"
    return f"the answer is empty ({reason})"


def _index(choice: ChoiceState) -> int:
    return choice.index


def _sorted(answer: Answer) -> Answer:
    """A whole answer's choices by index (the first one is the turn's own)."""
    return replace(answer, choices=tuple(sorted(answer.choices, key=lambda c: c.index)))
