"""A dependency-free check that a tool's `parameters` is a well-formed JSON Schema (draft 7)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from mistral_cli.services.ftdata.report import segment

MAX_DEPTH = 64
TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})

Problem = tuple[str, str]  # (JSON pointer, message)
_Check = Callable[[Any, str, int], Problem | None]


def schema_problem(schema: object, path: str = "", depth: int = 0) -> Problem | None:
    """The first reason `schema` is not a valid draft-7 schema, or None."""
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, dict):
        return path, "a schema must be an object or a boolean"
    if depth > MAX_DEPTH:
        return path, "schema nested too deep"
    for key, value in schema.items():
        check = _CHECKS.get(key)
        if check is not None:
            problem = check(value, path + segment(key), depth + 1)
            if problem is not None:
                return problem
    return None


def _type(value: object, path: str, _depth: int) -> Problem | None:
    names = value if isinstance(value, list) else [value]
    for name in names:
        if not isinstance(name, str) or name not in TYPES:
            return path, f"unknown type {name!r}" if isinstance(name, str) else "bad 'type'"
    if isinstance(value, list) and len(set(names)) != len(names):
        return path, "'type' lists a type twice"
    return None


def _schema_map(value: object, path: str, depth: int) -> Problem | None:
    if not isinstance(value, dict):
        return path, "must be an object of schemas"
    for key, sub in value.items():
        problem = schema_problem(sub, path + segment(key), depth)
        if problem is not None:
            return problem
    return None


def _schema_list(value: object, path: str, depth: int) -> Problem | None:
    if not isinstance(value, list) or not value:
        return path, "must be a non-empty array of schemas"
    for index, sub in enumerate(value):
        problem = schema_problem(sub, path + segment(index), depth)
        if problem is not None:
            return problem
    return None


def _items(value: object, path: str, depth: int) -> Problem | None:
    if isinstance(value, list):
        return _schema_list(value, path, depth) if value else None
    return schema_problem(value, path, depth)


def _dependencies(value: object, path: str, depth: int) -> Problem | None:
    if not isinstance(value, dict):
        return path, "must be an object"
    for key, sub in value.items():
        if isinstance(sub, list):
            if not all(isinstance(item, str) for item in sub):
                return path + segment(key), "must be an array of strings"
        else:
            problem = schema_problem(sub, path + segment(key), depth)
            if problem is not None:
                return problem
    return None


def _string_list(value: object, path: str, _depth: int) -> Problem | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return path, "must be an array of strings"
    if len(set(value)) != len(value):
        return path, "lists a name twice"
    return None


def _number(value: object, path: str, _depth: int) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return path, "must be a number"
    return None


def _positive(value: object, path: str, depth: int) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return path, "must be a number"
    return None if value > 0 else (path, "must be greater than 0")


def _count(value: object, path: str, _depth: int) -> Problem | None:
    valid = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if valid else (path, "must be a non-negative integer")


def _string(value: object, path: str, _depth: int) -> Problem | None:
    return None if isinstance(value, str) else (path, "must be a string")


def _boolean(value: object, path: str, _depth: int) -> Problem | None:
    return None if isinstance(value, bool) else (path, "must be a boolean")


def _array(value: object, path: str, _depth: int) -> Problem | None:
    return None if isinstance(value, list) else (path, "must be an array")


@functools.lru_cache(maxsize=256)
def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _pattern(value: object, path: str, _depth: int) -> Problem | None:
    if not isinstance(value, str):
        return path, "must be a string"
    return None if _compiles(value) else (path, "is not a valid regular expression")


def _pattern_map(value: object, path: str, depth: int) -> Problem | None:
    if isinstance(value, dict):
        for key in value:
            if not _compiles(key):
                return path + segment(key), "is not a valid regular expression"
    return _schema_map(value, path, depth)


_CHECKS: dict[str, _Check] = {
    "type": _type,
    "properties": _schema_map,
    "definitions": _schema_map,
    "$defs": _schema_map,
    "patternProperties": _pattern_map,
    "dependencies": _dependencies,
    "items": _items,
    "additionalItems": schema_problem,
    "additionalProperties": schema_problem,
    "contains": schema_problem,
    "propertyNames": schema_problem,
    "not": schema_problem,
    "if": schema_problem,
    "then": schema_problem,
    "else": schema_problem,
    "allOf": _schema_list,
    "anyOf": _schema_list,
    "oneOf": _schema_list,
    "required": _string_list,
    "enum": _array,
    "examples": _array,
    "minimum": _number,
    "maximum": _number,
    "exclusiveMinimum": _number,
    "exclusiveMaximum": _number,
    "multipleOf": _positive,
    "minLength": _count,
    "maxLength": _count,
    "minItems": _count,
    "maxItems": _count,
    "minProperties": _count,
    "maxProperties": _count,
    "uniqueItems": _boolean,
    "readOnly": _boolean,
    "writeOnly": _boolean,
    "pattern": _pattern,
    "format": _string,
    "title": _string,
    "description": _string,
    "$id": _string,
    "$schema": _string,
    "$ref": _string,
    "$comment": _string,
}
