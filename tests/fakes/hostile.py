"""Hostile answers for the trust-boundary tests: trickled bodies, endless keep-alives, endless
lines, redirects, and compressed bodies (with `Fault.status(200, gzip_bomb(), {...})`).

Each is a Fault like those in faults.py; pass it to `fake.inject`. "Endless" means longer than
any limit a test sets: the loopback server stops sending once the client goes away, or when
the server stops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tests.fakes.faults import Fault, FaultMisuse
from tests.fakes.router import FakeMistral
from tests.fakes.wire import Chunk, Drop, FakeRequest, FakeResponse, Response, StreamResponse

KEEP_ALIVE = b": keep-alive\n\n"
EMPTY_EVENT = b"data:\n\n"
ENDLESS = 100_000  # beats or pieces: minutes to hours at the intervals the tests use


def warm_validators() -> None:
    """Load the fake's spec validators (slow once per process) before tests whose limits are
    fractions of a second: the time must go to the hostile answer only."""
    fake = FakeMistral()
    auth = {"authorization": f"Bearer {fake.api_key}", "content-type": "application/json"}
    chat = {"model": "mistral-small-latest", "messages": [{"role": "user", "content": "x"}]}
    body = json.dumps(chat).encode()
    fake.handle(FakeRequest("GET", "/v1/models", headers=auth))
    fake.handle(FakeRequest("POST", "/v1/chat/completions", headers=auth, body=body))
    assert not fake.errors


def trickle(interval: float = 0.01) -> Trickle:
    """Send the answer one byte at a time, `interval` seconds apart."""
    return Trickle(interval)


def keep_alive(after_events: int = 2, interval: float = 0.01, beat: bytes = KEEP_ALIVE) -> Tail:
    """After `after_events` SSE events, send `beat` (a comment) every `interval` s, endlessly."""
    return Tail(after_events, "keep-alive", (Chunk(beat, interval),) * ENDLESS)


def long_line(after_events: int = 2, size: int = 9 << 20, piece: int = 64 << 10) -> Tail:
    """After `after_events` SSE events, a `data:` line of `size` bytes without a line break."""
    count, rest = divmod(size, piece)
    block = Chunk(b"x" * piece)  # the same piece, repeated: no memory for the line
    line = (Chunk(b"data: "), *(block,) * count, Chunk(b"x" * rest), Drop())
    return Tail(after_events, f"a {size}-byte line", line)


def redirect(status: int = 307, location: str | None = "https://elsewhere.test/v1/x") -> Redirect:
    """Answer `status` with a Location header (none when `location` is None) and no body."""
    return Redirect(status, location)


@dataclass(frozen=True)
class Trickle(Fault):
    """See `trickle`."""

    interval: float

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Split the body into one-byte chunks."""
        if isinstance(response, FakeResponse):
            headers = {**response.headers, "content-length": str(len(response.body))}
            body = response.body
        elif isinstance(response, StreamResponse):
            headers, body = response.headers, response.body()
        else:
            raise FaultMisuse(f"{self!r} needs an answer with a body")
        parts = tuple(Chunk(body[i : i + 1], self.interval) for i in range(len(body)))
        return StreamResponse(response.status, headers, parts)


@dataclass(frozen=True)
class Tail(Fault):
    """See `keep_alive` and `long_line`: the first events, then `tail` instead of the rest."""

    after_events: int
    name: str
    tail: tuple[Chunk | Drop, ...] = field(repr=False)

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Keep the first events, then send the tail."""
        count = self.after_events
        if not isinstance(response, StreamResponse) or len(response.parts) <= count:
            raise FaultMisuse(f"{self!r} needs a stream of more than {count} events")
        parts = (*response.parts[:count], *self.tail)
        return StreamResponse(response.status, response.headers, parts)


@dataclass(frozen=True)
class Redirect(Fault):
    """See `redirect`."""

    code: int
    location: str | None

    def before(self, request: FakeRequest) -> Response | None:
        """Replace the answer."""
        headers = {} if self.location is None else {"location": self.location}
        return FakeResponse(self.code, headers, b"")
