"""One sample: its family (chat or classifier), top-level keys (FT101, FT102) and the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mistral_cli.services.ftdata.report import (
    ERROR,
    WARNING,
    Collector,
    quote,
    segment,
    type_name,
)
from mistral_cli.services.ftdata.rules_chat import check_messages
from mistral_cli.services.ftdata.rules_classifier import check_labels
from mistral_cli.services.ftdata.rules_tools import CallState, check_tools

CHAT, CLASSIFIER = "chat", "classifier"
KINDS = ("chat", "function_calling", "vision", "classifier")
_CHAT_KEYS = frozenset({"messages", "tools"})
_CLASSIFIER_KEYS = frozenset({"labels", "text", "messages"})
# Keys the open-source trainer accepts but the API does not document (FT102, fixable).
ALIASES = {"interactions": "messages", "available_tools": "tools", "system_prompt": "system"}


@dataclass(slots=True)
class Facts:
    """What the driver needs from a checked sample: kind, texts for tokens, labels."""

    kind: str | None = None
    prompt: list[str] = field(default_factory=list)
    trained: list[str] = field(default_factory=list)
    labels: dict[str, str | list[str]] | None = None


def family_of(value: object) -> str | None:
    """'classifier' with labels, 'text' for a bare pretrain line, else 'chat'; None if no object."""
    if not isinstance(value, dict):
        return None
    if "labels" in value:
        return CLASSIFIER
    if "text" in value and "messages" not in value and "interactions" not in value:
        return "text"
    return CHAT


def check_sample(value: object, out: Collector, *, family: str) -> Facts:
    """Apply every per-sample rule for `family` (chat or classifier); return the facts."""
    facts = Facts()
    if not isinstance(value, dict):
        out.emit("FT101", ERROR, "", f"top level must be an object, got {type_name(value)}")
        return facts
    if family == CLASSIFIER:
        _classifier(value, out, facts)
    else:
        _chat(value, out, facts)
    _top_keys(value, family, out)
    return facts


def _classifier(value: dict[str, Any], out: Collector, facts: Facts) -> None:
    facts.kind = CLASSIFIER
    facts.labels = check_labels(value, out)
    text = value.get("text")
    if isinstance(text, str) and "messages" not in value:
        facts.prompt.append(text)
    elif "messages" in value:
        turns = check_messages(value, "messages", out, CallState(), classifier=True)
        facts.prompt.extend(turns.prompt)
        for _, _, texts in turns.assistant:
            facts.prompt.extend(texts)


def _chat(value: dict[str, Any], out: Collector, facts: Facts) -> None:
    names = check_tools(value, out, facts.prompt)
    key = "messages" if "messages" in value else "interactions" if "interactions" in value else None
    if key is None:
        pretrain = " (pretrain {'text'} lines are not supported)" if "text" in value else ""
        out.emit("FT201", ERROR, "", f"missing 'messages'{pretrain}")
        facts.kind = CHAT
        return
    calls = CallState(names)
    turns = check_messages(value, key, out, calls, classifier=False)
    facts.prompt.extend(turns.prompt)
    only_last = bool(names)  # with tools the trainer learns from the last message only
    last = len(value[key]) - 1 if isinstance(value[key], list) else -1
    for index, trains, texts in turns.assistant:
        target = facts.trained if trains and (not only_last or index == last) else facts.prompt
        target.extend(texts)
    if turns.images:
        facts.kind = "vision"
    elif names or calls.calls:
        facts.kind = "function_calling"
    else:
        facts.kind = CHAT


def _top_keys(value: dict[str, Any], family: str, out: Collector) -> None:
    allowed = _CLASSIFIER_KEYS if family == CLASSIFIER else _CHAT_KEYS
    if allowed.issuperset(value):
        return
    for key in value:
        if key in allowed or key == "functions":  # functions: FT308
            continue
        if key == "text" and family != CLASSIFIER and "messages" not in value:
            continue  # reported by FT201 as a pretrain line
        alias = ALIASES.get(key) if family != CLASSIFIER else None
        if alias is None:
            out.emit(
                "FT102",
                WARNING,
                segment(key),
                f"unknown key {quote(key)}",
            )
        else:
            fixable = alias_fixable(value, key)
            use = "a system message" if alias == "system" else repr(alias)
            out.emit("FT102", WARNING, "/" + key, f"{key!r}: use {use}", fixable=fixable)


def alias_fixable(value: dict[str, Any], key: str) -> bool:
    """Whether --fix can replace this trainer-only alias without losing anything."""
    if key == "system_prompt":
        messages = value.get("messages", value.get("interactions"))
        return (
            isinstance(value[key], str)
            and isinstance(messages, list)
            and not any(
                isinstance(msg, dict) and msg.get("role") in ("system", "developer")
                for msg in messages
            )
        )
    return ALIASES[key] not in value
