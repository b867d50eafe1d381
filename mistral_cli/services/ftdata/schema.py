"""FT307's check that a tool's `parameters` is a valid JSON Schema (draft 7), by `jsonschema`.

jsonschema is imported on the first tool schema checked: `--help`, chat and data without tools
never load it.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Protocol

from mistral_cli.services.ftdata.report import pointer

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

# Deeper than this (objects and arrays) is refused before jsonschema, whose checks recurse.
MAX_DEPTH = 64
MAX_MESSAGE = 160  # jsonschema quotes the offending value; a long one is cut short
Problem = tuple[str, str]  # (JSON pointer, message)


class _Validator(Protocol):
    def iter_errors(self, instance: object) -> Iterator[Any]:
        """Jsonschema's ValidationErrors for `instance` (the library ships no types)."""
        ...


def schema_problem(schema: object, path: str = "") -> Problem | None:
    """The first reason `schema` is not a valid draft-7 schema: (pointer from `path`, message)."""
    if _too_deep(schema):
        return path, "schema nested too deep"
    found = _problem(json.dumps(schema, sort_keys=True))
    if found is None:
        return None
    where, message = found
    return path + where, message


@functools.lru_cache(maxsize=256)
def _problem(document: str) -> Problem | None:
    """The check itself, once per distinct schema (a tool is usually repeated on every line)."""
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]  # no stubs

    error = best_match(_meta_validator().iter_errors(json.loads(document)))
    if error is None:
        return None
    while error.context:  # anyOf/oneOf: the most relevant branch says more ("is not one of …")
        error = best_match(error.context)
    parts = list(error.absolute_path)
    message = str(error.message)
    if error.validator == "format" and error.validator_value == "regex":
        message = f"{error.instance!r} is not a valid regular expression"
        if "propertyNames" in error.schema_path:  # a patternProperties key: point at it
            parts.append(error.instance)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return pointer(*parts), message


@functools.cache
def _meta_validator() -> _Validator:
    """Draft 7's meta-schema as a validator, `format: regex` checked (patterns must compile)."""
    from jsonschema import Draft7Validator  # type: ignore[import-untyped]  # no stubs

    validator: _Validator = Draft7Validator(
        Draft7Validator.META_SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER
    )
    return validator


def _too_deep(value: object) -> bool:
    """True when objects and arrays nest more than MAX_DEPTH levels (checked without recursion)."""
    level: Iterable[object] = [value]
    for _ in range(MAX_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True
