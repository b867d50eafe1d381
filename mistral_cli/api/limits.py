"""Every cap on what a server may make us hold: body sizes, SSE lines, text quoted from headers."""

from __future__ import annotations

from typing import Final

MIB: Final = 1024 * 1024

JSON_BODY: Final = 64 * MIB  # a JSON answer, once decompressed (embedding pages are ~10 MiB)
ERROR_BODY: Final = 64 * 1024  # what is read of an error body (the message is cut far shorter)
SSE_LINE: Final = 8 * MIB  # one SSE line, and one event's joined `data:` lines
PIECE: Final = 64 * 1024  # decompressed bytes produced per step: no chunk expands further at once
LOCATION_TEXT: Final = 200  # characters of a redirect's Location quoted in a message
ACCEPT_ENCODING: Final = "gzip, deflate"  # the codings body.py decodes step by step


def size_text(size: int) -> str:
    """A byte count for messages: `512 B`, `64 KiB`, `8 MiB`, `1.5 GiB`."""
    value, unit = float(size), "B"
    for bigger in ("KiB", "MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
