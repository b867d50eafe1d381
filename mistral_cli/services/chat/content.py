"""A message's attachments and tool calls in the conversation store, and back.

What is stored (README "Conversations"): the text in `content`; the rest as JSON in
`message_parts`: a text file's name and text; an image's name, media type and SHA-256 (its
bytes once in `blobs`, under that hash), or its URL; a PDF's name, file id and SHA-256 (the
signed URL expires: it is fetched again when the message is resent), or its URL; tool calls
(id, name, arguments as sent); a tool answer's call id and function name.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mistral_cli.api.chat import DocumentPart, ImagePart, Message, Part, TextPart, ToolCall
from mistral_cli.api.values import as_text
from mistral_cli.services.conversations import Blob, StoredMessage

if TYPE_CHECKING:
    from collections.abc import Callable


def stored(message: Message, **fields: Any) -> StoredMessage:  # noqa: ANN401  # StoredMessage's
    """The message as the store keeps it (`fields`: partial, token counts)."""
    extra: dict[str, Any] = {}
    blobs: list[Blob] = []
    if message.parts:
        extra["parts"] = [_part(part, blobs) for part in message.parts]
    if message.tool_calls:
        extra["tool_calls"] = [
            {"id": call.id, "name": call.name, "arguments": call.arguments}
            for call in message.tool_calls
        ]
    if message.role == "tool":
        extra["tool_call_id"] = message.tool_call_id
        extra["name"] = message.name
    parts = json.dumps(extra, ensure_ascii=False) if extra else None
    return StoredMessage(message.role, message.content, parts=parts, blobs=tuple(blobs), **fields)


def _part(part: Part, blobs: list[Blob]) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text_file", "name": part.name, "text": part.text}
    if isinstance(part, ImagePart):
        if part.url is not None or part.data is None or part.sha256 is None:
            return {"type": "image", "name": part.name, "url": part.url}
        blobs.append(Blob(part.sha256, part.mime or "application/octet-stream", part.data))
        return {"type": "image", "name": part.name, "sha256": part.sha256, "mime": part.mime}
    if part.url is not None:
        return {"type": "document", "name": part.name, "url": part.url}
    return {"type": "document", "name": part.name, "file_id": part.file_id, "sha256": part.sha256}


def restore(
    role: str, saved: StoredMessage, blob: Callable[[str], Blob | None], problems: list[str]
) -> Message | None:
    """The message as sent again, or None when it cannot be (an unknown role).

    A part whose bytes are gone (or that cannot be read) is left out, said in `problems`.
    """
    from mistral_cli.api.chat import as_role

    sent_as = as_role(role)
    if sent_as is None:
        return None
    extra = _extra(saved.parts)
    raw_parts = extra.get("parts")
    parts: list[Part] = []
    for item in raw_parts if isinstance(raw_parts, list) else []:
        part = _read_part(item, blob)
        if part is None:
            problems.append(f"an attachment of a saved message ({_name(item)}) could not be read")
        else:
            parts.append(part)
    raw_calls = extra.get("tool_calls")
    calls = tuple(
        ToolCall(as_text(c.get("id")), name, _arguments(c.get("arguments")))
        for c in (raw_calls if isinstance(raw_calls, list) else [])
        if isinstance(c, dict) and (name := as_text(c.get("name")))
    )
    return Message(
        role=sent_as,
        content=saved.content,
        parts=tuple(parts),
        tool_calls=calls,
        tool_call_id=as_text(extra.get("tool_call_id")),
        name=as_text(extra.get("name")),
    )


def _extra(parts: str | None) -> dict[str, Any]:
    if parts is None:
        return {}
    try:
        extra = json.loads(parts)
    except ValueError:
        return {}
    return extra if isinstance(extra, dict) else {}


def _read_part(item: object, blob: Callable[[str], Blob | None]) -> Part | None:
    if not isinstance(item, dict):
        return None
    kind, name = item.get("type"), as_text(item.get("name")) or "attachment"
    url, sha = as_text(item.get("url")), as_text(item.get("sha256"))
    if kind == "text_file":
        text = as_text(item.get("text"))
        return None if text is None else TextPart(name, text)
    if kind == "image":
        if url is not None:
            return ImagePart(name, url=url)
        kept = blob(sha) if sha else None
        return None if kept is None else ImagePart(name, mime=kept.mime, data=kept.data, sha256=sha)
    if kind == "document":
        file_id = as_text(item.get("file_id"))
        if url is None and file_id is None:
            return None
        return DocumentPart(name, url=url, file_id=file_id, sha256=sha)
    return None


def _name(item: object) -> str:
    name = as_text(item.get("name")) if isinstance(item, dict) else None
    return name or "unnamed"


def _arguments(value: object) -> str | dict[str, Any]:
    return value if isinstance(value, dict) else as_text(value) or ""
