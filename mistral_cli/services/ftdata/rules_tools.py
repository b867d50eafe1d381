"""Function-calling rules FT301–FT308: tool calls, answers, ids, names, tool definitions."""

from __future__ import annotations

import json
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
from mistral_cli.services.ftdata.schema import schema_problem

ID_RE = re.compile(r"[A-Za-z0-9]{9}")
NAME_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")


@dataclass(slots=True)
class CallState:
    """Per-sample bookkeeping: defined tools, calls awaiting an answer, ids seen."""

    names: set[str] | None = None
    pending: dict[str, str] = field(default_factory=dict)  # call id -> JSON pointer of the call
    ids: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)
    legacy: list[str] = field(default_factory=list)  # names of unanswered function_call
    calls_at: int = -1  # index of the assistant message that made the pending calls
    calls: int = 0


def check_tools(sample: dict[str, Any], out: Collector, prompt: list[str]) -> set[str] | None:
    """FT307/FT308 on `tools` (or its alias) and legacy `functions`; the defined names."""
    names: set[str] | None = None
    key = "tools" if "tools" in sample else "available_tools"
    tools = sample.get(key)
    if tools is not None:
        names = _tools(tools, pointer(key), out)
        prompt.append(json.dumps(tools, ensure_ascii=False))
    functions = sample.get("functions")
    if "functions" in sample:
        fixable = isinstance(functions, list) and (tools is None or isinstance(tools, list))
        out.emit("FT308", ERROR, "/functions", "legacy 'functions': use 'tools'", fixable=fixable)
    if isinstance(functions, list):
        names = names if names is not None else set()
        for index, function in enumerate(functions):
            name = _function(function, f"/functions/{index}", out)
            if name is not None:
                names.add(name)
        prompt.append(json.dumps(functions, ensure_ascii=False))
    return names


def _tools(tools: object, base: str, out: Collector) -> set[str]:
    names: set[str] = set()
    if not isinstance(tools, list):
        out.emit("FT307", ERROR, base, f"'tools' must be an array, got {type_name(tools)}")
        return names
    for index, tool in enumerate(tools):
        path = f"{base}/{index}"
        if not isinstance(tool, dict):
            out.emit("FT307", ERROR, path, f"tool must be an object, got {type_name(tool)}")
            continue
        if "type" not in tool:
            out.emit("FT307", ERROR, path, "tool lacks 'type'", fixable=True)
        elif tool["type"] != "function":
            out.emit(
                "FT307",
                ERROR,
                path + "/type",
                f"tool type must be 'function', got {quote(tool['type'])}",
            )
        name = _function(tool.get("function"), path + "/function", out)
        if name is not None and name in names:
            out.emit("FT307", ERROR, path + "/function/name", f"duplicate tool {name!r}")
        elif name is not None:
            names.add(name)
    return names


def _function(function: object, path: str, out: Collector) -> str | None:
    if not isinstance(function, dict):
        out.emit("FT307", ERROR, path, "tool lacks a 'function' object")
        return None
    for key in ("name", "description", "parameters"):
        if key not in function:
            out.emit("FT307", ERROR, path, f"function lacks {key!r}")
    name = function.get("name")
    if "name" in function and (not isinstance(name, str) or not NAME_RE.fullmatch(name)):
        out.emit("FT306", ERROR, path + "/name", f"bad function name {quote(name)}")
    if "description" in function and not isinstance(function["description"], str):
        out.emit("FT307", ERROR, path + "/description", "description must be a string")
    if "parameters" in function:
        problem = schema_problem(function["parameters"], path + "/parameters")
        if problem is not None:
            out.emit("FT307", ERROR, problem[0], f"invalid parameters schema: {problem[1]}")
    return name if isinstance(name, str) else None


def check_calls(
    msg: dict[str, Any], index: int, path: str, state: CallState, out: Collector
) -> list[str]:
    """FT301–FT306/FT308 on an assistant message's calls; the texts they add to the sample."""
    texts: list[str] = []
    if "function_call" in msg:
        legacy = msg["function_call"]
        name = legacy.get("name") if isinstance(legacy, dict) else None
        fixable = isinstance(name, str) and "tool_calls" not in msg
        message = "legacy 'function_call': use 'tool_calls'"
        out.emit("FT308", ERROR, path + "/function_call", message, fixable=fixable)
        state.legacy.append(name if isinstance(name, str) else "")
        state.calls_at = index
    calls = msg.get("tool_calls")
    if calls is None:
        return texts
    if not isinstance(calls, list) or not calls:
        got = "is empty" if isinstance(calls, list) else f"must be an array, got {type_name(calls)}"
        out.emit("FT301", ERROR, path + "/tool_calls", f"'tool_calls' {got}")
        return texts
    content = msg.get("content")
    if (isinstance(content, str) and content and not content.isspace()) or (
        isinstance(content, list) and content
    ):
        out.emit("FT301", ERROR, path, "both content and tool_calls")
    state.calls_at = index
    for number, call in enumerate(calls):
        texts.extend(_call(call, f"{path}/tool_calls/{number}", state, out))
    return texts


def _call(call: object, path: str, state: CallState, out: Collector) -> list[str]:
    if not isinstance(call, dict):
        out.emit("FT302", ERROR, path, f"call must be an object, got {type_name(call)}")
        return []
    state.calls += 1
    _call_id(call, path, state, out)
    if "type" not in call:
        out.emit("FT302", ERROR, path, "call lacks 'type'", fixable=True)
    elif call["type"] != "function":
        out.emit(
            "FT302",
            ERROR,
            path + "/type",
            f"call type must be 'function', got {quote(call['type'])}",
        )
    function = call.get("function")
    if not isinstance(function, dict):
        out.emit("FT302", ERROR, path, "call lacks 'function'")
        return []
    path += "/function"
    name = function.get("name")
    if name is None:
        out.emit("FT302", ERROR, path, "call lacks 'name'")
    else:
        _called_name(name, path + "/name", state, out)
    if "arguments" not in function:
        out.emit("FT302", ERROR, path, "call lacks 'arguments'")
    else:
        _arguments(function["arguments"], path + "/arguments", out)
    return [text for text in (name, function.get("arguments")) if isinstance(text, str)]


def _called_name(name: object, path: str, state: CallState, out: Collector) -> None:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        out.emit("FT306", ERROR, path, f"bad function name {quote(name)}")
    elif state.names is None:
        out.emit("FT306", ERROR, path, f"{name!r} not in tools (the sample has no 'tools')")
    elif name not in state.names:
        out.emit("FT306", ERROR, path, f"{name!r} not in tools")


def _call_id(call: dict[str, Any], path: str, state: CallState, out: Collector) -> None:
    call_id = call.get("id")
    if call_id is None:
        out.emit("FT302", ERROR, path, "call lacks 'id'")
        return
    if not isinstance(call_id, str) or not ID_RE.fullmatch(call_id):
        out.emit("FT304", ERROR, path + "/id", f"bad id {quote(call_id)}", fixable=True)
        if not isinstance(call_id, str):
            return
    if call_id in state.ids:
        out.emit("FT305", ERROR, path + "/id", f"duplicate call id {call_id!r}")
        return
    state.ids.add(call_id)
    state.pending[call_id] = path


def _arguments(arguments: object, path: str, out: Collector) -> None:
    if isinstance(arguments, str):
        try:
            parsed = json.loads(arguments)
        except (ValueError, RecursionError):
            out.emit("FT303", WARNING, path, "arguments are not valid JSON")
            return
        if not isinstance(parsed, dict):
            out.emit("FT303", WARNING, path, "arguments should encode a JSON object")
    else:
        fixable = isinstance(arguments, dict)
        out.emit("FT303", ERROR, path, "arguments must be a JSON string", fixable=fixable)


def check_answer(
    msg: dict[str, Any], path: str, state: CallState, out: Collector, *, legacy: bool
) -> None:
    """FT304/FT305 on a tool message: its id is well-formed and answers a pending call."""
    name = msg.get("name")
    if name is not None and (not isinstance(name, str) or not NAME_RE.fullmatch(name)):
        out.emit("FT306", ERROR, path + "/name", f"bad function name {quote(name)}")
    if legacy and "tool_call_id" not in msg:
        if state.legacy:  # --fix pairs it with the function_call it follows
            state.legacy.pop(0)
            return
        out.emit("FT305", ERROR, path, "'function' message answers no function_call")
        return
    call_id = msg.get("tool_call_id")
    if call_id is None:
        out.emit("FT305", ERROR, path, "tool message lacks 'tool_call_id'")
        return
    if not isinstance(call_id, str) or not ID_RE.fullmatch(call_id):
        out.emit("FT304", ERROR, path + "/tool_call_id", f"bad id {quote(call_id)}", fixable=True)
        if not isinstance(call_id, str):
            return
    if call_id in state.pending:
        del state.pending[call_id]
        state.answered.add(call_id)
    elif call_id in state.answered:
        out.emit("FT305", ERROR, path + "/tool_call_id", f"{call_id!r} answered twice")
    else:
        out.emit("FT305", ERROR, path + "/tool_call_id", f"{call_id!r} matches no call")


def unanswered(state: CallState, out: Collector, *, final_index: int | None = None) -> None:
    """FT305: report calls left without an answer (calls made by the final message may be)."""
    if state.calls_at != final_index:
        for call_id, path in state.pending.items():
            out.emit("FT305", ERROR, path, f"call {call_id!r} not answered")
        if state.legacy:
            out.emit("FT305", ERROR, "", "function_call not answered")
    state.pending.clear()
    state.legacy.clear()
