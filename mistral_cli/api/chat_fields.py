"""ChatCompletionRequest's fields, derived from openapi-public-doc.yaml (no YAML at run time)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class FieldSpec:
    """What one request field accepts: JSON types, allowed strings, numeric bounds."""

    types: frozenset[str]  # JSON Schema type names; "number" also admits integers
    enum: tuple[str, ...] = ()  # for a string value, when not empty
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None


def _f(*types: str, **limits: Any) -> FieldSpec:  # noqa: ANN401  # bounds and enum values
    return FieldSpec(frozenset(types), **limits)


# Regenerate by hand when the spec changes; tests/unit/test_chat_fields.py compares with the spec.
CHAT_FIELDS: Final[dict[str, FieldSpec]] = {
    "model": _f("string"),
    "temperature": _f("number", "null", minimum=0, maximum=1.5),
    "top_p": _f("number", "null", maximum=1, exclusive_minimum=0),
    "max_tokens": _f("integer", "null", minimum=0),
    "stream": _f("boolean"),
    "stop": _f("string", "array", "null"),
    "random_seed": _f("integer", "null", minimum=0),
    "metadata": _f("object", "null"),
    "messages": _f("array"),
    "response_format": _f("object"),
    "tools": _f("array", "null"),
    "tool_choice": _f("object", "string", enum=("auto", "none", "any", "required")),
    "presence_penalty": _f("number", "null", minimum=-2, maximum=2),
    "frequency_penalty": _f("number", "null", minimum=-2, maximum=2),
    "n": _f("integer", "null", minimum=1),
    "prediction": _f("object"),
    "parallel_tool_calls": _f("boolean"),
    "reasoning_effort": _f(
        "string", "null", enum=("none", "minimal", "low", "medium", "high", "xhigh")
    ),
    "prompt_mode": _f("string", "null", enum=("reasoning",)),
    "guardrails": _f("array", "null"),
    "prompt_cache_key": _f("string", "null"),
    "service_tier": _f("string", "null", enum=("auto", "standard_only")),
    "safe_prompt": _f("boolean"),
}

# OpenAI's names the Mistral API refuses (API.md §1), with what to use instead.
OPENAI_ONLY: Final[dict[str, str]] = {
    "stream_options": "usage comes with the last chunk anyway",
    "max_completion_tokens": "use --max-tokens",
    "store": "conversations are saved locally; --no-save turns that off",
    "seed": "use --seed (sent as random_seed)",
    "user": "the Mistral API has no such field",
    "logit_bias": "the Mistral API has no such field",
    "reasoning_content": "the Mistral API has no such field",
    "safe_mode": "use --safe-prompt",
}


def json_type(value: object) -> str:
    """The JSON Schema type name of a decoded JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def check_value(name: str, value: object, spec: FieldSpec) -> str | None:
    """Why `value` does not fit the field (one phrase), or None when it does."""
    kind = json_type(value)
    accepted = kind in spec.types or (kind == "integer" and "number" in spec.types)
    if not accepted:
        wanted = " or ".join(sorted(spec.types - {"null"}) or ["null"])
        return f"{name} must be {wanted}, not {kind} {json.dumps(value)}"
    if isinstance(value, str) and spec.enum and value not in spec.enum:
        return f"{name} must be one of {', '.join(spec.enum)}, not {value!r}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _check_bounds(name, value, spec)
    return None


def _check_bounds(name: str, value: float, spec: FieldSpec) -> str | None:
    low_ok = spec.minimum is None or value >= spec.minimum
    above = spec.exclusive_minimum is None or value > spec.exclusive_minimum
    high_ok = spec.maximum is None or value <= spec.maximum
    if low_ok and above and high_ok:
        return None
    parts = []
    if spec.minimum is not None:
        parts.append(f">= {spec.minimum:g}")
    if spec.exclusive_minimum is not None:
        parts.append(f"> {spec.exclusive_minimum:g}")
    if spec.maximum is not None:
        parts.append(f"<= {spec.maximum:g}")
    return f"{name} must be {' and '.join(parts)}, not {value:g}"
