from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from mistral_cli.api.client import ApiClient
from mistral_cli.api.errors import (
    AuthenticationError,
    NetworkError,
    RateLimited,
    RequestRejected,
    ServerError,
    StreamInterrupted,
)
from tests.support import TEST_KEY, Sleeps

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def client(handler: Handler, **kwargs: object) -> tuple[ApiClient, Sleeps, list[str], list[str]]:
    sleeps = Sleeps()
    notices: list[str] = []
    traces: list[str] = []
    api = ApiClient(
        api_key=TEST_KEY,
        base_url="https://api.example.test/",
        transport=httpx.MockTransport(handler),
        sleep=sleeps,
        rand=lambda: 0.5,
        on_retry=notices.append,
        on_warning=notices.append,
        trace=traces.append,
        **kwargs,  # type: ignore[arg-type]
    )
    return api, sleeps, notices, traces


def ok(body: object = None, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"ok": True}, headers=headers)


def err(status: int, body: object = None, **headers: str) -> httpx.Response:
    payload = body if body is not None else {"object": "error", "message": f"boom {status}"}
    return httpx.Response(status, json=payload, headers=headers)


def test_headers_and_base_url() -> None:
    handler, seen = scripted(ok())
    api, *_ = client(handler)
    assert api.get("/v1/models") == {"ok": True}
    request = seen[0]
    assert str(request.url) == "https://api.example.test/v1/models"
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert request.headers["user-agent"].startswith("mistral-cli/")


def test_429_twice_then_success() -> None:
    handler, seen = scripted(err(429), err(429, **{"retry-after": "2"}), ok())
    api, sleeps, notices, _ = client(handler)
    assert api.get("/v1/models") == {"ok": True}
    assert len(seen) == 3
    assert sleeps.calls == [0.25, 2.0]  # jittered backoff, then Retry-After wins
    assert notices == [
        "mistral: retrying in 0.2 s (HTTP 429, retry 1 of 4)",
        "mistral: retrying in 2.0 s (HTTP 429, retry 2 of 4)",
    ]


def test_500_forever_gives_up_after_the_retries() -> None:
    handler, seen = scripted(err(500))
    api, sleeps, _, _ = client(handler)
    with pytest.raises(ServerError) as caught:
        api.get("/v1/models")
    assert len(seen) == 5
    assert len(sleeps.calls) == 4
    assert caught.value.exit_code == 1
    assert "gave up after 5 attempts" in (caught.value.hint or "")


def test_max_retries_zero_means_one_attempt() -> None:
    handler, seen = scripted(err(503))
    api, *_ = client(handler, max_retries=0)
    with pytest.raises(ServerError):
        api.get("/x")
    assert len(seen) == 1


def test_retry_after_past_budget_stops_and_says_how_long() -> None:
    handler, seen = scripted(err(429, **{"retry-after": "600"}))
    api, sleeps, _, _ = client(handler)
    with pytest.raises(RateLimited) as caught:
        api.get("/x")
    assert len(seen) == 1
    assert sleeps.calls == []
    assert "wait 600 s" in (caught.value.hint or "")
    assert caught.value.exit_code == 5


@pytest.mark.parametrize("status", [400, 404, 409, 413, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    handler, seen = scripted(err(status))
    api, *_ = client(handler)
    with pytest.raises(RequestRejected) as caught:
        api.request("POST", "/v1/chat/completions", json_body={"a": 1})
    assert len(seen) == 1
    assert caught.value.status == status
    assert caught.value.exit_code == 4


def test_401_names_key_source_never_the_key() -> None:
    handler, _ = scripted(err(401, {"message": "Unauthorized", "request_id": "req-9"}))
    api, *_ = client(handler, key_source=".env (MISTRAL_API_KEY)")
    with pytest.raises(AuthenticationError) as caught:
        api.get("/v1/models")
    error = caught.value
    assert error.message == "the API rejected the key (HTTP 401, request req-9)"
    assert ".env (MISTRAL_API_KEY)" in (error.hint or "")
    assert TEST_KEY not in error.message + (error.hint or "")


def test_error_message_carries_code_and_request_id_header() -> None:
    body = {"object": "error", "message": "Too many tokens overall.", "code": "3210"}
    handler, _ = scripted(err(400, body, **{"x-request-id": "abc123"}))
    api, *_ = client(handler)
    with pytest.raises(RequestRejected) as caught:
        api.get("/x")
    assert caught.value.message == "Too many tokens overall (HTTP 400, code 3210, request abc123)"
    assert caught.value.code == "3210"


def test_connect_errors_are_retried_then_network_error() -> None:
    handler, seen = scripted(httpx.ConnectError("[Errno 111] Connection refused"))
    api, _sleeps, notices, _ = client(handler)
    with pytest.raises(NetworkError) as caught:
        api.get("/x")
    assert len(seen) == 5
    assert "connection refused" in caught.value.message
    assert "api.example.test" in caught.value.message
    assert caught.value.exit_code == 6
    assert "connection refused" in notices[0]


def test_post_read_timeout_is_not_retried() -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"))
    api, *_ = client(handler)
    with pytest.raises(NetworkError, match="read timeout"):
        api.request("POST", "/v1/chat/completions", json_body={})
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("failure", "sent"),
    [
        # nothing came back: the request was not processed, sending it again is safe
        ("Server disconnected without sending a response.", 2),
        # the answer was on its way: the work was done (and billed), so never again
        ("peer closed connection without sending complete message body (received 1 bytes)", 1),
    ],
)
def test_a_post_is_retried_only_when_nothing_came_back(failure: str, sent: int) -> None:
    handler, seen = scripted(httpx.RemoteProtocolError(failure), ok())
    api, *_ = client(handler)
    if sent == 2:
        assert api.request("POST", "/v1/chat/completions", json_body={}) == {"ok": True}
    else:
        with pytest.raises(NetworkError):
            api.request("POST", "/v1/chat/completions", json_body={})
    assert len(seen) == sent


def test_get_read_timeout_is_retried() -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), ok())
    api, *_ = client(handler)
    assert api.get("/x") == {"ok": True}
    assert len(seen) == 2


def test_proxy_is_named_in_network_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pw@proxy.corp:3128")
    handler, _ = scripted(httpx.ConnectError("refused"))
    api, *_ = client(handler, max_retries=0)
    with pytest.raises(NetworkError) as caught:
        api.get("/x")
    assert "via proxy http://proxy.corp:3128" in caught.value.message
    assert "pw" not in caught.value.message


def test_unreadable_success_body() -> None:
    handler, _ = scripted(httpx.Response(200, content=b"<html>oops"))
    api, *_ = client(handler)
    with pytest.raises(ServerError, match="unreadable answer"):
        api.get("/x")


def test_debug_trace_redacts_the_key() -> None:
    handler, _ = scripted(ok(**{"x-ratelimit-remaining-req-minute": "9"}))
    api, _, _, traces = client(handler)
    api.request("POST", "/v1/chat/completions", json_body={"model": "m"})
    text = "\n".join(traces)
    assert TEST_KEY not in text
    assert "authorization: Bearer ***" in text
    assert "→ POST https://api.example.test/v1/chat/completions" in text
    assert "x-ratelimit-remaining-req-minute: 9" in text


def test_deprecation_header_warns_once() -> None:
    handler, _ = scripted(ok(**{"x-model-deprecation-timestamp": "2026-08-31"}))
    api, _, notices, _ = client(handler)
    api.get("/a")
    api.get("/b")
    assert notices == ["mistral: warning: this model is deprecated (retires 2026-08-31)"]


# ---------------------------------------------------------------- streams


def sse(*events: str) -> bytes:
    return "".join(f"data: {e}\n\n" for e in events).encode()


def stream_response(body: bytes | Iterator[bytes], status: int = 200) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": "text/event-stream"}, content=body)


def chunk(text: str) -> str:
    return json.dumps(
        {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    )


def test_stream_yields_payloads_until_done() -> None:
    body = b": keep-alive\r\n\r\n" + sse(chunk("Hel"), chunk("lo"), "[DONE]")
    handler, seen = scripted(stream_response(body))
    api, *_ = client(handler)
    events = list(api.stream_events("/v1/chat/completions", {"stream": True}))
    assert [e["choices"][0]["delta"]["content"] for e in events] == ["Hel", "lo"]
    assert seen[0].headers["accept"] == "text/event-stream"


def test_stream_without_done_is_interrupted() -> None:
    handler, _ = scripted(stream_response(sse(chunk("Hel"))))
    api, *_ = client(handler)
    got: list[dict[str, object]] = []
    with pytest.raises(StreamInterrupted, match="without its end marker") as caught:
        got.extend(api.stream_events("/v1/chat/completions", {}))
    assert len(got) == 1
    assert caught.value.exit_code == 6


def test_stream_dropped_midway() -> None:
    def body() -> Iterator[bytes]:
        yield sse(chunk("a"))
        raise httpx.RemoteProtocolError("peer closed connection")

    handler, _ = scripted(stream_response(body()))
    api, *_ = client(handler)
    got: list[dict[str, object]] = []
    with pytest.raises(StreamInterrupted, match="broke after 1 event"):
        got.extend(api.stream_events("/v1/chat/completions", {}))
    assert len(got) == 1


def test_error_event_mid_stream() -> None:
    body = sse(chunk("a"), json.dumps({"object": "error", "message": "overloaded", "type": "x"}))
    handler, _ = scripted(stream_response(body))
    api, *_ = client(handler)
    with pytest.raises(ServerError, match="mid-stream: overloaded"):
        list(api.stream_events("/v1/chat/completions", {}))


def test_stream_retried_before_first_byte() -> None:
    handler, seen = scripted(err(503), stream_response(sse(chunk("x"), "[DONE]")))
    api, *_ = client(handler)
    assert len(list(api.stream_events("/v1/chat/completions", {}))) == 1
    assert len(seen) == 2


def test_json_instead_of_stream() -> None:
    handler, _ = scripted(ok({"message": "not a stream"}))
    api, *_ = client(handler)
    with pytest.raises(ServerError, match="expected an event stream"):
        list(api.stream_events("/v1/chat/completions", {}))


def test_download_streams_bytes() -> None:
    handler, _ = scripted(httpx.Response(200, content=b"abc" * 10))
    api, *_ = client(handler)
    with api.download("/v1/files/f/content") as chunks:
        assert b"".join(chunks) == b"abc" * 10
