"""Chat completions on the wire, without pydantic: the messages sent, the answers read.

The request body is an `api.chat_spec.ChatCompletionRequest` (services/chat/params.py builds
it; mypy refuses a field the spec lacks). Answers and stream chunks are read leniently
(API.md §9, with api/values.py): what can be read is taken, the rest is let go, and only an
answer that is not a JSON object at all is an UnexpectedAnswer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mistral_cli.api.errors import UnexpectedAnswer
from mistral_cli.api.parse import got
from mistral_cli.api.values import as_int, as_text

Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    """One message of the conversation as sent (text content only)."""

    role: Role
    content: str

    def wire(self) -> dict[str, Any]:
        """The message as the request carries it."""
        return {"role": self.role, "content": self.content}


def as_role(text: str) -> Role | None:
    """`text` as the role of a message the CLI sends, or None (a saved role it does not send)."""
    return next((role for role in ROLES if role == text), None)


@dataclass(frozen=True)
class Usage:
    """Token counts of an answer: only when both main counts could be read."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int | None = None


@dataclass(frozen=True)
class Answer:
    """What the CLI reads of a complete answer or a stream chunk (its first readable choice)."""

    id: str | None
    created: int | None
    model: str | None
    usage: Usage | None
    content: object  # the choice's message.content (delta.content in a chunk), as sent
    finish_reason: str | None


def read_answer(payload: object, *, where: str, part: Literal["message", "delta"]) -> Answer:
    """Read an answer (`part="message"`) or a stream chunk (`part="delta"`).

    A choice that is not an object is skipped; a field that cannot be read counts as absent.
    """
    if not isinstance(payload, dict):
        problem = "empty or null" if payload is None else f"not an object (got {got(payload)})"
        raise UnexpectedAnswer(where, f"the answer is {problem}", answer=payload)
    choices = payload.get("choices")
    items = choices if isinstance(choices, list) else []
    choice: dict[str, Any] = next((c for c in items if isinstance(c, dict)), {})
    holder = choice.get(part)
    return Answer(
        id=as_text(payload.get("id")),
        created=as_int(payload.get("created")),
        model=as_text(payload.get("model")),
        usage=read_usage(payload.get("usage")),
        content=holder.get("content") if isinstance(holder, dict) else None,
        finish_reason=as_text(choice.get("finish_reason")),
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
