"""ApiClient: the one HTTP client (auth, timeouts, retries, Retry-After, errors, SSE)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import BaseModel

from mistral_cli import __version__
from mistral_cli.api import network
from mistral_cli.api.errors import (
    ApiError,
    NetworkError,
    RateLimited,
    ServerError,
    error_class,
    parse_error_body,
)
from mistral_cli.api.retry import RETRY_STATUSES, RetryPolicy, retry_after
from mistral_cli.api.sse import iter_events

M = TypeVar("M", bound=BaseModel)
Notify = Callable[[str], None]
REQUEST_ID_HEADERS = ("x-request-id", "mistral-correlation-id", "request-id")
DEFAULT_READ = 300.0  # non-streaming answers can take minutes (API.md §5)
DEFAULT_STREAM_IDLE = 120.0


def _ignore(_: str) -> None:
    """Default notifier: say nothing."""


class ApiClient:
    """Sends requests to the Mistral API; transport, sleep and rand are the test seams."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout: float | None = None,
        connect_timeout: float = 10.0,
        max_retries: int = 4,
        key_source: str = "MISTRAL_API_KEY",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        on_retry: Notify = _ignore,
        on_warning: Notify = _ignore,
        trace: Notify | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_source = key_source
        self.policy = RetryPolicy(max_retries=max_retries)
        self._read = timeout
        self._connect = connect_timeout
        self._sleep = sleep
        self._rand = rand
        self._on_retry = on_retry
        self._on_warning = on_warning
        self._trace = trace
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {api_key}",
                "User-Agent": f"mistral-cli/{__version__}",
                "Accept": "application/json",
            },
            timeout=self._timeout(stream=False),
            transport=transport,
            follow_redirects=False,
        )

    # ------------------------------------------------------------ public API

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:  # noqa: ANN401  # raw JSON edge
        """GET a JSON document."""
        return self.request("GET", path, params=params)

    def send(self, method: str, path: str, *, body: BaseModel | None, into: type[M]) -> M:
        """Send a typed request body and parse the answer into a schema model."""
        payload = body.model_dump(mode="json", exclude_none=True) if body is not None else None
        return into.model_validate(self.request(method, path, json_body=payload))

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,  # noqa: ANN401  # raw JSON edge
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> Any:  # noqa: ANN401  # raw JSON edge
        """Send a request with retries and return the decoded JSON answer."""
        request = self._http.build_request(
            method,
            path,
            json=json_body,
            params=params,
            files=files,
            data=data,
            timeout=self._timeout(stream=False, read=read_timeout),
        )
        response = self._send(request, stream=False)
        return _decode(response)

    def stream_events(self, path: str, body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """POST with `stream: true` and yield each SSE JSON payload until `[DONE]`."""
        request = self._http.build_request(
            "POST",
            path,
            json=dict(body),
            headers={"Accept": "text/event-stream"},
            timeout=self._timeout(stream=True),
        )
        response = self._send(request, stream=True)
        try:
            yield from iter_events(response, idle=self._timeout(stream=True).read)
        finally:
            response.close()

    @contextmanager
    def download(self, path: str) -> Iterator[Iterator[bytes]]:
        """Stream a binary body (file downloads) with retries before the first byte."""
        request = self._http.build_request("GET", path, headers={"Accept": "*/*"})
        response = self._send(request, stream=True)
        try:
            yield _guarded(response.iter_bytes())
        finally:
            response.close()

    def close(self) -> None:
        """Release connections."""
        self._http.close()

    # ------------------------------------------------------------ internals

    def _timeout(self, *, stream: bool, read: float | None = None) -> httpx.Timeout:
        default = DEFAULT_STREAM_IDLE if stream else DEFAULT_READ
        chosen = read if read is not None else (self._read if self._read is not None else default)
        return httpx.Timeout(connect=self._connect, read=chosen, write=30.0, pool=self._connect)

    def _send(self, request: httpx.Request, *, stream: bool) -> httpx.Response:
        """Send with retries; return a 2xx response or raise an ApiError."""
        slept = 0.0
        retry = 0
        while True:
            started = time.monotonic()
            self._trace_request(request)
            try:
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                failure = network.describe(exc, request)
                if not network.retryable(exc, request) or retry >= self.policy.max_retries:
                    raise failure from None
                delay, reason = self.policy.backoff(retry, self._rand), network.reason(exc)
            else:
                self._trace_response(response, time.monotonic() - started)
                if response.status_code < 400:
                    self._check_deprecation(response)
                    return response
                if response.status_code not in RETRY_STATUSES or retry >= self.policy.max_retries:
                    raise self._error(response, attempts=retry + 1)
                delay = self._delay(response, retry, slept)
                reason = f"HTTP {response.status_code}"
                response.close()
            if slept + delay > self.policy.budget:
                raise RateLimited(
                    f"the server asks us to wait {delay:.0f} s, past the retry budget",
                    status=429,
                    hint=f"try again in {delay:.0f} s",
                    attempts=retry + 1,
                )
            retry += 1
            self._on_retry(
                f"mistral: retrying in {delay:.1f} s ({reason}, retry {retry} of "
                f"{self.policy.max_retries})"
            )
            self._sleep(delay)
            slept += delay

    def _delay(self, response: httpx.Response, retry: int, slept: float) -> float:
        asked = retry_after(response.headers)
        if asked is None:
            return self.policy.backoff(retry, self._rand)
        if slept + asked > self.policy.budget:
            raise self._error(response, attempts=retry + 1, wait=asked)
        return asked

    def _error(
        self, response: httpx.Response, *, attempts: int, wait: float | None = None
    ) -> ApiError:
        body = response.read()
        response.close()
        status = response.status_code
        parsed = parse_error_body(status, response.headers.get("content-type", ""), body)
        request_id = parsed.request_id or _request_id(response)
        cls = error_class(status)
        details = [f"HTTP {status}"]
        if parsed.code:
            details.append(f"code {parsed.code}")
        if request_id:
            details.append(f"request {request_id}")
        text = "the API rejected the key" if status == 401 else parsed.message.rstrip(".")
        message = f"{text} ({', '.join(details)})"
        return cls(
            message,
            status=status,
            code=parsed.code,
            type=parsed.type,
            request_id=request_id,
            hint=self._hint(status, attempts, wait, response.request),
            attempts=attempts,
        )

    def _hint(self, status: int, attempts: int, wait: float | None, request: httpx.Request) -> str:
        tries = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}"
        if status == 401:
            return f"the key came from {self.key_source}; check it at console.mistral.ai"
        if status == 402:
            return "the account has no active payment method or credit; check console.mistral.ai"
        if status == 403:
            return "this key may not use that model or feature (tier, workspace or guardrail)"
        if status == 404:
            return _not_found_hint(request.url.path)
        if status == 413:
            return "the upload is too large: files must be at most 512 MB"
        if status == 429:
            if wait is not None:
                return f"{tries}; the server asks to wait {wait:.0f} s before trying again"
            return f"{tries}; wait a minute or raise MISTRAL_MAX_RETRIES"
        if status >= 500:
            return f"{tries}; the service may be having trouble, try again shortly"
        return "check the request's parameters (rerun with --debug to see the request)"

    def _check_deprecation(self, response: httpx.Response) -> None:
        stamp = response.headers.get("x-model-deprecation-timestamp")
        if stamp:
            with self._lock:
                if stamp in self._warned:
                    return
                self._warned.add(stamp)
            self._on_warning(f"mistral: warning: this model is deprecated (retires {stamp})")

    def _trace_request(self, request: httpx.Request) -> None:
        if self._trace is None:
            return
        try:
            size = len(request.content)
        except httpx.RequestNotRead:  # multipart uploads stream from disk
            size = 0
        self._trace(f"→ {request.method} {request.url} ({size or 'streamed'} B)")
        for name, value in request.headers.items():
            shown = "Bearer ***" if name.lower() == "authorization" else value
            self._trace(f"  {name}: {shown}")
        if size and size <= 4096 and "json" in request.headers.get("content-type", ""):
            self._trace("  " + request.content.decode("utf-8", errors="replace"))

    def _trace_response(self, response: httpx.Response, elapsed: float) -> None:
        if self._trace is None:
            return
        self._trace(f"← {response.status_code} {response.reason_phrase} in {elapsed:.2f} s")
        for name, value in response.headers.items():
            if name.startswith(("x-ratelimit", "ratelimit", "x-request", "mistral-", "retry-")):
                self._trace(f"  {name}: {value}")


def _guarded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from chunks
    except httpx.TransportError as exc:
        raise NetworkError(f"the download broke: {network.reason(exc)}") from None


def _decode(response: httpx.Response) -> Any:  # noqa: ANN401  # raw JSON edge
    body = response.content
    if not body:
        return None
    try:
        return orjson.loads(body)  # ~9x faster than json on embedding vectors
    except ValueError:
        raise ServerError(
            f"the server sent an unreadable answer (HTTP {response.status_code}, "
            f"{len(body)} bytes of {response.headers.get('content-type', 'unknown type')})",
            status=response.status_code,
            request_id=_request_id(response),
            hint="try again; if it persists, rerun with --debug and report it",
        ) from None


def _request_id(response: httpx.Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


def _not_found_hint(path: str) -> str:
    for prefix, command in (
        ("/v1/models", "mistral models list"),
        ("/v1/fine_tuning", "mistral finetune list"),
        ("/v1/files", "mistral files list"),
        ("/v1/batch", "mistral batch list"),
    ):
        if path.startswith(prefix):
            return f"check the id: `{command}` shows what exists"
    return "check MISTRAL_BASE_URL: the server does not know this route"
