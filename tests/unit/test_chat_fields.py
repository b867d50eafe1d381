from __future__ import annotations

from typing import Any

import pytest

from mistral_cli.api.chat_fields import CHAT_FIELDS, OPENAI_ONLY, FieldSpec, check_value, json_type
from tests.fakes.spec import PUBLIC_SPEC, load_spec


def _derive(node: dict[str, Any], schemas: dict[str, Any], found: dict[str, Any]) -> None:
    while "$ref" in node:
        node = schemas[node["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf"):
        for sub in node.get(key, []):
            _derive(sub, schemas, found)
    if "type" in node:
        found["types"].add(node["type"])
    found["enum"].extend(node.get("enum", []))
    for bound in ("minimum", "maximum", "exclusiveMinimum"):
        if bound in node:
            found[bound] = node[bound]


def spec_fields() -> dict[str, FieldSpec]:
    schemas = load_spec(PUBLIC_SPEC)["components"]["schemas"]
    fields = {}
    for name, prop in schemas["ChatCompletionRequest"]["properties"].items():
        found: dict[str, Any] = {"types": set(), "enum": []}
        _derive(prop, schemas, found)
        fields[name] = FieldSpec(
            frozenset(found["types"]),
            tuple(found["enum"]),
            found.get("minimum"),
            found.get("maximum"),
            found.get("exclusiveMinimum"),
        )
    return fields


def test_table_matches_the_vendored_spec() -> None:
    assert spec_fields() == CHAT_FIELDS


def test_openai_only_names_are_not_mistral_fields() -> None:
    assert not set(OPENAI_ONLY) & set(CHAT_FIELDS)


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("temperature", 0, None),
        ("temperature", 1.5, None),
        ("temperature", 1.51, "temperature must be >= 0 and <= 1.5, not 1.51"),
        ("temperature", "hot", 'temperature must be number, not string "hot"'),
        ("temperature", None, None),
        ("top_p", 0, "top_p must be > 0 and <= 1, not 0"),
        ("n", 1.5, "n must be integer, not number 1.5"),
        ("n", True, "n must be integer, not boolean true"),
        ("tool_choice", "any", None),
        ("tool_choice", {"type": "function", "function": {"name": "f"}}, None),
        (
            "tool_choice",
            "sometimes",
            "tool_choice must be one of auto, none, any, required, not 'sometimes'",
        ),
        ("stop", ["a"], None),
        ("metadata", [1], "metadata must be object, not array [1]"),
    ],
)
def test_check_value(name: str, value: object, problem: str | None) -> None:
    assert check_value(name, value, CHAT_FIELDS[name]) == problem


def test_json_type_names() -> None:
    assert [json_type(v) for v in (None, True, 1, 1.0, "", [], {})] == [
        "null",
        "boolean",
        "integer",
        "number",
        "string",
        "array",
        "object",
    ]
