"""Lenient field types for answers: take what is unambiguous, let the rest go (API.md §9).

A field the command can do without takes `null`, a missing key or an odd value as None (or an
empty list), noting the odd value for --debug; numbers arriving as floats or numeric strings
where an int is typed are taken when unambiguous (3.0 and "3" are 3; 3.5 is not an int). An
identity field (`Id`, `Count`) raises instead: a list (`Items`) skips that item, a single answer
becomes UnexpectedAnswer (api/parse.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import (
    BeforeValidator,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from mistral_cli.api.parse import got, problem, remember

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
V = TypeVar("V")


def as_int(value: object) -> int | None:
    """An unambiguous integer (3, 3.0, "3", "3.0"), else None (3.5, true, "x", [])."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    number = as_float(value)
    return int(number) if number is not None and number.is_integer() else None


def as_float(value: object) -> float | None:
    """A finite number (3, 0.5, "0.5"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and "_" not in value:
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_text(value: object) -> str | None:
    """A string, or a number written as one (an id sent as 123); else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_flag(value: object) -> bool | None:
    """true/false, 0/1 or "true"/"false"; else None (unknown)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_object(value: object) -> dict[str, Any] | None:
    """A JSON object, else None."""
    return value if isinstance(value, dict) else None


def _optional(
    convert: Callable[[object], V | None], what: str
) -> Callable[[object, ValidationInfo], V | None]:
    def check(value: object, info: ValidationInfo) -> V | None:
        if value is None:
            return None
        converted = convert(value)
        if converted is None:
            remember(info, f"ignored {info.field_name} = {got(value)} (not {what})")
        return converted

    return check


def _required(convert: Callable[[object], V | None], what: str) -> Callable[[object], V]:
    def check(value: object) -> V:
        converted = convert(value) if value is not None else None
        if converted is None or converted == "":
            text = "is null" if value is None else f"is not {what} (got {got(value)})"
            raise PydanticCustomError("unreadable", "{text}", {"text": text})
        return converted

    return check


def _texts(value: object, info: ValidationInfo) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        remember(info, f"ignored {info.field_name} = {got(value)} (not a list)")
        return []
    texts = [as_text(item) for item in value]
    return [text for text in texts if text is not None]


def _items(value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:  # noqa: ANN401  # the list pydantic built
    """Validate list items one by one; an unreadable one is skipped with a note."""
    if value is None:
        return []
    if not isinstance(value, list):
        remember(info, f"ignored {info.field_name} = {got(value)} (not a list)")
        return []
    kept: list[Any] = []
    for index, item in enumerate(value):
        try:
            kept.extend(handler([item]))
        except ValidationError as exc:
            text = problem(exc, skip=1, subject="it")
            remember(info, f"skipped {info.field_name}[{index}]: {text}")
    return kept


def _or_none(value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:  # noqa: ANN401  # the model pydantic built
    """A nested object that cannot be read counts as absent (None), with a note."""
    try:
        return handler(value)
    except ValidationError as exc:
        remember(info, f"ignored {info.field_name}: {problem(exc, subject='it')}")
        return None


Int = Annotated[int | None, BeforeValidator(_optional(as_int, "an integer"))]
Float = Annotated[float | None, BeforeValidator(_optional(as_float, "a number"))]
Text = Annotated[str | None, BeforeValidator(_optional(as_text, "a string"))]
Flag = Annotated[bool | None, BeforeValidator(_optional(as_flag, "true or false"))]
Object = Annotated[dict[str, Any] | None, BeforeValidator(_optional(as_object, "an object"))]
Texts = Annotated[list[str], BeforeValidator(_texts)]
Id = Annotated[str, BeforeValidator(_required(as_text, "a string"))]
Count = Annotated[int, BeforeValidator(_required(as_int, "an integer"))]
Items = Annotated[list[T], WrapValidator(_items)]
Opt = Annotated[T, WrapValidator(_or_none)] | None
