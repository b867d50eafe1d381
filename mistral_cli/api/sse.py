"""Server-sent events → JSON payloads, ending at `[DONE]`; a small reader of our own.

Lines end in CRLF, LF or CR; `:` lines are comments; an event's `data:` lines are joined with
newlines and dispatched at the blank line; `event:`, `id:` and `retry:` are ignored. A line,
and an event's data, may be at most limits.SSE_LINE bytes: the reader holds one line at most.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from mistral_cli.api.body import decoded, read_prefix
from mistral_cli.api.deadline import Deadline
from mistral_cli.api.errors import NetworkError, ServerError, StreamInterrupted, parse_error_body
from mistral_cli.api.limits import ERROR_BODY, SSE_LINE, size_text
from mistral_cli.api.watchdog import TOTAL, Expired, Watchdog
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

DONE = b"[DONE]"
_BREAK = re.compile(rb"\r\n?|\n")


class LineTooLong(Exception):  # an event, converted below; never leaves this module
    """A line (or one event's data) passed the cap."""


def iter_events(
    response: httpx.Response, *, idle: float | None = None, watchdog: Watchdog | None = None
) -> Iterator[dict[str, Any]]:
    """Yield each `data:` JSON object; raise StreamInterrupted if the stream ends before [DONE].

    Only a data event counts as progress for the watchdog's idle limit: comments and empty
    events (keep-alives) do not.
    """
    watchdog = watchdog or Watchdog(Deadline(None))
    if "text/event-stream" not in response.headers.get("content-type", ""):
        raise _not_a_stream(response, watchdog)
    received = 0
    try:
        for data in iter_data(iter_lines(decoded(response, watchdog))):
            stripped = data.strip()
            if not stripped:
                continue  # an empty event: a keep-alive, not progress
            watchdog.progress()
            if stripped == DONE:
                return
            payload = _decode(data)
            _raise_if_error(payload)
            received += 1
            yield payload
    except Expired as expired:
        raise _expired(expired, watchdog, received) from None
    except LineTooLong:
        raise StreamInterrupted(
            f"the stream sent a line longer than {size_text(SSE_LINE)} (the limit) after "
            f"{counted(received, 'event')}",
            hint="the partial answer was kept; the server or a proxy is not sending a normal "
            "event stream (check MISTRAL_BASE_URL)",
        ) from None
    except httpx.ReadTimeout:
        wait = f" for {idle:g} s" if idle else ""
        raise StreamInterrupted(
            f"the stream went silent{wait} after {counted(received, 'event')}",
            hint="raise MISTRAL_TIMEOUT if the model needs longer pauses",
        ) from None
    except (httpx.TransportError, httpx.StreamError) as exc:
        raise StreamInterrupted(
            f"the stream broke after {counted(received, 'event')} ({_why(exc)})",
            hint="try again; a flaky network or proxy can cut long streams",
        ) from None
    raise StreamInterrupted(
        f"the stream ended after {counted(received, 'event')} without its end marker",
        hint="the answer may be incomplete; try again",
    )


def iter_lines(pieces: Iterable[bytes], limit: int = SSE_LINE) -> Iterator[bytes]:
    """Split a byte stream into lines (CRLF, LF or CR), each at most `limit` bytes.

    Yields b"" for a blank line; an unterminated last line is dropped, as the SSE spec says.
    """
    buffer = bytearray()
    after_cr = False  # the last piece ended in CR: an LF starting the next one belongs to it
    for piece in pieces:
        if not piece:
            continue
        start = 1 if after_cr and piece[:1] == b"\n" else 0
        for match in _BREAK.finditer(piece, start):
            line = piece[start : match.start()]
            if buffer:
                buffer += line
                line = bytes(buffer)
                buffer.clear()
            if len(line) > limit:
                raise LineTooLong
            yield line
            start = match.end()
        after_cr = piece[-1:] == b"\r"
        if len(buffer) + len(piece) - start > limit:
            raise LineTooLong
        buffer += piece[start:]


def iter_data(lines: Iterable[bytes], limit: int = SSE_LINE) -> Iterator[bytes]:
    """Each event's data (its `data:` lines joined by newlines); events without data are skipped.

    Data pending when the lines end is dispatched too (a stream closed right after its last
    `data:` line, without the blank line): being lenient costs nothing there.
    """
    data: list[bytes] = []
    size = 0
    for line in lines:
        if not line:
            if data:
                yield b"\n".join(data)
                data, size = [], 0
            continue
        name, _, value = line.partition(b":")
        if name != b"data":  # a comment (empty name), or event/id/retry/unknown fields
            continue
        value = value[1:] if value[:1] == b" " else value
        size += len(value) + 1
        if size > limit:
            raise LineTooLong
        data.append(value)
    if data:
        yield b"\n".join(data)


def _expired(expired: Expired, watchdog: Watchdog, received: int) -> NetworkError:
    if expired.reason == TOTAL:
        return watchdog.deadline.error(streaming=True, events=received)
    idle = watchdog.idle or 0.0
    return StreamInterrupted(
        f"the stream sent no data for {idle:g} s after {counted(received, 'event')}",
        hint="raise MISTRAL_TIMEOUT if the model needs longer pauses (keep-alive comments "
        "do not count as data)",
    )


def _why(exc: httpx.HTTPError | httpx.StreamError) -> str:
    text = str(exc).strip()
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection closed by the server"
    if isinstance(exc, httpx.ReadError):
        return "connection reset"
    return text or type(exc).__name__


def _decode(data: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(data)
    except ValueError:
        raise ServerError(
            f"the stream carried an unreadable event: {_shown(data)}",
            hint="try again; if it persists, rerun with --debug and report it",
        ) from None
    if not isinstance(payload, dict):
        raise ServerError(f"the stream carried an unexpected event: {_shown(data)}")
    return payload


def _shown(data: bytes) -> str:
    return repr(data[:80].decode("utf-8", errors="replace"))


def _raise_if_error(payload: dict[str, Any]) -> None:
    """An error object inside the stream (no `choices`, but `object: error`/`message`/`detail`)."""
    if "choices" in payload:
        return
    if payload.get("object") == "error" or "message" in payload or "detail" in payload:
        parsed = parse_error_body(500, "application/json", json.dumps(payload).encode())
        raise ServerError(
            f"the server reported an error mid-stream: {parsed.message}",
            code=parsed.code,
            type=parsed.type,
            hint="the partial answer was kept; try again",
        )


def _not_a_stream(response: httpx.Response, watchdog: Watchdog) -> ServerError:
    try:
        body = read_prefix(response, watchdog, ERROR_BODY)
    except (httpx.TransportError, httpx.StreamError, Expired):
        body = b""  # the message can do without the body
    parsed = parse_error_body(response.status_code, response.headers.get("content-type", ""), body)
    return ServerError(
        f"expected an event stream but got {response.headers.get('content-type', 'no type')}: "
        f"{parsed.message}",
        hint="check MISTRAL_BASE_URL and any proxy in between",
    )
