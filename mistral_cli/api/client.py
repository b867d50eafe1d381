"""ApiClient: the one HTTP client (auth, timeouts, retries, Retry-After, errors, SSE)."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import orjson

from mistral_cli import __version__
from mistral_cli.api import body as bodies
from mistral_cli.api import network, parse, trace
from mistral_cli.api.deadline import Deadline
from mistral_cli.api.errors import (
    ApiError,
    NetworkError,
    RateLimited,
    ServerError,
    StreamInterrupted,
    error_class,
    parse_error_body,
)
from mistral_cli.api.hints import request_id as _request_id
from mistral_cli.api.hints import status_hint
from mistral_cli.api.limits import ACCEPT_ENCODING, ERROR_BODY
from mistral_cli.api.redirect import redirect_error
from mistral_cli.api.retry import RETRY_STATUSES, RetryPolicy, retry_after
from mistral_cli.api.sse import iter_events
from mistral_cli.api.watchdog import Expired, Watchdog
from mistral_cli.errors import redact
from mistral_cli.values import counted

if TYPE_CHECKING:  # pydantic loads with the first typed answer (send): chat needs none
    import ssl

    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")
Notify = Callable[[str], None]
DEFAULT_READ = 300.0  # non-streaming answers can take minutes (API.md §5)
DEFAULT_STREAM_IDLE = 120.0


def _ignore(_: str) -> None:
    """Default notifier: say nothing."""


@functools.cache
def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The verifying TLS context, built once per process and shared by every transport.

    The CA bundle given, else httpx's own default (SSL_CERT_FILE or SSL_CERT_DIR from the
    environment, else certifi). Passed to httpx as an SSLContext, it is also what the proxy
    mounts use: left to httpx, each proxy variable would load the CA store again (~20 ms each).
    """
    return network.ssl_context(ca_bundle) if ca_bundle else httpx.create_ssl_context()


class ApiClient:
    """Sends requests to the Mistral API; transport, sleep and rand are the test seams."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout: float | None = None,
        connect_timeout: float = 10.0,
        total_timeout: float | None = None,
        ca_bundle: str | None = None,
        max_retries: int = 4,
        key_source: str = "MISTRAL_API_KEY",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Notify = _ignore,
        on_warning: Notify = _ignore,
        trace: Notify | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.key_source = key_source
        self.policy = RetryPolicy(max_retries=max_retries)
        self._read = timeout
        self._connect = connect_timeout
        self._total = total_timeout
        self.ca_bundle = ca_bundle
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self._on_retry = on_retry
        self._on_warning = on_warning
        self._trace = None if trace is None else _redacting(trace, api_key)
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {api_key}",
                "User-Agent": f"mistral-cli/{__version__}",
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,  # only codings body.py inflates step by step
            },
            timeout=self._timeout(stream=False),
            transport=transport,
            # TLS only for https:// (redirects are off); an injected transport verifies itself
            verify=tls_context(ca_bundle)
            if transport is None and self.base_url.startswith("https:")
            else False,
            follow_redirects=False,
            event_hooks={"response": [_stop_at_redirects]},
        )

    # ------------------------------------------------------------ public API

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:  # noqa: ANN401  # raw JSON edge
        """GET a JSON document."""
        return self.request("GET", path, params=params)

    def send(
        self,
        method: str,
        path: str,
        *,
        into: type[M],
        body: BaseModel | Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> M:
        """Send a request (a schema body goes without its None fields) and read the answer.

        The answer is read leniently into `into`; what it truly lacks raises UnexpectedAnswer
        (exit 1). With --debug, skipped list items are noted and an unexpected body is shown.
        """
        from pydantic import BaseModel

        payload = (
            body.model_dump(mode="json", exclude_none=True) if isinstance(body, BaseModel) else body
        )
        answer = self.request(
            method,
            path,
            json_body=payload,
            params=params,
            files=files,
            data=data,
            read_timeout=read_timeout,
        )
        return parse.answer(into, answer, where=f"{method} {path}", note=self._trace)

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
        deadline = self._deadline()
        response = self._send(request, stream=True, deadline=deadline)
        idle = self._timeout(stream=True).read
        watchdog = Watchdog(deadline, idle).watch(response)
        events = 0
        try:
            for payload in iter_events(response, idle=idle, watchdog=watchdog):
                events += 1
                yield payload
                if deadline.expired():
                    raise deadline.error(streaming=True, events=events)
        except StreamInterrupted:
            if deadline.near():
                raise deadline.error(streaming=True, events=events) from None
            raise
        finally:
            watchdog.stop()
            response.close()

    @contextmanager
    def download(self, path: str) -> Iterator[Iterator[bytes]]:
        """Stream a binary body (file downloads) with retries before the first byte."""
        request = self._http.build_request("GET", path, headers={"Accept": "*/*"})
        deadline = self._deadline()
        response = self._send(request, stream=True, deadline=deadline)
        watchdog = Watchdog(deadline).watch(response)
        try:
            yield _guarded(bodies.decoded(response, watchdog), deadline)
        finally:
            watchdog.stop()
            response.close()

    def close(self) -> None:
        """Release connections."""
        self._http.close()

    # ------------------------------------------------------------ internals

    def _timeout(self, *, stream: bool, read: float | None = None) -> httpx.Timeout:
        default = DEFAULT_STREAM_IDLE if stream else DEFAULT_READ
        chosen = read if read is not None else (self._read if self._read is not None else default)
        return httpx.Timeout(connect=self._connect, read=chosen, write=30.0, pool=self._connect)

    def _deadline(self) -> Deadline:
        return Deadline(self._total, self._clock)

    def _send(
        self, request: httpx.Request, *, stream: bool, deadline: Deadline | None = None
    ) -> httpx.Response:
        """Send with retries within the overall deadline; return a 2xx response or raise.

        With stream=False the answer comes back read (capped and decompressed step by step,
        inside the retry loop as a cut body may be retried); with stream=True it comes back
        unread, for the caller to read under its own watchdog.
        """
        deadline = deadline or self._deadline()
        base = dict(request.extensions.get("timeout") or self._timeout(stream=stream).as_dict())
        slept = 0.0
        retry = 0
        while True:
            request.extensions["timeout"] = {k: deadline.cap(v) for k, v in base.items() if v}
            started = self._clock()
            if self._trace is not None:
                trace.request(self._trace, request)
            try:
                response = self._attempt(request, stream=stream, deadline=deadline)
            except httpx.TransportError as exc:
                delay, reason = self._transport_retry(exc, request, deadline, retry)
            else:
                if self._trace is not None:
                    trace.response(self._trace, response, self._clock() - started)
                if response.status_code < 300:
                    self._check_deprecation(response)
                    return response
                if response.status_code < 400:
                    raise redirect_error(response, self.base_url)
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
            left = deadline.remaining()
            if left is not None and delay >= left:
                raise deadline.error()
            retry += 1
            self._on_retry(
                f"mistral: retrying in {delay:.1f} s ({reason}, retry {retry} of "
                f"{self.policy.max_retries})"
            )
            self._sleep(delay)
            slept += delay

    def _attempt(
        self, request: httpx.Request, *, stream: bool, deadline: Deadline
    ) -> httpx.Response:
        """One try: the response (read when stream=False and 2xx); transport errors raise."""
        try:
            response = self._http.send(request, stream=True)
            if response.status_code >= 400:  # at most ERROR_BODY of it
                response = self._load(response, deadline, limit=ERROR_BODY)
            elif not stream and response.status_code < 300:
                response = self._load(response, deadline)
        except _Redirected as redirected:
            return redirected.response
        except Expired:
            raise deadline.error() from None
        except httpx.TransportError:
            raise
        except httpx.RequestError as exc:  # a broken encoding, a bad URL: never retried
            raise NetworkError(f"the request failed: {type(exc).__name__}: {exc}") from None
        return response

    def _transport_retry(
        self, exc: httpx.TransportError, request: httpx.Request, deadline: Deadline, retry: int
    ) -> tuple[float, str]:
        """The backoff before retrying after a transport failure, or the error to stop with."""
        if deadline.expired() or (isinstance(exc, httpx.TimeoutException) and deadline.near()):
            raise deadline.error() from None
        failure = network.describe(exc, request, ca_bundle=self.ca_bundle)
        if not network.retryable(exc, request) or retry >= self.policy.max_retries:
            raise failure from None
        return self.policy.backoff(retry, self._rand), network.reason(exc)

    def _load(
        self, response: httpx.Response, deadline: Deadline, *, limit: int | None = None
    ) -> httpx.Response:
        """The response with its body read: a JSON answer whole (capped), else a prefix."""
        watchdog = Watchdog(deadline).watch(response)
        try:
            if limit is None:
                content = bodies.read_json_body(response, watchdog)
            else:
                content = bodies.read_prefix(response, watchdog, limit)
        finally:
            watchdog.stop()
            response.close()
        return bodies.loaded(response, content)

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
        body = response.content  # read by _attempt, at most ERROR_BODY
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
            hint=status_hint(
                status,
                attempts=attempts,
                wait=wait,
                path=response.request.url.path,
                key_source=self.key_source,
            ),
            attempts=attempts,
        )

    def _check_deprecation(self, response: httpx.Response) -> None:
        stamp = response.headers.get("x-model-deprecation-timestamp")
        if stamp:
            with self._lock:
                if stamp in self._warned:
                    return
                self._warned.add(stamp)
            self._on_warning(f"mistral: warning: this model is deprecated (retires {stamp})")


class _Redirected(Exception):  # a 3xx carried past httpx; never leaves _attempt
    """A 3xx answer: raised before httpx parses its Location (it raises on a hostile one)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _stop_at_redirects(response: httpx.Response) -> None:
    """A response hook for httpx: hand any 3xx back unread, for redirect_error to explain."""
    if 300 <= response.status_code < 400:
        raise _Redirected(response)


def _redacting(trace: Notify, api_key: str) -> Notify:
    """A trace callback that scrubs the key (and every registered secret) from each line."""

    def write(line: str) -> None:
        trace(redact(redact(line, (api_key,))))

    return write


def _guarded(chunks: Iterator[bytes], deadline: Deadline) -> Iterator[bytes]:
    try:
        for chunk in chunks:
            yield chunk
            if deadline.expired():
                raise deadline.error()
    except Expired:
        raise deadline.error() from None
    except httpx.TransportError as exc:
        raise NetworkError(f"the download broke: {network.reason(exc)}") from None
    except (httpx.DecodingError, httpx.StreamError) as exc:
        raise NetworkError(f"the download broke: {type(exc).__name__}") from None


def _decode(response: httpx.Response) -> Any:  # noqa: ANN401  # raw JSON edge
    body = response.content
    if not body:
        return None
    try:
        return orjson.loads(body)  # ~9x faster than json on embedding vectors
    except ValueError:
        raise ServerError(
            f"the server sent an unreadable answer (HTTP {response.status_code}, "
            f"{counted(len(body), 'byte')} of "
            f"{response.headers.get('content-type', 'unknown type')})",
            status=response.status_code,
            request_id=_request_id(response),
            hint="try again; if it persists, rerun with --debug and report it",
        ) from None
