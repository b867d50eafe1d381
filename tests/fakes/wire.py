"""Transport-neutral request and response values shared by the fake Mistral API and its adapters."""

from __future__ import annotations

import functools
import http
import json
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Final

JSON_TYPE: Final = "application/json"
SSE_TYPE: Final = "text/event-stream"
SSE_DONE: Final = b"data: [DONE]\n\n"

_UNPARSED: Final = object()


@dataclass(eq=False)
class FakeRequest:
    """One HTTP request as the fake saw it; header names are lower-case."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    request_id: str = ""
    fault: object | None = None  # the Fault applied to this request, if any
    _parsed: object = field(default=_UNPARSED, init=False, repr=False)

    def json(self) -> Any:
        """Return the body parsed as JSON (parsed once, then cached)."""
        if self._parsed is _UNPARSED:
            self._parsed = json.loads(self.body)
        return self._parsed

    @property
    def route_key(self) -> str:
        """Return "METHOD /path" (the concrete path, not the template)."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class FakeResponse:
    """A complete response: status, headers and the whole body."""

    status: int
    headers: dict[str, str]
    body: bytes = b""

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Chunk:
    """A piece of a streamed body, sent after waiting `delay` seconds."""

    data: bytes
    delay: float = 0.0


@dataclass(frozen=True)
class Drop:
    """Marker in a stream: close the connection here, without finishing the body."""


@dataclass(frozen=True)
class StreamResponse:
    """A response whose body is sent piece by piece (SSE, or a body cut by a fault)."""

    status: int
    headers: dict[str, str]
    parts: tuple[Chunk | Drop, ...]

    def body(self) -> bytes:
        """Return every chunk joined, ignoring delays and drops (for assertions)."""
        return b"".join(part.data for part in self.parts if isinstance(part, Chunk))


@dataclass(frozen=True)
class Hang:
    """No response: the connection stays silent for `seconds`, then closes."""

    seconds: float


Response = FakeResponse | StreamResponse | Hang


def status_phrase(status: int) -> str:
    """Return the reason phrase of an HTTP status ("Error" when unknown)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def dumps(payload: object) -> bytes:
    """Encode JSON compactly, as the real API does."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(
    status: int, payload: object, headers: dict[str, str] | None = None
) -> FakeResponse:
    """Build a JSON response."""
    return FakeResponse(status, {"content-type": JSON_TYPE, **(headers or {})}, dumps(payload))


def sse_event(payload: object) -> bytes:
    """Frame one data-only server-sent event."""
    return b"data: " + dumps(payload) + b"\n\n"


def error_payload(
    message: object, type_: str, *, code: str | None = None, param: str | None = None
) -> dict[str, object]:
    """Return Mistral's usual error body: {object, message, type, param, code}."""
    return {"object": "error", "message": message, "type": type_, "param": param, "code": code}


def api_error(
    request: FakeRequest,
    status: int,
    message: object,
    type_: str,
    *,
    code: str | None = None,
    param: str | None = None,
) -> FakeResponse:
    """Build a Mistral-style JSON error response carrying the request id in the body too."""
    body = error_payload(message, type_, code=code, param=param)
    body["request_id"] = request.request_id
    return json_response(status, body)


@functools.cache
def gzip_bomb(mib: int = 1024) -> bytes:
    """A valid gzip body of about mib KiB that expands to `mib` MiB of zero bytes.

    Built in well under a second: after a full flush deflate restarts, so the compressed form
    of each MiB of zeros is the same bytes, repeated. The trailer's CRC is computed honestly.
    """
    zeros = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, no mtime
    trailer = struct.pack("<II", crc, (mib << 20) & 0xFFFFFFFF)
    return header + block * mib + deflate.flush() + trailer
