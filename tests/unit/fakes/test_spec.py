"""The spec validator: the vendored files are intact and violations have pydantic's shape."""

import hashlib
import re
from typing import Any

import pytest

from tests.fakes import spec
from tests.fakes.spec import NO_BODY, Violation, validate_form, validate_request
from tests.unit.fakes.helpers import CHAT, EMBED, chat_body, embed_body


@pytest.mark.parametrize("name", [spec.PUBLIC_SPEC, spec.LEGACY_SPEC])
def test_vendored_spec_matches_the_recorded_checksum(name: str) -> None:
    source = (spec.SPEC_DIR / "SOURCE.txt").read_text()
    recorded = re.search(
        rf"{re.escape(name)}.*?sha256\s*:\s*\d+ bytes / ([0-9a-f]{{64}})", source, re.S
    )
    assert recorded is not None
    assert hashlib.sha256((spec.SPEC_DIR / name).read_bytes()).hexdigest() == recorded.group(1)


def test_fine_tuning_jobs_come_from_the_legacy_spec() -> None:
    assert spec.spec_name_for("/v1/fine_tuning/jobs/{job_id}") == spec.LEGACY_SPEC
    assert spec.spec_name_for("/v1/fine_tuning/models/{model_id}") == spec.PUBLIC_SPEC
    assert validate_request("POST", "/v1/fine_tuning/jobs", {"model": "ministral-8b-latest"}) == [
        Violation("missing", ("body", "hyperparameters"), "Field required")
    ]


def test_a_route_missing_from_the_spec_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match=r"GET /v1/nope is not in openapi-public-doc\.yaml"):
        spec.operation("GET", "/v1/nope")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (CHAT, chat_body()),
        (CHAT, chat_body(temperature=0, max_tokens=0, random_seed=0, stream=True, stop=["\n"])),
        (
            CHAT,
            {
                "model": "mistral-small-latest",
                "messages": [
                    {"role": "system", "content": "be brief"},
                    {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                    {"role": "assistant", "content": "hello", "prefix": True},
                ],
                "response_format": {"type": "json_object"},
                "reasoning_effort": "high",
            },
        ),
        (EMBED, embed_body("one")),
        (EMBED, embed_body(["a", "b"], output_dtype="int8", encoding_format="base64")),
        (EMBED, {"model": "codestral-embed", "input": ["x"], "output_dimension": 256}),
    ],
)
def test_valid_bodies_pass(path: str, body: dict[str, Any]) -> None:
    assert validate_request("POST", path, body) == []


@pytest.mark.parametrize("field", ["stream_options", "seed", "user", "max_completion_tokens"])
def test_openai_only_fields_are_extra_forbidden(field: str) -> None:
    assert validate_request("POST", CHAT, chat_body() | {field: 1}) == [
        Violation("extra_forbidden", ("body", field), "Extra inputs are not permitted")
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"temperature": "hot"},
            Violation(
                "float_parsing",
                ("body", "temperature"),
                "Input should be a valid number, unable to parse string as a number",
            ),
        ),
        (
            {"temperature": 2},
            Violation(
                "less_than_equal",
                ("body", "temperature"),
                "Input should be less than or equal to 1.5",
            ),
        ),
        (
            {"top_p": 0},
            Violation("greater_than", ("body", "top_p"), "Input should be greater than 0"),
        ),
        (
            {"max_tokens": -1},
            Violation(
                "greater_than_equal",
                ("body", "max_tokens"),
                "Input should be greater than or equal to 0",
            ),
        ),
        (
            {"stream": "yes"},
            Violation(
                "bool_parsing",
                ("body", "stream"),
                "Input should be a valid boolean, unable to interpret input",
            ),
        ),
        (
            {"random_seed": 1.5},
            Violation("int_type", ("body", "random_seed"), "Input should be a valid integer"),
        ),
        (
            {"reasoning_effort": "max"},
            Violation(
                "enum",
                ("body", "reasoning_effort"),
                "Input should be 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'",
            ),
        ),
    ],
)
def test_wrong_values_are_reported_like_pydantic(
    extra: dict[str, Any], expected: Violation
) -> None:
    assert validate_request("POST", CHAT, chat_body(**extra)) == [expected]


def test_messages_are_checked_through_the_role_discriminator() -> None:
    body = chat_body()
    body["messages"] = [
        {"role": "user", "content": "hi", "name": "bob"},
        {"role": "robot", "content": "x"},
        {"content": "no role"},
        {"role": "tool", "content": "42", "tool_call_id": 7},
    ]
    assert validate_request("POST", CHAT, body) == [
        Violation(
            "extra_forbidden",
            ("body", "messages", 0, "user", "name"),
            "Extra inputs are not permitted",
        ),
        Violation(
            "union_tag_invalid",
            ("body", "messages", 1),
            "Input tag 'robot' found using 'role' does not match any of the expected tags: "
            "'assistant', 'system', 'tool', 'user'",
        ),
        Violation(
            "union_tag_not_found",
            ("body", "messages", 2),
            "Unable to extract tag using discriminator 'role'",
        ),
        Violation(
            "string_type",
            ("body", "messages", 3, "tool", "tool_call_id"),
            "Input should be a valid string",
        ),
    ]


def test_missing_fields_and_bodies() -> None:
    assert validate_request("POST", EMBED, {"input": "x"}) == [
        Violation("missing", ("body", "model"), "Field required")
    ]
    assert validate_request("POST", EMBED, NO_BODY) == [
        Violation("missing", ("body",), "Field required")
    ]
    assert validate_request("POST", EMBED, ["x"]) == [
        Violation("dict_type", ("body",), "Input should be a valid dictionary")
    ]
    assert validate_request("GET", "/v1/models", NO_BODY) == []


def test_union_of_scalars_reports_the_first_member() -> None:
    assert validate_request("POST", EMBED, embed_body(5)) == [
        Violation("string_type", ("body", "input"), "Input should be a valid string")
    ]
    assert validate_request("POST", EMBED, embed_body(["ok", 3])) == [
        Violation("string_type", ("body", "input", 1), "Input should be a valid string")
    ]


def test_form_fields_are_checked_by_name() -> None:
    path = "/v1/audio/transcriptions"
    assert validate_form("POST", path, {"model", "file"}) == []
    assert validate_form("POST", path, {"file"}) == [
        Violation("missing", ("body", "model"), "Field required")
    ]
    assert validate_form("POST", CHAT, {"anything"}) == []  # a JSON route: nothing to check


def test_closed_forms_reject_unknown_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = spec.BodySpec(
        spec.FORM_BODY,
        True,
        {"properties": {"file": {}}, "required": ["file"], "additionalProperties": False},
        None,
    )
    monkeypatch.setattr(spec, "body_spec", lambda method, path: closed)
    assert validate_form("POST", "/v1/files", ["file", "colour"]) == [
        Violation("extra_forbidden", ("body", "colour"), "Extra inputs are not permitted")
    ]


def test_violation_json_form() -> None:
    violation = Violation("missing", ("body", "messages", 0), "Field required")
    assert violation.as_dict() == {
        "type": "missing",
        "loc": ["body", "messages", 0],
        "msg": "Field required",
    }


def _bounds(node: object) -> list[object]:
    keys = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    if isinstance(node, dict):
        found = [value for key, value in node.items() if key in keys]
        return found + [bound for value in node.values() for bound in _bounds(value)]
    if isinstance(node, list):
        return [bound for item in node for bound in _bounds(item)]
    return []


@pytest.mark.parametrize("name", [spec.PUBLIC_SPEC, spec.LEGACY_SPEC])
def test_exponent_numbers_load_as_numbers(name: str) -> None:
    bounds = _bounds(spec.load_spec(name))
    assert bounds
    assert [bound for bound in bounds if not isinstance(bound, int | float)] == []
    assert (1e-08 in bounds) == (name == spec.LEGACY_SPEC)  # YAML 1.1 would read `1e-08` as text
