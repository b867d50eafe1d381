"""Chat rules FT201–FT209: messages, roles, content, order, weights, stray keys, markup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mistral_cli.services.ftdata.report import (
    ERROR,
    WARNING,
    Collector,
    pointer,
    quote,
    type_name,
)
from mistral_cli.services.ftdata.rules_tools import (
    CallState,
    check_answer,
    check_calls,
    unanswered,
)
from mistral_cli.services.ftdata.rules_vision import check_chunks

ROLES = frozenset({"system", "user", "assistant", "tool"})
_KEYS = {
    "system": frozenset({"role", "content"}),
    "user": frozenset({"role", "content"}),
    "assistant": frozenset({"role", "content", "tool_calls", "weight"}),
    "tool": frozenset({"role", "content", "tool_call_id", "name"}),
}
# Keys other rules report: the trainer's 'text' alias (FT203), calls (FT301), legacy (FT308).
_ELSEWHERE = frozenset({"text", "tool_calls", "function_call"})
_FORBIDDEN = frozenset(
    {
        ("assistant", "system"),
        ("tool", "system"),
        ("user", "tool"),
        ("system", "tool"),
        ("tool", "user"),
    }
)
_MARKUP = re.compile(
    r"\[/?(?:INST|TOOL_CALLS|AVAILABLE_TOOLS|TOOL_RESULTS|SYSTEM_PROMPT|TOOL_CONTENT|IMG)\]"
    r"|</?s>|<\|[A-Za-z_]{2,24}\|>"
)
_SECRET_HINTS = ("sk-", "AKIA", "ghp_", "gho_", "ghs_", "ghu_", "xox", "PRIVATE KEY", "AIza", "eyJ")
_SECRETS = (
    (re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"), "API key"),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "AWS access key"),
    (re.compile(r"\bgh[opsu]_[A-Za-z0-9]{36,}"), "GitHub token"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "Slack token"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "private key"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), "Google API key"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"), "JWT"),
)


@dataclass(slots=True)
class Turns:
    """What the walk learned: assistant turns (index, trains, texts) and prompt texts."""

    prompt: list[str] = field(default_factory=list)
    assistant: list[tuple[int, bool, list[str]]] = field(default_factory=list)
    images: int = 0


@dataclass(slots=True)
class _Walk:
    base: str
    calls: CallState
    turns: Turns
    prev: str | None = None
    systems: int = 0


def check_messages(
    sample: dict[str, Any], key: str, out: Collector, calls: CallState, *, classifier: bool
) -> Turns:
    """Walk `sample[key]` (messages or its alias) and apply FT201–FT209 and the call rules."""
    walk = _Walk(pointer(key), calls, Turns())
    messages = sample[key]
    if not isinstance(messages, list) or not messages:
        got = (
            "is empty"
            if isinstance(messages, list)
            else f"must be an array, got {type_name(messages)}"
        )
        out.emit("FT201", ERROR, walk.base, f"{key!r} {got}")
        return walk.turns
    last = len(messages) - 1
    for index, msg in enumerate(messages):
        walk.prev = _message(index, msg, walk, out)
    unanswered(calls, out, final_index=last)
    if not classifier:
        _ending(messages, walk, out)
    return walk.turns


def _message(index: int, msg: object, walk: _Walk, out: Collector) -> str | None:
    """Check one message; return its (effective) role, None when it has none."""
    path = f"{walk.base}/{index}"
    if not isinstance(msg, dict):
        out.emit("FT201", ERROR, path, f"message must be an object, got {type_name(msg)}")
        return None
    legacy = msg.get("role") == "function"
    role = _role(msg, path, out)
    if role is None:
        return None
    if not _KEYS[role].issuperset(msg):
        _stray_keys(msg, role, path, out)
    _order(role, index, walk, path, out)
    texts = _content(msg, role, path, out, walk.turns)
    if role == "assistant":
        if walk.calls.pending or walk.calls.legacy:
            unanswered(walk.calls, out)
        trains = _weight(msg, path, out)
        if "tool_calls" in msg or "function_call" in msg:
            texts = texts + check_calls(msg, index, path, walk.calls, out)
        walk.turns.assistant.append((index, trains, texts))
        return role
    if role == "tool":
        check_answer(msg, path, walk.calls, out, legacy=legacy)
    elif "tool_calls" in msg:
        out.emit("FT301", ERROR, path + "/tool_calls", f"'tool_calls' on a {role!r} message")
    walk.turns.prompt.extend(texts)
    return role


def _role(msg: dict[str, Any], path: str, out: Collector) -> str | None:
    role = msg.get("role")
    if role is None:
        hint = " (ShareGPT 'from'/'value' keys are not supported)" if "from" in msg else ""
        out.emit("FT201", ERROR, path, f"message lacks 'role'{hint}")
        return None
    if isinstance(role, str) and role in ROLES:
        return role
    if role == "developer":
        out.emit("FT202", ERROR, path + "/role", "role 'developer': use 'system'", fixable=True)
        return "system"
    if role == "function":
        out.emit("FT308", ERROR, path + "/role", "legacy role 'function': use 'tool'", fixable=True)
        return "tool"
    out.emit("FT202", ERROR, path + "/role", f"unknown role {quote(role)}")
    return None


def _stray_keys(msg: dict[str, Any], role: str, path: str, out: Collector) -> None:
    allowed = _KEYS[role]
    for key in msg:
        if key in allowed or key in _ELSEWHERE:
            continue
        if key == "weight":
            message = f"'weight' on a {role!r} message is ignored"
        elif key == "prefix":
            message = "unknown key 'prefix' (for chat completions, not training data)"
        else:
            message = f"unknown key {quote(key)}"
        out.emit("FT209", WARNING, path + pointer(key), message)


def _order(role: str, index: int, walk: _Walk, path: str, out: Collector) -> None:
    prev = walk.prev
    if role == "system":
        walk.systems += 1
        if walk.systems > 1:
            out.emit("FT207", ERROR, path, "second system message")
        elif prev in ("assistant", "tool"):
            out.emit("FT206", ERROR, path, f"unexpected role 'system' after {prev!r}")
        elif index > 0:
            out.emit("FT208", WARNING, path, "system message not first")
    elif prev is not None and (prev, role) in _FORBIDDEN:
        out.emit("FT206", ERROR, path, f"unexpected role {role!r} after {prev!r}")
    elif prev == role and role in ("user", "assistant"):
        out.emit("FT208", WARNING, path, f"two {role!r} messages in a row")


def _content(msg: dict[str, Any], role: str, path: str, out: Collector, turns: Turns) -> list[str]:
    """FT203 (content present, assistant not blank), FT208 (blank prompt), FT209 (markup)."""
    key = "content"
    if "content" not in msg and "text" in msg:
        key = "text"
        message = "'text' is a trainer-only alias: use 'content'"
        out.emit("FT203", ERROR, path + "/text", message, fixable=True)
    content = msg.get(key)
    has_calls = role == "assistant" and bool(msg.get("tool_calls") or msg.get("function_call"))
    if content is None:
        if not has_calls:
            lacks = f"{role!r} message lacks 'content'"
            out.emit(
                "FT203", ERROR, path, "empty assistant message" if role == "assistant" else lacks
            )
        return []
    where = f"{path}/{key}"
    texts, images, complete = _texts(content, role, where, out)
    turns.images += images
    if images or not complete or any(text and not text.isspace() for text in texts):
        for text in texts:
            scan_text(text, where, out)
    elif role != "assistant":
        out.emit("FT208", WARNING, where, f"empty {role!r} message")
    elif not has_calls:
        out.emit("FT203", ERROR, where, "empty assistant message")
    return texts


def _texts(content: object, role: str, where: str, out: Collector) -> tuple[list[str], int, bool]:
    """A content's texts, its image count, and whether every part was understood."""
    if isinstance(content, str):
        return [content], 0, True
    if isinstance(content, list):
        texts, images = check_chunks(content, role, where, out)
        return texts, images, len(texts) + images == len(content)
    message = f"content must be a string or an array, got {type_name(content)}"
    out.emit("FT203", ERROR, where, message)
    return [], 0, False


def scan_text(text: str, path: str, out: Collector) -> None:
    """FT209: chat-template markup or something that looks like a credential."""
    if "[" in text or "<" in text:
        match = _MARKUP.search(text)
        if match:
            out.emit("FT209", WARNING, path, f"template markup {match.group()!r} in content")
    for hint in _SECRET_HINTS:
        if hint in text:
            break
    else:
        return
    for pattern, label in _SECRETS:
        if pattern.search(text):
            out.emit("FT209", WARNING, path, f"possible secret ({label}) in content")
            return


def _weight(msg: dict[str, Any], path: str, out: Collector) -> bool:
    """FT205 on one assistant turn; True when the turn trains (weight absent, null or 1)."""
    weight = msg.get("weight")
    if weight is None:
        return True
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight not in (0, 1):
        out.emit("FT205", ERROR, path + "/weight", f"weight must be 0 or 1, got {quote(weight)}")
        return True
    return weight == 1


def _ending(messages: list[Any], walk: _Walk, out: Collector) -> None:
    """FT204 (the last message) and FT205 (something trains)."""
    last = len(messages) - 1
    role = walk.prev
    if role is not None and role != "assistant":
        fixable = any(index >= 1 for index, _, _ in walk.turns.assistant)
        out.emit(
            "FT204", ERROR, f"{walk.base}/{last}", f"last message is {role!r}", fixable=fixable
        )
    elif role == "assistant" and last == 0:
        out.emit("FT204", ERROR, f"{walk.base}/0", "the only message is 'assistant'")
    turns = walk.turns.assistant
    if turns and not any(trains for _, trains, _ in turns):
        out.emit("FT205", ERROR, walk.base, "every assistant turn has weight 0; nothing to train")
