"""Lenient field types for answers: take what is unambiguous, let the rest go (API.md §9).

A field the command can do without takes `null`, a missing key or an odd value as None (or an
empty list), noting the odd value for --debug; numbers arriving as floats or numeric strings
where an int is typed are taken when unambiguous (3.0 and "3" are 3; 3.5 is not an int). An
identity field (`Id`, `Count`) raises instead: a list (`Items`) skips that item, a single answer
becomes UnexpectedAnswer (api/parse.py).
"""

from __future__ import annotations

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
from mistral_cli.api.values import as_flag, as_float, as_int, as_object, as_text

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
V = TypeVar("V")
__all__ = [  # the as_* readers live in api/values.py (pydantic-free) and are exported here too
    "Count",
    "Flag",
    "Float",
    "Id",
    "Int",
    "Items",
    "Object",
    "Opt",
    "Text",
    "Texts",
    "as_flag",
    "as_float",
    "as_int",
    "as_object",
    "as_text",
]


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
