"""Validate request bodies against Mistral's official OpenAPI 3.1 specs, as the real API does."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

import yaml  # type: ignore[import-untyped, unused-ignore]  # types-PyYAML may be absent
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no stubs
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_DIR: Final = Path(__file__).parent / "spec"
PUBLIC_SPEC: Final = "openapi-public-doc.yaml"
LEGACY_SPEC: Final = "openapi.yaml"  # the only one still holding the fine-tuning job routes
JSON_BODY: Final = "application/json"
FORM_BODY: Final = "multipart/form-data"
NO_BODY: Final = object()  # pass as `body` when the request had none


@dataclass(frozen=True)
class Violation:
    """One entry of a 422 `detail` list, shaped like pydantic's: {type, loc, msg}."""

    type: str
    loc: tuple[str | int, ...]
    msg: str

    def as_dict(self) -> dict[str, object]:
        """Return the JSON form the API sends."""
        return {"type": self.type, "loc": list(self.loc), "msg": self.msg}


@dataclass(frozen=True)
class BodySpec:
    """What an operation expects as request body."""

    content_type: str
    required: bool
    schema: dict[str, Any]  # the top-level body schema, `$ref` resolved
    validator: Any  # Draft202012Validator (untyped library)


class _Loader(yaml.CSafeLoader):  # type: ignore[misc, unused-ignore]  # untyped base without stubs
    """YAML 1.1 reads `1e-08` (no dot) as a string; the specs mean a float (YAML 1.2, JSON)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


@functools.cache
def load_spec(name: str) -> dict[str, Any]:
    """Parse one vendored spec file (once per process: ~0.9 s for the public one)."""
    with (SPEC_DIR / name).open("rb") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_Loader)  # a CSafeLoader
    return document


def spec_name_for(path_template: str) -> str:
    """Choose the spec documenting a route: fine-tuning jobs live only in the legacy file."""
    return LEGACY_SPEC if path_template.startswith("/v1/fine_tuning/jobs") else PUBLIC_SPEC


@functools.cache
def _registry(name: str) -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(
        load_spec(name), default_specification=DRAFT202012
    )
    registry: Registry[Any] = Registry().with_resource(_uri(name), resource)
    return registry


def _uri(name: str) -> str:
    return f"urn:mistral-openapi:{name}"


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def operation(method: str, path_template: str) -> dict[str, Any]:
    """Return the spec's operation object; LookupError if the spec lacks the route."""
    name = spec_name_for(path_template)
    try:
        found: dict[str, Any] = load_spec(name)["paths"][path_template][method.lower()]
    except KeyError:
        raise LookupError(f"{method} {path_template} is not in {name}") from None
    return found


@functools.cache
def body_spec(method: str, path_template: str) -> BodySpec | None:
    """Return the operation's body description (None when it takes no body), cached per route."""
    request_body = operation(method, path_template).get("requestBody")
    if request_body is None:
        return None
    name = spec_name_for(path_template)
    for content_type in (JSON_BODY, FORM_BODY):
        if content_type in request_body["content"]:
            break
    else:
        return None  # e.g. octet-stream uploads: nothing to check
    pointer = _pointer(
        "paths", path_template, method.lower(), "requestBody", "content", content_type, "schema"
    )
    ref = f"{_uri(name)}#/{pointer}"
    registry = _registry(name)
    schema: dict[str, Any] = registry.resolver().lookup(ref).contents
    while "$ref" in schema:
        schema = registry.resolver(_uri(name)).lookup(schema["$ref"]).contents
    validator = Draft202012Validator({"$ref": ref}, registry=registry)
    return BodySpec(content_type, bool(request_body.get("required")), schema, validator)


def validate_request(method: str, path_template: str, body: object) -> list[Violation]:
    """Check a parsed JSON body (or NO_BODY) against the route's schema; [] when it passes."""
    spec = body_spec(method, path_template)
    if spec is None or spec.content_type != JSON_BODY:
        return []
    if body is NO_BODY:
        return [Violation("missing", ("body",), "Field required")] if spec.required else []
    found: list[Violation] = []
    for error in spec.validator.iter_errors(body):
        found.extend(_violations(error))
    return list(dict.fromkeys(found))


def validate_form(method: str, path_template: str, names: Collection[str]) -> list[Violation]:
    """Check multipart field names only (values are not type-checked): missing and unknown."""
    spec = body_spec(method, path_template)
    if spec is None or spec.content_type != FORM_BODY:
        return []
    missing = [
        Violation("missing", ("body", field), "Field required")
        for field in spec.schema.get("required", [])
        if field not in names
    ]
    extra: list[Violation] = []
    if spec.schema.get("additionalProperties") is False:
        known = spec.schema.get("properties", {})
        extra = [
            Violation("extra_forbidden", ("body", field), "Extra inputs are not permitted")
            for field in names
            if field not in known
        ]
    return missing + extra


# ---------------------------------------------------------------- jsonschema error → pydantic shape

_TYPES: Final = {  # JSON type → (pydantic error prefix, message, extra words for a string input)
    "number": ("float", "a valid number", "unable to parse string as a number"),
    "integer": ("int", "a valid integer", "unable to parse string as an integer"),
    "boolean": ("bool", "a valid boolean", "unable to interpret input"),
    "string": ("string", "a valid string", ""),
    "array": ("list", "a valid list", ""),
    "object": ("dict", "a valid dictionary", ""),
}
_BOUNDS: Final = {
    "minimum": ("greater_than_equal", "greater than or equal to"),
    "maximum": ("less_than_equal", "less than or equal to"),
    "exclusiveMinimum": ("greater_than", "greater than"),
    "exclusiveMaximum": ("less_than", "less than"),
}


def _violations(error: Any) -> Iterator[Violation]:
    loc: tuple[str | int, ...] = ("body", *error.absolute_path)
    keyword, instance = error.validator, error.instance
    if keyword in ("anyOf", "oneOf") and (error.context or "discriminator" in error.schema):
        yield from _union_violations(error, loc)
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        for key in instance:
            if key not in known:
                yield Violation("extra_forbidden", (*loc, key), "Extra inputs are not permitted")
    elif keyword == "required" and isinstance(instance, dict):
        for key in error.validator_value:
            if key not in instance:
                yield Violation("missing", (*loc, key), "Field required")
    else:
        yield _leaf(keyword, error.validator_value, instance, loc, error.message)


def _union_violations(error: Any, loc: tuple[str | int, ...]) -> Iterator[Violation]:
    branches: dict[int, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    discriminator = error.schema.get("discriminator")
    if discriminator and isinstance(error.instance, dict):
        yield from _tagged_violations(error, discriminator, branches, loc)
        return
    chosen = min(branches.values(), key=_branch_rank) if branches else []
    if not chosen:  # oneOf failed because several members matched
        yield Violation(error.validator, loc, error.message)
    for sub in chosen:
        yield from _violations(sub)


def _branch_rank(errors: list[Any]) -> tuple[bool, bool, int]:
    """Prefer the union member whose type matched, then non-null members, then fewer errors."""
    shallow = any(not e.relative_path and e.validator in ("type", "const", "enum") for e in errors)
    null = any(e.validator == "type" and e.validator_value == "null" for e in errors)
    return shallow, null, len(errors)


def _tagged_violations(
    error: Any,
    discriminator: dict[str, Any],
    branches: dict[int, list[Any]],
    loc: tuple[str | int, ...],
) -> Iterator[Violation]:
    prop, mapping = discriminator["propertyName"], discriminator.get("mapping", {})
    tag = error.instance.get(prop)
    if tag is None:
        yield Violation(
            "union_tag_not_found", loc, f"Unable to extract tag using discriminator {prop!r}"
        )
        return
    refs = [option.get("$ref") for option in error.validator_value]
    target = mapping.get(tag) if isinstance(tag, str) else None
    if target not in refs:
        expected = ", ".join(repr(key) for key in mapping)
        msg = f"Input tag {tag!r} found using {prop!r} does not match any of the expected tags: "
        msg += expected
        yield Violation("union_tag_invalid", loc, msg)
        return
    for sub in branches.get(refs.index(target), []):
        for violation in _violations(sub):
            inner = violation.loc[len(loc) :]
            yield Violation(violation.type, (*loc, tag, *inner), violation.msg)


def _leaf(
    keyword: str,
    expected: Any,
    instance: object,
    loc: tuple[str | int, ...],
    fallback: str,
) -> Violation:
    if keyword == "type":
        return _type_violation(expected, instance, loc)
    if keyword in _BOUNDS:
        kind, words = _BOUNDS[keyword]
        return Violation(kind, loc, f"Input should be {words} {expected}")
    if keyword == "const":
        return Violation("literal_error", loc, f"Input should be {expected!r}")
    if keyword == "enum":
        return Violation("enum", loc, f"Input should be {_or_list(expected)}")
    if keyword in ("minItems", "maxItems") and isinstance(instance, list):
        kind, words = (
            ("too_short", "at least") if keyword == "minItems" else ("too_long", "at most")
        )
        msg = f"List should have {words} {expected} item{_s(expected)} after validation, "
        msg += f"not {len(instance)}"
        return Violation(kind, loc, msg)
    if keyword in ("minLength", "maxLength"):
        kind, words = ("string_too_short", "at least")
        if keyword == "maxLength":
            kind, words = ("string_too_long", "at most")
        return Violation(
            kind, loc, f"String should have {words} {expected} character{_s(expected)}"
        )
    return Violation(keyword, loc, fallback)


def _type_violation(expected: object, instance: object, loc: tuple[str | int, ...]) -> Violation:
    names = [expected] if isinstance(expected, str) else list(cast("list[str]", expected))
    name = next((n for n in names if n != "null"), "null")
    if name == "null":
        return Violation("none_required", loc, "Input should be None")
    prefix, words, parsing = _TYPES[name]
    if isinstance(instance, str) and parsing:
        return Violation(f"{prefix}_parsing", loc, f"Input should be {words}, {parsing}")
    return Violation(f"{prefix}_type", loc, f"Input should be {words}")


def _or_list(values: list[object]) -> str:
    shown = [repr(value) for value in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _s(count: object) -> str:
    return "" if count == 1 else "s"
