"""Table cells and detail values for answers that may not say everything: `?` when unknown."""

from __future__ import annotations

import time

UNKNOWN = "?"


def unknown(value: object, spec: str = "") -> str:
    """`value` formatted with `spec` (`","` for 1,234), or `?` when the server did not say."""
    return UNKNOWN if value is None else format(value, spec)


def time_text(stamp: int | None) -> str:
    """A Unix time as `YYYY-MM-DD HH:MM` UTC, or `?` when missing or out of range."""
    if stamp is None:
        return UNKNOWN
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp))
    except (OverflowError, OSError, ValueError):
        return UNKNOWN
