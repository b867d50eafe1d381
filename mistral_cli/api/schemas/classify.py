"""Classifier and moderation wire models: /v1/classifications, /v1/moderations, chat twins."""

from __future__ import annotations

from typing import Any

from mistral_cli.api.schemas import Request, Response
from mistral_cli.api.schemas.lenient import Text

Message = dict[str, Any]  # a chat message as the input file gives it; the API checks its fields


class TextsRequest(Request):
    """POST /v1/classifications and /v1/moderations (ClassificationRequest): texts."""

    model: str
    input: list[str]


class Conversation(Request):
    """One conversation for /v1/chat/classifications (InstructRequest)."""

    messages: list[Message]


class ChatClassificationRequest(Request):
    """POST /v1/chat/classifications: conversations, each `{"messages": [...]}`."""

    model: str
    input: list[Conversation]


class ChatModerationRequest(Request):
    """POST /v1/chat/moderations: conversations, each a bare list of messages."""

    model: str
    input: list[list[Message]]


class ClassificationAnswer(Response):
    """ClassificationResponse / ModerationResponse: one `results` item per input, in order.

    The items are kept exactly as sent (per-target `scores`, or `categories` and
    `category_scores`); only their count and their being objects is checked.
    """

    id: Text = None
    model: Text = None
    results: list[dict[str, Any]]
