"""The --debug request log: method, URL, headers (key hidden), small JSON bodies, timings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Callable

TRACED_PREFIXES = (
    "x-ratelimit",
    "ratelimit",
    "x-request",
    "mistral-",
    "retry-",
    "location",  # where a redirect points (never followed)
    "content-encoding",  # a compressed body is inflated step by step (body.py)
)


def request(write: Callable[[str], None], sent: httpx.Request) -> None:
    """Log a request about to be sent."""
    try:
        size = len(sent.content)
    except httpx.RequestNotRead:  # multipart uploads stream from disk
        size = 0
    write(f"→ {sent.method} {sent.url} ({size or 'streamed'} B)")
    for name, value in sent.headers.items():
        shown = "Bearer ***" if name.lower() == "authorization" else value
        write(f"  {name}: {shown}")
    if size and size <= 4096 and "json" in sent.headers.get("content-type", ""):
        write("  " + sent.content.decode("utf-8", errors="replace"))


def response(write: Callable[[str], None], received: httpx.Response, elapsed: float) -> None:
    """Log a response's status, timing and rate-limit headers."""
    write(f"← {received.status_code} {received.reason_phrase} in {elapsed:.2f} s")
    for name, value in received.headers.items():
        if name.startswith(TRACED_PREFIXES):
            write(f"  {name}: {value}")
