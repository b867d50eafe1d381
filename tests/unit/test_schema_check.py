"""api/schema_check.py: the library's verdict in one line, and a shortcut that only says yes."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no stubs

from mistral_cli.api import chat_spec
from mistral_cli.api.schema_check import Problem, check, plainly_valid

TOOL = {"type": "function", "function": {"name": "f", "parameters": {}}}


def said(name: str, value: object) -> str | None:
    problem = check(value, chat_spec.FIELDS[name], chat_spec.DEFS)
    return None if problem is None else problem.about(name)


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("temperature", 0, None),
        ("temperature", 1.5, None),
        ("temperature", None, None),
        ("temperature", 1.51, "temperature must be >= 0 and <= 1.5, not 1.51"),
        ("temperature", "hot", 'temperature must be number, not string "hot"'),
        ("temperature", float("nan"), "temperature must be a finite number, not nan"),
        ("temperature", float("-inf"), "temperature must be a finite number, not -inf"),
        ("top_p", 0.0, "top_p must be > 0 and <= 1, not 0"),
        ("n", 0, "n must be >= 1, not 0"),
        ("n", 1.0, None),  # JSON Schema: an integral number is an integer
        ("n", 1.5, "n must be integer, not number 1.5"),
        ("n", True, "n must be integer, not boolean true"),
        ("stop", ["a", "b"], None),
        ("stop", 5, "stop must be array or string, not integer 5"),
        ("stop", ["a", 3], "stop[1] must be string, not integer 3"),
        ("parallel_tool_calls", "yes", 'parallel_tool_calls must be boolean, not string "yes"'),
        ("parallel_tool_calls", None, "parallel_tool_calls must be boolean, not null"),
        ("prompt_cache_key", 123, "prompt_cache_key must be string, not integer 123"),
        ("metadata", [1], "metadata must be object, not array [1]"),
        ("metadata", {"run": 7}, None),
        (
            "reasoning_effort",
            "max",
            "reasoning_effort must be one of none, minimal, low, medium, high, xhigh, not 'max'",
        ),
        ("tool_choice", "any", None),
        ("tool_choice", {"type": "function", "function": {"name": "f"}}, None),
        (
            "tool_choice",
            "sometimes",
            "tool_choice must be one of auto, none, any, required, not 'sometimes'",
        ),
        ("tool_choice", 5, "tool_choice must be object or string, not integer 5"),
        ("tool_choice", {"type": "function"}, 'tool_choice is missing "function"'),
        (
            "tool_choice",
            {"function": {"name": 3}},
            "tool_choice.function.name must be string, not integer 3",
        ),
        ("tools", [TOOL, {"type": "web_search"}], None),
        ("tools", "x", 'tools must be array, not string "x"'),
        ("tools", [3], "tools[0] must be object, not integer 3"),
        (
            "tools",
            [{"type": "x"}],
            "tools[0].type must be one of function, web_search, web_search_premium, "
            "code_interpreter, image_generation, document_library, connector, not 'x'",
        ),
        ("tools", [{"function": {}}], 'tools[0].function is missing "name"'),
        (
            "tools",
            [TOOL, {**TOOL, "function": {**TOOL["function"], "zzz": 1}}],  # type: ignore[dict-item]
            'tools[1].function has an unknown field "zzz"',
        ),
        ("tools", [{"type": "document_library"}], 'tools[0] is missing "library_ids"'),
        (
            "messages",
            [{"role": "robot", "content": "x"}],
            "messages[0].role must be one of system, user, assistant, tool, not 'robot'",
        ),
        (
            "messages",
            [{"role": "user", "content": [{"type": "text"}]}],
            'messages[0].content[0] is missing "text"',
        ),
        ("prediction", {"type": "other"}, 'prediction.type must be "content", not "other"'),
        (
            "guardrails",
            [{"moderation_llm_v2": {"action": "x"}}],
            "guardrails[0].moderation_llm_v2.action must be one of none, block, not 'x'",
        ),
    ],
)
def test_one_sentence_names_the_place_and_the_rule(
    name: str, value: object, sentence: str | None
) -> None:
    assert said(name, value) == sentence


@pytest.mark.parametrize(
    ("schema", "value", "text"),
    [
        ({"type": "array", "minItems": 2}, [1], "must have at least 2 items, not 1"),
        ({"type": "array", "maxItems": 1}, [1, 2], "must have at most 1 item, not 2"),
        (
            {"oneOf": [{"type": "integer"}, {"type": "number"}]},
            3,
            "matches more than one of the shapes allowed here",
        ),
        ({"type": "string", "pattern": "^a"}, "b", "is not valid ('b' does not match '^a')"),
        ({"const": [1]}, [2], "must be [1], not [2]"),
        ({"enum": [1, "a"]}, 2, "must be one of 1, a, not integer 2"),
        ({"type": "number", "exclusiveMaximum": 1}, 1, "must be < 1, not 1"),
        (
            {"type": "object", "additionalProperties": False},
            {"b": 1, "a": 2},
            'has an unknown field "a"',
        ),
        ({"type": "string"}, "x" * 50, None),
        ({"type": "integer"}, "x" * 50, f'must be integer, not string "{"x" * 38}…'),
    ],
)
def test_other_keywords(schema: dict[str, Any], value: object, text: str | None) -> None:
    assert check(value, schema) == (None if text is None else Problem("", text))


def test_definitions_are_looked_up() -> None:
    schema = {"type": "array", "items": {"$ref": "#/$defs/Node"}}
    defs = {"Node": {"type": "object", "properties": {"up": {"$ref": "#/$defs/Node"}}}}
    assert check([{"up": {"up": {}}}], schema, defs) is None
    assert check([{"up": {"up": 3}}], schema, defs) == Problem(
        "[0].up.up", "must be object, not integer 3"
    )


# ---------------------------------------------------------------- the shortcut


def test_the_shortcut_takes_the_everyday_values() -> None:
    fields = chat_spec.FIELDS
    for name, value in [
        ("temperature", 0.3),
        ("temperature", 0),
        ("top_p", 1),
        ("max_tokens", 64),
        ("stop", ["END", "STOP"]),
        ("stop", "END"),
        ("random_seed", 0),
        ("presence_penalty", -2.0),
        ("n", 2),
        ("reasoning_effort", "high"),
        ("prompt_cache_key", "abc"),
        ("parallel_tool_calls", False),
        ("safe_prompt", True),
    ]:
        assert plainly_valid(value, fields[name]), (name, value)


@pytest.mark.parametrize(
    ("value", "schema"),
    [
        ({}, {"type": "object"}),  # objects: always the library
        (1.0, {"type": "integer"}),  # valid, but integral floats are the library's call
        (True, {"enum": [1]}),  # true == 1 in Python, not in JSON Schema
        (1, {"const": 1.0}),
        ("a", {"type": "string", "pattern": "a"}),  # a keyword it does not know
        ("a", {"items": {"type": "string"}}),
        (float("nan"), {"type": "number"}),
        (2, {"type": "number", "maximum": "3"}),  # a bound that is no number
        (2, {"type": "number", "maximum": True}),
        ([1, "a"], {"type": "array", "items": {"type": "integer"}}),
        ([], True),  # a boolean schema
    ],
)
def test_the_shortcut_leaves_the_rest_to_the_library(value: object, schema: object) -> None:
    assert not plainly_valid(value, schema)


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["auto", "none", "high", "text", "json_object", "function", ""])
)
VALUES = SCALARS | st.lists(SCALARS, max_size=4)
BOUND = st.integers(-3, 3) | st.floats(-3, 3) | st.booleans()
PLAIN = st.recursive(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(
                ["null", "boolean", "integer", "number", "string", "array", "object"]
            )
            | st.lists(st.sampled_from(["null", "integer", "string"]), min_size=1, max_size=2),
            "enum": st.lists(SCALARS, max_size=3),
            "const": SCALARS,
            "minimum": BOUND,
            "maximum": BOUND,
            "exclusiveMinimum": BOUND,
            "exclusiveMaximum": BOUND,
        },
    ),
    lambda inner: (
        st.fixed_dictionaries({"anyOf": st.lists(inner, min_size=1, max_size=3)})
        | st.fixed_dictionaries({"type": st.just("array"), "items": inner})
    ),
    max_leaves=6,
)


@settings(max_examples=3000, deadline=None)
@given(VALUES, PLAIN | st.sampled_from(list(chat_spec.FIELDS.values())))
def test_a_yes_from_the_shortcut_is_a_yes_from_the_library(
    value: object, schema: dict[str, Any]
) -> None:
    if isinstance(schema, dict) and isinstance(schema.get("type"), list) and not schema["type"]:
        return
    if plainly_valid(value, schema):
        assert Draft202012Validator(schema).is_valid(value), (value, schema)


def test_plain_values_never_load_the_library() -> None:
    program = (
        "import sys\n"
        "from mistral_cli.api import chat_spec\n"
        "from mistral_cli.api.schema_check import check\n"
        "assert check(0.7, chat_spec.FIELDS['temperature']) is None\n"
        "assert check(['END'], chat_spec.FIELDS['stop']) is None\n"
        "print('jsonschema' in sys.modules)\n"
        "assert check(3, chat_spec.FIELDS['temperature']) is not None\n"
        "print('jsonschema' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"]
