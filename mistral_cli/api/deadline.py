"""The overall limit of one request: a deadline shared by its retries, waits and stream."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mistral_cli.api.errors import NetworkError, StreamInterrupted
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Callable

HINT = "raise MISTRAL_TOTAL_TIMEOUT (or total_timeout in the config file), or unset it"


@dataclass
class Deadline:
    """`limit` seconds from creation (None: no overall limit), measured with `clock`."""

    limit: float | None
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def remaining(self) -> float | None:
        """Seconds left, never negative; None without a limit."""
        if self.limit is None:
            return None
        return max(0.0, self.limit - (self.clock() - self.started))

    def cap(self, seconds: float) -> float:
        """`seconds`, shortened to what is left (at least 1 ms, so httpx still times out)."""
        left = self.remaining()
        return seconds if left is None else max(0.001, min(seconds, left))

    def near(self, margin: float = 0.05) -> bool:
        """True when at most `margin` seconds are left (a timeout then was the deadline's)."""
        left = self.remaining()
        return left is not None and left <= margin

    def expired(self) -> bool:
        """True once the limit has passed."""
        left = self.remaining()
        return left is not None and left <= 0.0

    def error(self, *, streaming: bool = False, events: int = 0) -> NetworkError:
        """The exit-6 failure naming the limit."""
        limit = f"{self.limit:g}" if self.limit is not None else "?"
        text = f"the request did not finish within the total timeout of {limit} s"
        if streaming:
            return StreamInterrupted(f"{text} (after {counted(events, 'event')})", hint=HINT)
        return NetworkError(text, hint=HINT)
