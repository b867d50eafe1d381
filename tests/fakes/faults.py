"""FakeMistral's scripted faults: error statuses, rate limits, broken bodies and streams."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes.wire import (
    JSON_TYPE,
    SSE_DONE,
    Chunk,
    Drop,
    FakeRequest,
    FakeResponse,
    Hang,
    Response,
    StreamResponse,
    api_error,
    dumps,
    error_payload,
    sse_event,
    status_phrase,
)

# status → (message, type, code) of the default JSON error body
_DEFAULT_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request", "invalid_request_error", None),
    402: ("Payment required: no payment method on this workspace", "payment_required", None),
    403: ("Forbidden", "forbidden", None),
    404: ("Not found", "not_found", None),
    409: ("Conflict", "conflict", None),
    413: ("Request entity too large", "invalid_request_error", None),
    429: ("Requests rate limit exceeded", "rate_limited", "1300"),
    500: ("Internal server error", "internal_server_error", None),
    502: ("Bad gateway", "bad_gateway", None),
    503: ("Service unavailable", "service_unavailable", None),
    504: ("Gateway timeout", "gateway_timeout", None),
}
_NGINX_PAGE = (
    "<html>\r\n<head><title>{0} {1}</title></head>\r\n<body>\r\n"
    "<center><h1>{0} {1}</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class FaultMisuse(AssertionError):
    """A fault was scripted where it cannot apply (e.g. `no_done` on a JSON response)."""


def default_error(request: FakeRequest, status: int) -> FakeResponse:
    """Return a realistic JSON error for `status` (401: the gateway's shape; 422: a detail list)."""
    if status == 401:
        body: dict[str, object] = {"message": "Unauthorized", "request_id": request.request_id}
        return FakeResponse(401, {"content-type": JSON_TYPE}, dumps(body))
    if status == 422:
        detail = [{"type": "value_error", "loc": ["body"], "msg": "Value error, invalid request"}]
        return api_error(request, 422, {"detail": detail}, "invalid_request_error")
    fallback = (status_phrase(status), "api_error", None)
    message, type_, code = _DEFAULT_ERRORS.get(status, fallback)
    return api_error(request, status, message, type_, code=code)


class Fault:
    """A scripted misbehaviour; build one with the static constructors, pass it to `fake.inject`.

    `before` may replace the whole answer (the handler then never runs); `after` rewrites the
    handler's answer. Stream faults count SSE events, the first being the role delta.
    """

    def before(self, request: FakeRequest) -> Response | None:
        """Return a response replacing the handler's, or None to let the handler run."""
        return None

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Rewrite the handler's response."""
        return response

    @staticmethod
    def status(
        code: int, body: object = None, headers: dict[str, str] | None = None
    ) -> StatusFault:
        """Answer `code` with `body` (JSON; bytes as-is), by default a realistic Mistral error."""
        return StatusFault(code, body, dict(headers or {}))

    @staticmethod
    def rate_limited(retry_after: str | None = None) -> StatusFault:
        """Answer 429 with Mistral's rate-limit body and, if given, a Retry-After header."""
        headers = {} if retry_after is None else {"retry-after": retry_after}
        return StatusFault(429, None, headers)

    @staticmethod
    def html(code: int = 502) -> StatusFault:
        """Answer `code` with an nginx-style HTML error page (a proxy or gateway failing)."""
        page = _NGINX_PAGE.format(code, status_phrase(code)).encode()
        return StatusFault(code, page, {"content-type": "text/html"})

    @staticmethod
    def malformed(status: int = 200) -> MalformedFault:
        """Answer `status` with the JSON body cut in half (streams: the first event's JSON)."""
        return MalformedFault(code=status)

    @staticmethod
    def drop_stream(after_events: int = 2) -> DropFault:
        """Close the connection after `after_events` SSE events (JSON bodies: halfway through)."""
        return DropFault(after_events)

    @staticmethod
    def no_done() -> NoDoneFault:
        """End the stream cleanly but without `data: [DONE]`."""
        return NoDoneFault()

    @staticmethod
    def slow(delay: float) -> SlowFault:
        """Wait `delay` seconds before every chunk (a JSON body is one chunk)."""
        return SlowFault(delay)

    @staticmethod
    def hang(seconds: float) -> HangFault:
        """Accept the request, send nothing for `seconds`, then close the connection."""
        return HangFault(seconds)

    @staticmethod
    def error_event(
        after_events: int = 1, message: str = "Internal server error"
    ) -> ErrorEventFault:
        """After `after_events` events, send an error payload, then `[DONE]`."""
        return ErrorEventFault(after_events, message)


@dataclass(frozen=True)
class PendingFault:
    """A scripted fault waiting for matching requests."""

    route: str
    fault: Fault
    times: int

    def __str__(self) -> str:
        return f"{self.route}: {self.fault!r} ({self.times} left)"


@dataclass(frozen=True)
class StatusFault(Fault):
    """See `Fault.status`."""

    code: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)

    def before(self, request: FakeRequest) -> Response | None:
        """Replace the answer."""
        if self.body is None:
            default = default_error(request, self.code)
            return FakeResponse(self.code, {**default.headers, **self.headers}, default.body)
        raw = self.body if isinstance(self.body, bytes) else dumps(self.body)
        return FakeResponse(self.code, {"content-type": JSON_TYPE, **self.headers}, raw)


@dataclass(frozen=True)
class HangFault(Fault):
    """See `Fault.hang`."""

    seconds: float

    def before(self, request: FakeRequest) -> Response | None:
        """Replace the answer with silence."""
        return Hang(self.seconds)


@dataclass(frozen=True)
class MalformedFault(Fault):
    """See `Fault.malformed`."""

    code: int

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Truncate the JSON."""
        if isinstance(response, FakeResponse):
            cut = response.body[: max(1, len(response.body) // 2)]
            return FakeResponse(self.code, {**response.headers, "content-type": JSON_TYPE}, cut)
        stream = _stream(response, self)
        first = stream.parts[0]
        assert isinstance(first, Chunk)
        broken = Chunk(
            first.data[: max(7, len(first.data) // 2)].rstrip(b"\n") + b"\n\n", first.delay
        )
        return StreamResponse(self.code, stream.headers, (broken, *stream.parts[1:]))


@dataclass(frozen=True)
class DropFault(Fault):
    """See `Fault.drop_stream`."""

    after_events: int

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Cut the body."""
        if isinstance(response, FakeResponse):
            half = Chunk(response.body[: len(response.body) // 2])
            headers = {**response.headers, "content-length": str(len(response.body))}
            return StreamResponse(response.status, headers, (half, Drop()))
        stream = _stream(response, self)
        if self.after_events >= len(stream.parts):
            raise FaultMisuse(f"{self!r}: the stream has only {len(stream.parts)} events")
        return StreamResponse(
            stream.status, stream.headers, (*stream.parts[: self.after_events], Drop())
        )


@dataclass(frozen=True)
class NoDoneFault(Fault):
    """See `Fault.no_done`."""

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Remove the final `[DONE]` event."""
        stream = _stream(response, self)
        last = stream.parts[-1] if stream.parts else None
        if not isinstance(last, Chunk) or last.data != SSE_DONE:
            raise FaultMisuse(f"{self!r}: the stream does not end with [DONE]")
        return StreamResponse(stream.status, stream.headers, stream.parts[:-1])


@dataclass(frozen=True)
class SlowFault(Fault):
    """See `Fault.slow`."""

    delay: float

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Delay every chunk."""
        if isinstance(response, FakeResponse):
            headers = {**response.headers, "content-length": str(len(response.body))}
            return StreamResponse(response.status, headers, (Chunk(response.body, self.delay),))
        stream = _stream(response, self)
        parts = tuple(
            Chunk(part.data, part.delay + self.delay) if isinstance(part, Chunk) else part
            for part in stream.parts
        )
        return StreamResponse(stream.status, stream.headers, parts)


@dataclass(frozen=True)
class ErrorEventFault(Fault):
    """See `Fault.error_event`."""

    after_events: int
    message: str

    def after(self, request: FakeRequest, response: Response) -> Response:
        """Insert an error payload mid-stream."""
        stream = _stream(response, self)
        error = Chunk(sse_event(error_payload(self.message, "internal_error")))
        parts = (*stream.parts[: self.after_events], error, Chunk(SSE_DONE))
        return StreamResponse(stream.status, stream.headers, parts)


def _stream(response: Response, fault: Fault) -> StreamResponse:
    if not isinstance(response, StreamResponse) or not response.parts:
        raise FaultMisuse(f"{fault!r} needs a streaming response, got {type(response).__name__}")
    return response
