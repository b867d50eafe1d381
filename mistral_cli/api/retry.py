"""Retry policy: which failures are retried, backoff with full jitter, Retry-After."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_retries` retries after the first attempt, sleeping at most `budget` in all."""

    max_retries: int = 4
    base: float = 0.5
    cap: float = 30.0
    budget: float = 120.0

    def backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform(0, min(cap, base * 2**retry)) for the retry-th retry (0-based)."""
        return rand() * min(self.cap, self.base * (2.0**retry))


def retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asks us to wait (`retry-after-ms`, `Retry-After` seconds or HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())
