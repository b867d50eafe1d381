"""api/chat_spec.py is what scripts/gen-chat-schema makes of the vendored spec, and it holds."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no stubs

from mistral_cli.api import chat_spec
from mistral_cli.services.chat import params
from tests.fakes.spec import PUBLIC_SPEC, load_spec

ROOT = Path(__file__).resolve().parents[2]


def generator() -> ModuleType:
    """scripts/gen-chat-schema as a module (the file has no .py suffix)."""
    path = ROOT / "scripts" / "gen-chat-schema"
    loader = importlib.machinery.SourceFileLoader("gen_chat_schema", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_module_is_what_the_generator_makes_of_the_vendored_spec() -> None:
    committed = (ROOT / "mistral_cli" / "api" / "chat_spec.py").read_text(encoding="utf-8")
    assert generator().current() == committed, "run scripts/gen-chat-schema"


def test_every_field_of_the_spec_is_there_and_nothing_else() -> None:
    request = load_spec(PUBLIC_SPEC)["components"]["schemas"]["ChatCompletionRequest"]
    assert list(chat_spec.FIELDS) == list(request["properties"])
    assert chat_spec.REQUIRED == frozenset(request["required"]) == {"model", "messages"}
    assert chat_spec.DEFS == {}  # this spec has no schema that contains itself


def test_references_are_inlined_and_annotations_left_out() -> None:
    text = json.dumps(chat_spec.FIELDS)
    for word in ('"$ref"', '"examples"', '"discriminator"', '"x-speakeasy-name-override"'):
        assert word not in text
    assert chat_spec.FIELDS["safe_prompt"] == {"type": "boolean"}  # no description, no default
    assert chat_spec.FIELDS["reasoning_effort"] == {
        "anyOf": [
            {"type": "string", "enum": ["none", "minimal", "low", "medium", "high", "xhigh"]},
            {"type": "null"},
        ]
    }


@pytest.mark.parametrize("name", list(chat_spec.FIELDS))
def test_each_example_is_valid_for_its_field(name: str) -> None:
    assert Draft202012Validator(chat_spec.FIELDS[name]).is_valid(chat_spec.EXAMPLES[name])


def test_examples_come_from_the_spec_first_then_the_schema() -> None:
    assert chat_spec.EXAMPLES["model"] == "mistral-large-latest"  # the spec's example
    assert chat_spec.EXAMPLES["prediction"] == {"type": "content", "content": ""}  # its default
    assert chat_spec.EXAMPLES["temperature"] == 0.8  # built: the middle of 0..1.5
    assert chat_spec.EXAMPLES["n"] == 1  # built: the minimum


def test_openai_only_names_are_not_mistral_fields() -> None:
    assert not set(params.OPENAI_ONLY) & set(chat_spec.FIELDS)
    assert set(params.OWN_FLAGS) <= set(chat_spec.FIELDS)


def test_the_response_formats_the_cli_builds_fit_the_spec(tmp_path: Path) -> None:
    schema_file = tmp_path / "book.json"
    schema_file.write_text('{"type": "object", "properties": {"title": {"type": "string"}}}')
    validator = Draft202012Validator(chat_spec.FIELDS["response_format"])
    for built in (
        params.response_format(json_mode=True, schema_file=None),
        params.response_format(json_mode=False, schema_file=schema_file),
    ):
        assert validator.is_valid(built), built


# ---------------------------------------------------------------- the generator itself


def tiny_spec(**schemas: Any) -> dict[str, Any]:
    request = {
        "type": "object",
        "properties": {"root": {"$ref": "#/components/schemas/Node", "description": "d"}},
        "required": ["root"],
    }
    return {"components": {"schemas": {"ChatCompletionRequest": request, **schemas}}}


def test_a_schema_that_contains_itself_becomes_a_definition() -> None:
    node = {
        "type": "object",
        "title": "Node",
        "properties": {
            "name": {"type": "string", "default": "x"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    }
    namespace: dict[str, Any] = {}
    exec(generator().generate(tiny_spec(Node=node)), namespace)  # our own output
    assert namespace["FIELDS"]["root"] == {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
        },
    }
    assert namespace["DEFS"] == {"Node": namespace["FIELDS"]["root"]}
    assert namespace["EXAMPLES"] == {"root": {}}
    schema = {**namespace["FIELDS"]["root"], "$defs": namespace["DEFS"]}
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"name": "a", "children": [{"children": [{"name": "b"}]}]})
    assert not validator.is_valid({"children": [{"children": [{"name": 3}]}]})


def test_a_reference_beside_validating_keywords_keeps_both() -> None:
    spec = tiny_spec(Node={"type": "string", "enum": ["a", "b"]})
    spec["components"]["schemas"]["ChatCompletionRequest"]["properties"]["root"]["enum"] = ["a"]
    namespace: dict[str, Any] = {}
    exec(generator().generate(spec), namespace)  # our own output
    assert namespace["FIELDS"]["root"] == {
        "allOf": [{"type": "string", "enum": ["a", "b"]}, {"enum": ["a"]}]
    }


def test_check_mode_reports_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gen = generator()
    target = tmp_path / "chat_spec.py"
    monkeypatch.setattr(gen, "TARGET", target)
    monkeypatch.setattr(gen, "ROOT", ROOT)
    monkeypatch.setattr(gen, "current", lambda: "new\n")
    target.write_text("old\n")
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0
    assert target.read_text() == "new\n"
    assert gen.main(["--check"]) == 0
