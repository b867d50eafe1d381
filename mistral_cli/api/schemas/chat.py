"""Chat completions: the strict request body and the lenient answer and stream-chunk models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mistral_cli.api.schemas import Request, Response
from mistral_cli.api.schemas.lenient import Count, Int, Items, Opt, Text, as_text

Role = Literal["system", "user", "assistant"]


class Message(Request):
    """One message of the conversation as sent (text content only)."""

    role: Role
    content: str


class JsonSchema(Request):
    """response_format.json_schema: a named JSON Schema the answer must follow."""

    name: str
    schema_: dict[str, Any] = Field(alias="schema")
    description: str | None = None
    strict: bool | None = None


class ResponseFormat(Request):
    """response_format: text (default), json_object or json_schema."""

    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchema | None = None


class ChatRequest(Request):
    """POST /v1/chat/completions body; bounds as in the spec (checked before sending)."""

    model: str
    messages: list[Message]
    temperature: float | None = Field(default=None, ge=0, le=1.5)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, ge=0)
    stream: bool | None = None
    stop: list[str] | None = None
    random_seed: int | None = Field(default=None, ge=0)
    response_format: ResponseFormat | None = None
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    safe_prompt: bool | None = None

    def wire(self, extras: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body: None left out (0 and False kept), then the --param extras merged in."""
        body = self.model_dump(mode="json", exclude_none=True, by_alias=True)
        body.update(extras or {})  # the one deliberate hole in the strict model (--param)
        return body


class Usage(Response):
    """Token counts; unreadable (None where it sits) unless both main counts are numbers.

    Extra counters (cache hits, audio seconds) are kept.
    """

    prompt_tokens: Count
    completion_tokens: Count
    total_tokens: Int = None


class AnswerMessage(Response):
    """choices[].message of a complete answer; content may be a chunk list (thinking first)."""

    role: Text = "assistant"
    content: Any = None


class Choice(Response):
    """One choice of a complete answer."""

    index: Int = 0
    message: Opt[AnswerMessage] = None
    finish_reason: Text = None


class ChatCompletion(Response):
    """The non-streamed answer (`object: chat.completion`)."""

    id: Text = None
    object: Text = "chat.completion"
    model: Text = None
    created: Int = None
    choices: Items[Choice] = Field(default_factory=list)
    usage: Opt[Usage] = None


class Delta(Response):
    """choices[].delta of a stream chunk."""

    role: Text = None
    content: Any = None


class ChunkChoice(Response):
    """One choice of a stream chunk."""

    index: Int = 0
    delta: Opt[Delta] = None
    finish_reason: Text = None


class ChatChunk(Response):
    """One streamed event (`object: chat.completion.chunk`); usage comes with the last."""

    id: Text = None
    object: Text = "chat.completion.chunk"
    model: Text = None
    created: Int = None
    choices: Items[ChunkChoice] = Field(default_factory=list)
    usage: Opt[Usage] = None


def split_content(content: object) -> tuple[str, str]:
    """(text, thinking) of a content value: a string, or text and thinking chunks.

    Anything else is read as far as it goes: a lone chunk object, a number, strings in the
    list; chunks of unknown types (and what cannot be read) are left out.
    """
    if content is None:
        return "", ""
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return as_text(content) or "", ""
    text: list[str] = []
    thinking: list[str] = []
    for chunk in content:
        if not isinstance(chunk, dict):
            text.append(as_text(chunk) or "")
            continue
        kind = chunk.get("type")
        if kind == "text":
            text.append(as_text(chunk.get("text")) or "")
        elif kind == "thinking":
            thinking.extend(_thinking_text(chunk.get("thinking")))
    return "".join(text), "".join(thinking)


def _thinking_text(parts: object) -> list[str]:
    if isinstance(parts, str):
        return [parts]
    if not isinstance(parts, list):
        return []
    return [as_text(p.get("text")) or "" for p in parts if isinstance(p, dict)]
