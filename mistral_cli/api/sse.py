"""Server-sent events → JSON payloads (httpx-sse underneath), ending at `[DONE]`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
from httpx_sse import EventSource, SSEError

from mistral_cli.api.errors import ServerError, StreamInterrupted, parse_error_body

if TYPE_CHECKING:
    from collections.abc import Iterator

DONE = "[DONE]"


def iter_events(response: httpx.Response, *, idle: float | None = None) -> Iterator[dict[str, Any]]:
    """Yield each `data:` JSON object; raise StreamInterrupted if the stream ends before [DONE]."""
    received = 0
    try:
        for event in EventSource(response).iter_sse():
            data = event.data.strip()
            if not data:
                continue
            if data == DONE:
                return
            payload = _decode(data)
            _raise_if_error(payload)
            received += 1
            yield payload
    except SSEError:
        raise _not_a_stream(response) from None
    except httpx.ReadTimeout:
        wait = f" for {idle:g} s" if idle else ""
        raise StreamInterrupted(
            f"the stream went silent{wait} after {received} events",
            hint="raise MISTRAL_TIMEOUT if the model needs longer pauses",
        ) from None
    except (httpx.TransportError, httpx.DecodingError, httpx.StreamError) as exc:
        raise StreamInterrupted(
            f"the stream broke after {received} events ({_why(exc)})",
            hint="try again; a flaky network or proxy can cut long streams",
        ) from None
    raise StreamInterrupted(
        f"the stream ended after {received} events without its end marker",
        hint="the answer may be incomplete; try again",
    )


def _why(exc: httpx.HTTPError | httpx.StreamError) -> str:
    text = str(exc).strip()
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection closed by the server"
    if isinstance(exc, httpx.ReadError):
        return "connection reset"
    return text or type(exc).__name__


def _decode(data: str) -> dict[str, Any]:
    try:
        payload = json.loads(data)
    except ValueError:
        raise ServerError(
            f"the stream carried an unreadable event: {data[:80]!r}",
            hint="try again; if it persists, rerun with --debug and report it",
        ) from None
    if not isinstance(payload, dict):
        raise ServerError(f"the stream carried an unexpected event: {data[:80]!r}")
    return payload


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


def _not_a_stream(response: httpx.Response) -> ServerError:
    try:
        body = response.read()
    except (httpx.TransportError, httpx.DecodingError, httpx.StreamError):
        body = b""  # the message can do without the body
    parsed = parse_error_body(response.status_code, response.headers.get("content-type", ""), body)
    return ServerError(
        f"expected an event stream but got {response.headers.get('content-type', 'no type')}: "
        f"{parsed.message}",
        hint="check MISTRAL_BASE_URL and any proxy in between",
    )
