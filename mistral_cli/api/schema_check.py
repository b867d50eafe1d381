"""A JSON value against a JSON Schema: the jsonschema library's verdict, told in one line.

Importing jsonschema costs ~60 ms, so a plain value (a scalar, or a list of scalars) against a
plain schema (type, enum, const, bounds, items, anyOf) is accepted here without it. That
shortcut only ever says yes (tests/unit/test_schema_check.py holds it to the library's
answers); every refusal, and every other value, is the library's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

_PLAIN = frozenset(
    {
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "anyOf",
        "items",
    }
)
_BOUNDS = (
    ("minimum", ">="),
    ("exclusiveMinimum", ">"),
    ("maximum", "<="),
    ("exclusiveMaximum", "<"),
)
_SHOWN = 40  # characters of a value quoted in a message


@dataclass(frozen=True)
class Problem:
    """Why a value does not fit: where inside it (`[0].function`, or ""), and what is wrong."""

    where: str
    text: str  # "must be >= 0 and <= 1.5, not 3"

    def about(self, subject: str) -> str:
        """The sentence for `subject` (a flag or field name): `--param n must be >= 1, not 0`."""
        return f"{subject}{self.where} {self.text}"


def check(
    value: object, schema: dict[str, Any], defs: dict[str, Any] | None = None
) -> Problem | None:
    """None when `value` fits `schema` (`defs` holds what `#/$defs/…` refers to); else why not."""
    if isinstance(value, float) and not math.isfinite(value):
        return Problem("", f"must be a finite number, not {value}")  # JSON has no NaN
    if plainly_valid(value, schema):
        return None
    return _library(value, {**schema, "$defs": defs} if defs else schema)


def plainly_valid(value: object, schema: object) -> bool:
    """True when a plain value certainly fits a plain schema; False means "ask the library"."""
    if not isinstance(schema, dict) or not schema.keys() <= _PLAIN:
        return False
    if isinstance(value, dict):
        return False
    if isinstance(value, list):
        items = schema.get("items")
        if "items" in schema and not all(plainly_valid(item, items) for item in value):
            return False
    elif "items" in schema and schema.get("type") != "array":
        return False  # `items` beside another type: leave it to the library
    if "anyOf" in schema and not any(plainly_valid(value, s) for s in schema["anyOf"]):
        return False
    if "type" in schema and not _typed(value, schema["type"]):
        return False
    if "enum" in schema and not _among(value, schema["enum"]):
        return False
    if "const" in schema and not _among(value, [schema["const"]]):
        return False
    return _within(value, schema)


def _typed(value: object, kind: object) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(
        _json_type(value) == k or (k == "number" and _json_type(value) == "integer") for k in kinds
    )


def _among(value: object, options: list[Any]) -> bool:
    return any(type(option) is type(value) and option == value for option in options)


def _within(value: object, schema: dict[str, Any]) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True  # bounds apply to numbers only
    for keyword, sign in _BOUNDS:
        bound = schema.get(keyword)
        if bound is None:
            continue
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            return False
        if not _holds(value, sign, bound):
            return False
    return True


def _holds(value: float, sign: str, bound: float) -> bool:
    if sign == ">=":
        return value >= bound
    if sign == ">":
        return value > bound
    return value <= bound if sign == "<=" else value < bound


def _json_type(value: object) -> str:
    """The JSON type name of a decoded value (an integral float counts as a number here)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number" if math.isfinite(value) else "non-finite"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


# ---------------------------------------------------------------- the library's verdict


def _library(value: object, schema: dict[str, Any]) -> Problem | None:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs

    errors = list(Draft202012Validator(schema).iter_errors(value))
    return _explain(errors) if errors else None


def _explain(errors: list[Any]) -> Problem:
    """The most telling of the errors, descending into the best branch of each union."""
    error = errors[0]
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[int, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        merged = _merged(error, list(branches.values()))
        if merged is not None:
            return merged
        return _explain(min(branches.values(), key=_rank))
    return Problem(_path(error.absolute_path), _text(error))


def _rank(branch: list[Any]) -> tuple[bool, bool, int, int]:
    """How well a union's branch fits (lower is better).

    Its type matched, then its tag (a const or enum field), then the value got furthest into
    it (its errors lie deepest), then it has fewer errors.
    """
    depth = min(len(e.relative_path) for e in branch)
    return _type_error(branch) is not None, _tag_error(branch) is not None, -depth, len(branch)


def _type_error(branch: list[Any]) -> Any:  # noqa: ANN401  # jsonschema's error, or None
    return next((e for e in branch if e.validator == "type" and not e.relative_path), None)


def _tag_error(branch: list[Any]) -> Any:  # noqa: ANN401  # jsonschema's error, or None
    """A const or enum mismatch on the value or one of its fields (a message's role, a type)."""
    shallow = (e for e in branch if e.validator in ("const", "enum") and len(e.relative_path) <= 1)
    return next(shallow, None)


def _merged(error: Any, branches: list[list[Any]]) -> Problem | None:  # noqa: ANN401  # jsonschema's error
    """One sentence for a union none of whose branches has the value's type, or its tag."""
    typed = [_type_error(branch) for branch in branches]
    if all(typed):
        kinds = sorted({k for e in typed for k in _kinds(e.validator_value)} - {"null"})
        text = f"must be {' or '.join(kinds or ['null'])}, not {_typed_shown(error.instance)}"
        return Problem(_path(error.absolute_path), text)
    tags = [_tag_error(branch) for branch in branches]
    if all(tags) and len({tuple(tag.relative_path) for tag in tags}) == 1:
        options = [
            v
            for t in tags
            for v in (t.validator_value if t.validator == "enum" else [t.validator_value])
        ]
        return Problem(_path(tags[0].absolute_path), _one_of(options, tags[0].instance))
    return None


def _text(error: Any) -> str:  # noqa: ANN401  # jsonschema's error
    keyword, expected, value = error.validator, error.validator_value, error.instance
    if keyword == "type":
        kinds = sorted(set(_kinds(expected)) - {"null"}) or ["null"]
        return f"must be {' or '.join(kinds)}, not {_typed_shown(value)}"
    if keyword in dict(_BOUNDS):
        limits = [f"{sign} {_number(error.schema[k])}" for k, sign in _BOUNDS if k in error.schema]
        return f"must be {' and '.join(limits)}, not {_number(value)}"
    if keyword == "enum":
        return _one_of(expected, value)
    if keyword == "const":
        return f"must be {_shown(expected)}, not {_shown(value)}"
    if keyword == "required":
        missing = next(name for name in expected if name not in value)
        return f"is missing {_shown(missing)}"
    if keyword == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = sorted(name for name in value if name not in known)
        return f"has an unknown field {_shown(extra[0])}" if extra else "has unknown fields"
    if keyword in ("minItems", "maxItems"):
        side = "at least" if keyword == "minItems" else "at most"
        return f"must have {side} {expected} item{'' if expected == 1 else 's'}, not {len(value)}"
    if keyword == "oneOf":
        return "matches more than one of the shapes allowed here"
    return f"is not valid ({_cut(error.message)})"


def _one_of(options: list[Any], value: object) -> str:
    shown = ", ".join(o if isinstance(o, str) else _shown(o) for o in options)
    return (
        f"must be one of {shown}, not {value!r}"
        if isinstance(value, str)
        else (f"must be one of {shown}, not {_typed_shown(value)}")
    )


def _kinds(expected: object) -> list[str]:
    return [str(k) for k in expected] if isinstance(expected, list) else [str(expected)]


def _path(parts: Any) -> str:  # noqa: ANN401  # a deque of keys and indexes
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def _typed_shown(value: object) -> str:
    kind = _json_type(value)
    return "null" if kind == "null" else f"{kind} {_shown(value)}"


def _shown(value: object) -> str:
    return _cut(json.dumps(value, ensure_ascii=False, default=str))


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
