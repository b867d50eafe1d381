"""Serve a FakeMistral in-process through httpx.MockTransport, streams and faults included.

Streamed bodies are real lazy streams: each chunk is yielded after its delay (a delay past
the read timeout raises httpx.ReadTimeout after that timeout), and a `Drop` raises
httpx.RemoteProtocolError mid-iteration, as a cut connection does. A `Hang` waits
min(hang, the request's read timeout) and then raises httpx.ReadTimeout when the read timeout
is the shorter, else httpx.RemoteProtocolError ("Server disconnected without sending a
response"), as the loopback server does once the hang ends. `sleep` is injectable, so tests can
skip real waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, unquote

import httpx

from tests.fakes.router import FakeMistral
from tests.fakes.wire import Chunk, FakeRequest, FakeResponse, Hang, StreamResponse

Sleep = Callable[[float], None]


class FakeStream(httpx.SyncByteStream):
    """A response body yielding the fake's chunks with their delays; a Drop raises."""

    def __init__(self, response: StreamResponse, request: httpx.Request, sleep: Sleep) -> None:
        self._response = response
        self._request = request
        self._sleep = sleep
        self._read_timeout: float | None = _read_timeout(request)

    def __iter__(self) -> Iterator[bytes]:
        for part in self._response.parts:
            if not isinstance(part, Chunk):
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body (fake drop)",
                    request=self._request,
                )
            if self._read_timeout is not None and part.delay >= self._read_timeout:
                self._sleep(self._read_timeout)
                raise httpx.ReadTimeout("timed out (fake slow chunk)", request=self._request)
            if part.delay > 0:
                self._sleep(part.delay)
            yield part.data


def to_fake_request(request: httpx.Request) -> FakeRequest:
    """Convert an httpx request to the fake's neutral form."""
    return FakeRequest(
        method=request.method,
        path=unquote(request.url.path),
        query=parse_qs(request.url.query.decode(), keep_blank_values=True),
        headers={key.lower(): value for key, value in request.headers.items()},
        body=request.read(),
    )


def _read_timeout(request: httpx.Request) -> float | None:
    timeout: float | None = request.extensions.get("timeout", {}).get("read")
    return timeout


def _hang(hang: Hang, request: httpx.Request, sleep: Sleep) -> httpx.Response:
    read_timeout = _read_timeout(request)
    if read_timeout is not None and read_timeout <= hang.seconds:
        sleep(read_timeout)
        raise httpx.ReadTimeout("timed out (fake hang)", request=request)
    sleep(hang.seconds)
    raise httpx.RemoteProtocolError(
        "Server disconnected without sending a response. (fake hang)", request=request
    )


def fake_transport(fake: FakeMistral, *, sleep: Sleep = time.sleep) -> httpx.MockTransport:
    """Return a MockTransport answering every request from `fake`."""

    def handler(request: httpx.Request) -> httpx.Response:
        answer = fake.handle(to_fake_request(request))
        if isinstance(answer, Hang):
            return _hang(answer, request, sleep)
        if isinstance(answer, FakeResponse):
            return httpx.Response(answer.status, headers=answer.headers, content=answer.body)
        stream = FakeStream(answer, request, sleep)
        return httpx.Response(answer.status, headers=answer.headers, stream=stream)

    return httpx.MockTransport(handler)
