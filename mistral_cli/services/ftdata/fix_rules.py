"""The --fix rewrites of one sample: aliases, roles, legacy calls, arguments, ids, endings."""

from __future__ import annotations

import hashlib
import itertools
import json
import string
from typing import Any

from mistral_cli.services.ftdata.rules_tools import ID_RE
from mistral_cli.services.ftdata.sample import alias_fixable

Changes = list[tuple[str, str]]  # (rule, what changed)
_ALPHABET = string.ascii_letters + string.digits
_RENAMES = (("interactions", "messages"), ("available_tools", "tools"))


def fix_sample(sample: dict[str, Any]) -> Changes:
    """Rewrite `sample` in place; return the changes made, in order."""
    changes: Changes = []
    _aliases(sample, changes)
    _legacy_functions(sample, changes)
    _tool_types(sample.get("tools"), changes)
    messages = sample.get("messages")
    if isinstance(messages, list):
        legacy: list[tuple[str, str]] = []  # (function name, generated call id)
        taken = _ids_in(messages)
        for index, msg in enumerate(messages):
            if isinstance(msg, dict):
                _message(index, msg, legacy, taken, changes)
        _remap_ids(messages, taken, changes)
        _trim(messages, changes)
    return changes


def _rename_key(mapping: dict[str, Any], old: str, new: str) -> None:
    """Rename a key where it stands, keeping the other keys' order."""
    items = [(new if key == old else key, value) for key, value in mapping.items()]
    mapping.clear()
    mapping.update(items)


def _aliases(sample: dict[str, Any], changes: Changes) -> None:
    for old, new in _RENAMES:
        if old in sample and new not in sample:
            _rename_key(sample, old, new)
            changes.append(("FT102", f"renamed {old!r} to {new!r}"))
    if "system_prompt" in sample and alias_fixable(sample, "system_prompt"):
        prompt = sample.pop("system_prompt")
        sample["messages"].insert(0, {"role": "system", "content": prompt})
        changes.append(("FT102", "moved 'system_prompt' into a system message"))


def _legacy_functions(sample: dict[str, Any], changes: Changes) -> None:
    functions = sample.get("functions")
    tools = sample.get("tools", [])
    if not isinstance(functions, list) or not isinstance(tools, list):
        return
    have = {_tool_name(tool) for tool in tools}
    added = [fn for fn in functions if not isinstance(fn, dict) or fn.get("name") not in have]
    tools.extend({"type": "function", "function": fn} for fn in added)
    sample["tools"] = tools
    del sample["functions"]
    changes.append(("FT308", f"moved {len(added)} legacy 'functions' into 'tools'"))


def _tool_name(tool: object) -> object:
    function = tool.get("function") if isinstance(tool, dict) else None
    return function.get("name") if isinstance(function, dict) else None


def _tool_types(tools: object, changes: Changes) -> None:
    if isinstance(tools, list):
        for index, tool in enumerate(tools):
            if isinstance(tool, dict) and "type" not in tool:
                tools[index] = {"type": "function", **tool}
                changes.append(("FT307", f"added 'type': 'function' to /tools/{index}"))


def _message(
    index: int,
    msg: dict[str, Any],
    legacy: list[tuple[str, str]],
    taken: set[str],
    changes: Changes,
) -> None:
    role = msg.get("role")
    if role == "developer":
        msg["role"] = "system"
        changes.append(("FT202", f"/messages/{index}: role 'developer' → 'system'"))
    elif role == "function":
        msg["role"] = "tool"
        changes.append(("FT308", f"/messages/{index}: role 'function' → 'tool'"))
        if "tool_call_id" not in msg and legacy:
            name = msg.get("name")
            pick = next((pair for pair in legacy if pair[0] == name), legacy[0])
            legacy.remove(pick)
            msg["tool_call_id"] = pick[1]
    if "content" not in msg and "text" in msg:
        _rename_key(msg, "text", "content")
        changes.append(("FT203", f"/messages/{index}: 'text' → 'content'"))
    if msg.get("role") == "assistant":
        _function_call(index, msg, legacy, taken, changes)
        _calls(index, msg.get("tool_calls"), changes)


def _function_call(
    index: int,
    msg: dict[str, Any],
    legacy: list[tuple[str, str]],
    taken: set[str],
    changes: Changes,
) -> None:
    call = msg.get("function_call")
    if not isinstance(call, dict) or not isinstance(call.get("name"), str) or "tool_calls" in msg:
        return
    arguments = call.get("arguments", "{}")
    call_id = new_id(call["name"] + str(index), taken)
    msg["tool_calls"] = [
        {
            "id": call_id,
            "type": "function",
            "function": {
                "name": call["name"],
                "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
            },
        }
    ]
    del msg["function_call"]
    legacy.append((call["name"], call_id))
    changes.append(("FT308", f"/messages/{index}: 'function_call' → 'tool_calls'"))


def _calls(index: int, calls: object, changes: Changes) -> None:
    if not isinstance(calls, list):
        return
    for number, call in enumerate(calls):
        if not isinstance(call, dict):
            continue
        where = f"/messages/{index}/tool_calls/{number}"
        if "type" not in call:
            call["type"] = "function"
            changes.append(("FT302", f"{where}: added 'type': 'function'"))
        function = call.get("function")
        if isinstance(function, dict) and isinstance(function.get("arguments"), dict):
            function["arguments"] = json.dumps(function["arguments"], ensure_ascii=False)
            changes.append(("FT303", f"{where}: arguments object → JSON string"))


def _id_fields(messages: list[Any]) -> list[tuple[dict[str, Any], str]]:
    """Every (holder, key) that carries a call id: calls' 'id', tool messages' 'tool_call_id'."""
    fields: list[tuple[dict[str, Any], str]] = []
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        if msg.get("tool_call_id") is not None:
            fields.append((msg, "tool_call_id"))
        calls = msg.get("tool_calls")
        if isinstance(calls, list):
            fields.extend(
                (call, "id")
                for call in calls
                if isinstance(call, dict) and call.get("id") is not None
            )
    return fields


def _ids_in(messages: list[Any]) -> set[str]:
    return {
        holder[key]
        for holder, key in _id_fields(messages)
        if isinstance(holder[key], str) and ID_RE.fullmatch(holder[key])
    }


def _remap_ids(messages: list[Any], taken: set[str], changes: Changes) -> None:
    """Give every malformed id a 9-character one, the same for a call and its answer."""
    mapping: dict[str, str] = {}
    for holder, key in _id_fields(messages):
        old = holder[key]
        if isinstance(old, str) and ID_RE.fullmatch(old):
            continue
        token = old if isinstance(old, str) else json.dumps(old, sort_keys=True)
        if token not in mapping:
            mapping[token] = new_id(token, taken)
            changes.append(("FT304", f"call id {token!r} → {mapping[token]!r}"))
        holder[key] = mapping[token]


def new_id(seed: str, taken: set[str]) -> str:
    """A deterministic 9-character [A-Za-z0-9] id derived from `seed`, not yet in `taken`."""
    for salt in itertools.count():
        data = f"{salt}:{seed}".encode("utf-8", "surrogatepass")
        number = int.from_bytes(hashlib.blake2b(data, digest_size=16).digest(), "big")
        chars = []
        for _ in range(9):
            number, digit = divmod(number, len(_ALPHABET))
            chars.append(_ALPHABET[digit])
        candidate = "".join(chars)
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise AssertionError("itertools.count() never ends")


def _trim(messages: list[Any], changes: Changes) -> None:
    """Drop trailing non-assistant turns after the last assistant turn (FT204)."""
    roles = [msg.get("role") if isinstance(msg, dict) else None for msg in messages]
    if len(roles) < 2 or roles[-1] not in ("system", "user", "tool"):
        return
    last = max((index for index, role in enumerate(roles) if role == "assistant"), default=0)
    if last >= 1:
        dropped = roles[last + 1 :]
        del messages[last + 1 :]
        names = ", ".join(repr(role) for role in dropped)
        message = f"dropped {len(dropped)} trailing message(s) after the last assistant turn"
        changes.append(("FT204", f"{message} ({names})"))
