"""The draft-7 meta-check for tool `parameters` (jsonschema underneath)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mistral_cli.services.ftdata.schema import MAX_MESSAGE, _problem, schema_problem

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


ONE_OF_TYPES = "is not one of ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']"


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ([], ("", "[] is not of type 'object', 'boolean'")),
        ({"type": "objekt"}, ("/type", f"'objekt' {ONE_OF_TYPES}")),
        ({"type": 3}, ("/type", f"3 {ONE_OF_TYPES}")),
        ({"type": ["string", "string"]}, ("/type", "['string', 'string'] has non-unique elements")),
        ({"properties": []}, ("/properties", "[] is not of type 'object'")),
        ({"properties": {"a/b": 1}}, ("/properties/a~1b", "1 is not of type 'object', 'boolean'")),
        ({"anyOf": []}, ("/anyOf", "[] should be non-empty")),
        ({"allOf": [{"type": "x"}]}, ("/allOf/0/type", f"'x' {ONE_OF_TYPES}")),
        ({"items": [{"minItems": -1}]}, ("/items/0/minItems", "-1 is less than the minimum of 0")),
        ({"items": {"maxLength": 1.5}}, ("/items/maxLength", "1.5 is not of type 'integer'")),
        ({"required": "a"}, ("/required", "'a' is not of type 'array'")),
        ({"required": ["a", "a"]}, ("/required", "['a', 'a'] has non-unique elements")),
        ({"minimum": "0"}, ("/minimum", "'0' is not of type 'number'")),
        ({"maximum": True}, ("/maximum", "True is not of type 'number'")),
        ({"multipleOf": 0}, ("/multipleOf", "0 is less than or equal to the minimum of 0")),
        ({"multipleOf": "2"}, ("/multipleOf", "'2' is not of type 'number'")),
        ({"uniqueItems": 1}, ("/uniqueItems", "1 is not of type 'boolean'")),
        ({"enum": "a"}, ("/enum", "'a' is not of type 'array'")),
        ({"description": 3}, ("/description", "3 is not of type 'string'")),
        ({"pattern": "("}, ("/pattern", "'(' is not a valid regular expression")),
        ({"pattern": 1}, ("/pattern", "1 is not of type 'string'")),
        (
            {"patternProperties": {"(": {}}},
            ("/patternProperties/(", "'(' is not a valid regular expression"),
        ),
        ({"dependencies": []}, ("/dependencies", "[] is not of type 'object'")),
        ({"dependencies": {"a": [1]}}, ("/dependencies/a/0", "1 is not of type 'string'")),
        ({"dependencies": {"a": {"type": "x"}}}, ("/dependencies/a/type", f"'x' {ONE_OF_TYPES}")),
        ({"not": 3}, ("/not", "3 is not of type 'object', 'boolean'")),
    ],
)
def test_problems_point_at_the_keyword(schema: object, problem: tuple[str, str]) -> None:
    assert schema_problem(schema) == problem


def test_depth_is_bounded() -> None:
    schema: dict[str, object] = {}
    for _ in range(100):
        schema = {"not": schema}
    assert schema_problem(schema, "/tools/0/function/parameters") == (
        "/tools/0/function/parameters",
        "schema nested too deep",
    )
    shallow: dict[str, object] = {}
    for _ in range(60):
        shallow = {"not": shallow}
    assert schema_problem(shallow) is None


def test_pointers_start_at_the_given_path() -> None:
    assert schema_problem({"type": 3}, "/tools/1/function/parameters") == (
        "/tools/1/function/parameters/type",
        f"3 {ONE_OF_TYPES}",
    )


def test_a_long_value_is_cut_short_in_the_message() -> None:
    path, message = schema_problem({"required": "x" * 500}) or ("", "")
    assert (path, message) == ("/required", "'" + "x" * (MAX_MESSAGE - 2) + "…")


def test_a_repeated_schema_is_checked_once() -> None:
    _problem.cache_clear()
    for _ in range(3):
        assert schema_problem({"type": "object", "properties": {"q": {"type": "string"}}}) is None
        assert schema_problem({"properties": {"q": {"type": "string"}}, "type": "object"}) is None
    assert _problem.cache_info().misses == 1


TOOL = {
    "type": "function",
    "function": {"name": "f", "description": "d", "parameters": {"type": "objekt"}},
}
SAMPLE = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}


@pytest.mark.parametrize(("tools", "loaded"), [(False, False), (True, True)])
def test_jsonschema_is_imported_only_for_tool_schemas(  # (mistral-common's exact counts load it)
    tmp_path: Path, tools: bool, loaded: bool
) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text(json.dumps({**SAMPLE, **({"tools": [TOOL]} if tools else {})}) + "\n")
    code = (
        "import sys; from pathlib import Path; "
        "from mistral_cli.services.ftdata.tokens import EstimatedCounter; "
        "from mistral_cli.services.ftdata.validate import validate; "
        f"report = validate(Path({str(data)!r}), counter=EstimatedCounter()); "
        "print(sorted({f.rule for f in report.findings} & {'FT307'}), 'jsonschema' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout == f"{['FT307'] if tools else []} {loaded}\n"


def test_help_does_not_import_jsonschema() -> None:
    from tests.unit.test_startup_imports import imported_modules

    assert "jsonschema" not in imported_modules("finetune", "validate", "--help")
