"""Chat completions on the wire, without pydantic: the messages sent, the answers read.

The request body is an `api.chat_spec.ChatCompletionRequest` (services/chat/params.py builds
it); every message, content chunk and tool call in it is built here as the spec's TypedDict of
that shape, so mypy refuses a key the spec lacks. Answers and stream chunks are read leniently
(API.md §9, with api/values.py): what can be read is taken, the rest is let go, and only an
answer that is not a JSON object at all is an UnexpectedAnswer.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from mistral_cli.api.errors import UnexpectedAnswer
from mistral_cli.api.parse import got
from mistral_cli.api.values import as_int, as_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from mistral_cli.api import chat_spec

    WireMessage = (
        chat_spec.SystemMessage
        | chat_spec.UserMessage
        | chat_spec.AssistantMessage
        | chat_spec.ToolMessage
    )
    WireChunk = (
        chat_spec.TextChunk
        | chat_spec.ImageURLChunk
        | chat_spec.DocumentURLChunk
        | dict[str, Any]  # the other chunk types (never built here)
    )

Role = Literal["system", "user", "assistant", "tool"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant", "tool")


# ---------------------------------------------------------------- what a user message carries


@dataclass(frozen=True)
class TextPart:
    """A text file inlined in the prompt: a fenced block headed by the file's name."""

    name: str
    text: str

    def chunk(self) -> chat_spec.TextChunk:
        """The text chunk sent."""
        return {"type": "text", "text": fenced(self.name, self.text)}


@dataclass(frozen=True)
class ImagePart:
    """An image: a remote URL passed through, or a local file's bytes (sent as a data URL)."""

    name: str
    url: str | None = None
    mime: str | None = None
    data: bytes | None = None
    sha256: str | None = None

    def chunk(self) -> chat_spec.ImageURLChunk:
        """The image_url chunk sent."""
        if self.url is not None:
            return {"type": "image_url", "image_url": self.url}
        assert self.data is not None, "a local image has its bytes"
        encoded = base64.b64encode(self.data).decode("ascii")
        url = f"data:{self.mime or 'application/octet-stream'};base64,{encoded}"
        return {"type": "image_url", "image_url": url}


@dataclass(frozen=True)
class DocumentPart:
    """A PDF: a remote URL passed through, or an uploaded file (sent by a signed URL)."""

    name: str
    url: str | None = None  # a remote document's own URL
    file_id: str | None = None  # an uploaded one's id (its signed URL is fetched when sent)
    sha256: str | None = None

    def chunk(self, url: str) -> chat_spec.DocumentURLChunk:
        """The document_url chunk sent, reading the document at `url`."""
        return {"type": "document_url", "document_url": url, "document_name": self.name}


Part = TextPart | ImagePart | DocumentPart


def fenced(name: str, text: str) -> str:
    """`name`, then `text` in a code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{name}:\n{fence}\n{text.rstrip(chr(10))}\n{fence}"


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asked for; `id` is echoed back by the tool message answering it."""

    id: str | None
    name: str
    arguments: str | dict[str, Any]  # as the model sent them: JSON text, or an object

    def wire(self) -> chat_spec.ToolCall:
        """The call as an assistant message carries it back."""
        call: chat_spec.ToolCall = {
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }
        if self.id is not None:
            call["id"] = self.id
        return call

    def shown(self) -> str:
        """`get_weather({"city": "Paris"})`."""
        arguments = self.arguments
        text = (
            arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        )
        return f"{self.name}({text})"

    def document(self, index: int) -> dict[str, Any]:
        """The call as an answer carries it (for --json)."""
        return {**self.wire(), "id": self.id, "index": index}


@dataclass(frozen=True)
class Message:
    """One message of the conversation: its text, and what else it carries by role."""

    role: Role
    content: str
    parts: tuple[Part, ...] = ()  # user: attachments after the text
    tool_calls: tuple[ToolCall, ...] = ()  # assistant
    tool_call_id: str | None = None  # tool: the call it answers
    name: str | None = None  # tool: the function's name

    def wire(self, link: Callable[[DocumentPart], str | None] | None = None) -> WireMessage:
        """The message as the request carries it.

        `link` gives an uploaded document's URL now (a signed URL), or None when it is gone
        from the server: the document is then left out.
        """
        if self.role == "system":
            return {"role": "system", "content": self.content}
        if self.role == "user":
            if not self.parts:
                return {"role": "user", "content": self.content}
            user: chat_spec.UserMessage = {"role": "user", "content": self._chunks(link)}
            return user
        if self.role == "tool":
            return {
                "role": "tool",
                "content": self.content,
                "tool_call_id": self.tool_call_id,
                "name": self.name,
            }
        message: chat_spec.AssistantMessage = {"role": "assistant"}
        if self.content:
            message["content"] = self.content
        if self.tool_calls:
            message["tool_calls"] = [call.wire() for call in self.tool_calls]
        return message

    def _chunks(self, link: Callable[[DocumentPart], str | None] | None) -> list[WireChunk]:
        chunks: list[WireChunk] = []
        if self.content:
            chunks.append({"type": "text", "text": self.content})
        for part in self.parts:
            if isinstance(part, DocumentPart):
                url = part.url or (link(part) if link is not None else None)
                if url is not None:
                    chunks.append(part.chunk(url))
            else:
                chunks.append(part.chunk())
        return chunks

    @property
    def images(self) -> int:
        """How many images the message carries."""
        return sum(1 for part in self.parts if isinstance(part, ImagePart))


def as_role(text: str) -> Role | None:
    """`text` as the role of a message the CLI sends, or None (a saved role it does not send)."""
    return next((role for role in ROLES if role == text), None)


# ---------------------------------------------------------------- reading answers


@dataclass(frozen=True)
class Usage:
    """Token counts of an answer: only when both main counts could be read."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int | None = None


@dataclass(frozen=True)
class Choice:
    """One choice of an answer (or of a stream chunk), as sent: read further with the helpers."""

    index: int
    content: object  # message.content (delta.content in a chunk)
    tool_calls: object
    finish_reason: str | None


@dataclass(frozen=True)
class Answer:
    """What the CLI reads of a complete answer or a stream chunk: every readable choice."""

    id: str | None
    created: int | None
    model: str | None
    usage: Usage | None
    choices: tuple[Choice, ...] = ()

    @property
    def content(self) -> object:
        """The first readable choice's content (None without one)."""
        return self.choices[0].content if self.choices else None

    @property
    def finish_reason(self) -> str | None:
        """The first readable choice's finish_reason."""
        return self.choices[0].finish_reason if self.choices else None


def read_answer(payload: object, *, where: str, part: Literal["message", "delta"]) -> Answer:
    """Read an answer (`part="message"`) or a stream chunk (`part="delta"`).

    A choice that is not an object is skipped; one without a readable index takes its place in
    the list; a field that cannot be read counts as absent.
    """
    if not isinstance(payload, dict):
        problem = "empty or null" if payload is None else f"not an object (got {got(payload)})"
        raise UnexpectedAnswer(where, f"the answer is {problem}", answer=payload)
    listed = payload.get("choices")
    items = listed if isinstance(listed, list) else []
    choices: list[Choice] = []
    for position, choice in enumerate(items):
        if not isinstance(choice, dict):
            continue
        holder = choice.get(part)
        body = holder if isinstance(holder, dict) else {}
        index = as_int(choice.get("index"))
        choices.append(
            Choice(
                index=position if index is None or index < 0 else index,
                content=body.get("content"),
                tool_calls=body.get("tool_calls"),
                finish_reason=as_text(choice.get("finish_reason")),
            )
        )
    return Answer(
        id=as_text(payload.get("id")),
        created=as_int(payload.get("created")),
        model=as_text(payload.get("model")),
        usage=read_usage(payload.get("usage")),
        choices=tuple(choices),
    )


def read_usage(value: object) -> Usage | None:
    """Usage when both prompt_tokens and completion_tokens are readable integers, else None."""
    if not isinstance(value, dict):
        return None
    prompt = as_int(value.get("prompt_tokens"))
    completion = as_int(value.get("completion_tokens"))
    if prompt is None or completion is None:
        return None
    return Usage(prompt, completion, as_int(value.get("total_tokens")))


@dataclass(frozen=True)
class Thinking:
    """A piece of a reasoning model's thinking."""

    text: str


@dataclass(frozen=True)
class Reference:
    """A `reference` chunk: the ids of the sources it cites, and a title or URL if it has them."""

    ids: tuple[str, ...]
    title: str | None = None
    url: str | None = None

    def shown(self) -> str:
        """`Title <https://…>`, or `ids 0, 1`, whatever the chunk had."""
        words = [w for w in (self.title, f"<{self.url}>" if self.url else None) if w]
        if self.ids:
            words.append(f"ids {', '.join(self.ids)}")
        return " ".join(words) or "(no details)"


@dataclass(frozen=True)
class Unsupported:
    """A chunk of a type the CLI cannot show (said on stderr, never dropped silently)."""

    kind: str


Piece = str | Thinking | Reference | Unsupported


def read_content(content: object) -> list[Piece]:
    """The pieces of a content value in order: text (str), thinking, references, the rest.

    Read as far as it goes: a string, a lone chunk object, a number, strings in a list; a chunk
    whose type the CLI does not know becomes Unsupported (an unreadable type: "unknown").
    """
    if content is None:
        return []
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        text = as_text(content)
        return [text] if text else []
    pieces: list[Piece] = []
    for chunk in content:
        if not isinstance(chunk, dict):
            text = as_text(chunk)
            if text:
                pieces.append(text)
            continue
        kind = chunk.get("type")
        if kind == "text":
            pieces.append(as_text(chunk.get("text")) or "")
        elif kind == "thinking":
            pieces += [Thinking(t) for t in _thinking_text(chunk.get("thinking")) if t]
        elif kind == "reference":
            pieces.append(_reference(chunk))
        else:
            pieces.append(Unsupported(as_text(kind) or "unknown"))
    return pieces


def split_content(content: object) -> tuple[str, str]:
    """(text, thinking) of a content value; other chunks are left out."""
    pieces = read_content(content)
    text = "".join(p for p in pieces if isinstance(p, str))
    thinking = "".join(p.text for p in pieces if isinstance(p, Thinking))
    return text, thinking


def _thinking_text(parts: object) -> list[str]:
    if isinstance(parts, str):
        return [parts]
    if not isinstance(parts, list):
        return []
    return [as_text(p.get("text")) or "" for p in parts if isinstance(p, dict)]


def _reference(chunk: dict[str, Any]) -> Reference:
    raw = chunk.get("reference_ids")
    items = raw if isinstance(raw, list) else [raw]
    ids = tuple(text for text in (as_text(item) for item in items) if text)
    return Reference(ids, as_text(chunk.get("title")), as_text(chunk.get("url")))


@dataclass(frozen=True)
class CallPiece:
    """A tool call, or (streamed) a piece of one: merged by `index` into the whole call."""

    index: int
    id: str | None
    name: str | None
    arguments: str | dict[str, Any] | None


def read_tool_calls(value: object) -> list[CallPiece]:
    """The tool calls (or pieces) of a message or delta; what is not an object is skipped."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    pieces: list[CallPiece] = []
    for position, call in enumerate(value):
        if not isinstance(call, dict):
            continue
        function = call.get("function")
        body = function if isinstance(function, dict) else {}
        arguments = body.get("arguments")
        index = as_int(call.get("index"))
        pieces.append(
            CallPiece(
                index=position if index is None or index < 0 else index,
                id=as_text(call.get("id")),
                name=as_text(body.get("name")),
                arguments=arguments if isinstance(arguments, dict) else as_text(arguments),
            )
        )
    return pieces
