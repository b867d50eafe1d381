"""Lenient readings of one JSON value: take what is unambiguous, else None (API.md §9).

No pydantic here: schemas/lenient.py builds its field types on these, and the chat path
(api/chat.py), which builds no pydantic model, reads its answers with them directly.
"""

from __future__ import annotations

import math
from typing import Any


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
