"""Chat: request parameters, one turn's events, and the ChatSession holding a conversation."""

from __future__ import annotations

from mistral_cli.services.chat.params import (
    ChatParams,
    parse_params,
    read_prompt,
    read_tools,
    response_format,
    tool_choice,
)
from mistral_cli.services.chat.session import ChatSession, Totals
from mistral_cli.services.chat.turn import (
    ChatClient,
    ChatEvent,
    RawEvent,
    TextDelta,
    ThinkingDelta,
    Turn,
)

__all__ = [
    "ChatClient",
    "ChatEvent",
    "ChatParams",
    "ChatSession",
    "RawEvent",
    "TextDelta",
    "ThinkingDelta",
    "Totals",
    "Turn",
    "parse_params",
    "read_prompt",
    "read_tools",
    "response_format",
    "tool_choice",
]
