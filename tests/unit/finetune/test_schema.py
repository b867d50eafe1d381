"""The draft-7 meta-check for tool `parameters`."""

from __future__ import annotations

import pytest

from mistral_cli.services.ftdata.schema import schema_problem

GOOD = {
    "type": "object",
    "title": "Args",
    "properties": {
        "cur": {"type": ["string", "null"], "enum": ["EUR", "USD", None], "pattern": "^[A-Z]{3}$"},
        "n": {"type": "integer", "minimum": 0, "exclusiveMaximum": 10, "multipleOf": 2},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
        "pair": {"items": [{"type": "string"}, True], "additionalItems": False},
        "any": {"anyOf": [{"type": "string"}, {"$ref": "#/definitions/x"}]},
    },
    "patternProperties": {"^x-": {}},
    "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
    "required": ["cur"],
    "additionalProperties": False,
    "definitions": {"x": {"const": 1, "default": 1, "examples": [1]}},
    "x-vendor": {"anything": "goes"},
}


def test_a_rich_valid_schema() -> None:
    assert schema_problem(GOOD) is None
    assert schema_problem(True) is None
    assert schema_problem({}) is None


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ([], ("", "a schema must be an object or a boolean")),
        ({"type": "objekt"}, ("/type", "unknown type 'objekt'")),
        ({"type": 3}, ("/type", "bad 'type'")),
        ({"type": ["string", "string"]}, ("/type", "'type' lists a type twice")),
        ({"properties": []}, ("/properties", "must be an object of schemas")),
        (
            {"properties": {"a/b": 1}},
            ("/properties/a~1b", "a schema must be an object or a boolean"),
        ),
        ({"anyOf": []}, ("/anyOf", "must be a non-empty array of schemas")),
        ({"allOf": [{"type": "x"}]}, ("/allOf/0/type", "unknown type 'x'")),
        ({"items": [{"minItems": -1}]}, ("/items/0/minItems", "must be a non-negative integer")),
        ({"items": {"maxLength": 1.5}}, ("/items/maxLength", "must be a non-negative integer")),
        ({"required": "a"}, ("/required", "must be an array of strings")),
        ({"required": ["a", "a"]}, ("/required", "lists a name twice")),
        ({"minimum": "0"}, ("/minimum", "must be a number")),
        ({"maximum": True}, ("/maximum", "must be a number")),
        ({"multipleOf": 0}, ("/multipleOf", "must be greater than 0")),
        ({"multipleOf": "2"}, ("/multipleOf", "must be a number")),
        ({"uniqueItems": 1}, ("/uniqueItems", "must be a boolean")),
        ({"enum": "a"}, ("/enum", "must be an array")),
        ({"description": 3}, ("/description", "must be a string")),
        ({"pattern": "("}, ("/pattern", "is not a valid regular expression")),
        ({"pattern": 1}, ("/pattern", "must be a string")),
        (
            {"patternProperties": {"(": {}}},
            ("/patternProperties/(", "is not a valid regular expression"),
        ),
        ({"dependencies": []}, ("/dependencies", "must be an object")),
        ({"dependencies": {"a": [1]}}, ("/dependencies/a", "must be an array of strings")),
        ({"dependencies": {"a": {"type": "x"}}}, ("/dependencies/a/type", "unknown type 'x'")),
        ({"not": 3}, ("/not", "a schema must be an object or a boolean")),
    ],
)
def test_problems_point_at_the_keyword(schema: object, problem: tuple[str, str]) -> None:
    assert schema_problem(schema) == problem


def test_depth_is_bounded() -> None:
    schema: dict[str, object] = {}
    for _ in range(100):
        schema = {"not": schema}
    path, message = schema_problem(schema) or ("", "")
    assert message == "schema nested too deep"
    assert path.count("/not") == 65
