"""Every scripted fault, through both adapters (MockTransport and the loopback server)."""

import time
from typing import Any

import httpx
import pytest

from tests.fakes import FakeMistral, Fault, Reply
from tests.unit.fakes.helpers import CHAT, EMBED, chat_body, embed_body, sse_payloads

STATUS_BODIES = [
    (400, "Invalid request", "invalid_request_error", None),
    (403, "Forbidden", "forbidden", None),
    (500, "Internal server error", "internal_server_error", None),
    (502, "Bad gateway", "bad_gateway", None),
    (503, "Service unavailable", "service_unavailable", None),
    (504, "Gateway timeout", "gateway_timeout", None),
    (418, "I'm a Teapot", "api_error", None),
]


@pytest.mark.parametrize(("status", "message", "type_", "code"), STATUS_BODIES)
def test_status_default_bodies(
    fake: FakeMistral, client: httpx.Client, status: int, message: str, type_: str, code: str | None
) -> None:
    fake.inject(f"POST {CHAT}", Fault.status(status))
    answer = client.post(CHAT, json=chat_body())
    assert answer.status_code == status
    assert answer.json() == {
        "object": "error",
        "message": message,
        "type": type_,
        "param": None,
        "code": code,
        "request_id": answer.headers["x-request-id"],
    }
    assert client.post(CHAT, json=chat_body()).status_code == 200


def test_status_401_and_422_defaults(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject("*", Fault.status(401))
    fake.inject("*", Fault.status(422))
    unauthorized = client.get("/v1/models")
    assert unauthorized.json() == {
        "message": "Unauthorized",
        "request_id": unauthorized.headers["x-request-id"],
    }
    invalid = client.get("/v1/models")
    assert invalid.status_code == 422
    assert invalid.json()["message"]["detail"][0]["loc"] == ["body"]


def test_status_with_custom_body_and_headers(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject("*", Fault.status(400, {"detail": "nope"}, {"x-extra": "1"}))
    fake.inject("*", Fault.status(500, b"plain text"))
    first = client.get("/v1/models")
    assert (first.status_code, first.json(), first.headers["x-extra"]) == (
        400,
        {"detail": "nope"},
        "1",
    )
    assert client.get("/v1/models").content == b"plain text"


@pytest.mark.parametrize("retry_after", ["2", "Wed, 21 Oct 2026 07:28:00 GMT", None])
def test_rate_limited(fake: FakeMistral, client: httpx.Client, retry_after: str | None) -> None:
    fake.inject(f"POST {EMBED}", Fault.rate_limited(retry_after))
    answer = client.post(EMBED, json=embed_body("x"))
    assert answer.status_code == 429
    assert answer.headers.get("retry-after") == retry_after
    body = answer.json()
    del body["request_id"]
    assert body == {
        "object": "error",
        "message": "Requests rate limit exceeded",
        "type": "rate_limited",
        "param": None,
        "code": "1300",
    }
    assert fake.embeddings.batches == []  # the handler never ran


def test_html_error_page(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject("*", Fault.html(502))
    answer = client.get("/v1/models")
    assert (answer.status_code, answer.headers["content-type"]) == (502, "text/html")
    assert "<title>502 Bad Gateway</title>" in answer.text
    assert "nginx" in answer.text


def test_malformed_json(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject("*", Fault.malformed())
    fake.inject("*", Fault.malformed(status=500))
    answer = client.post(CHAT, json=chat_body())
    assert answer.status_code == 200
    assert answer.text.startswith('{"id":')
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        answer.json()
    assert client.get("/v1/models").status_code == 500


def test_malformed_stream_breaks_the_first_event(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject("*", Fault.malformed())
    raw = client.post(CHAT, json=chat_body(stream=True)).content
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        sse_payloads(raw)
    assert raw.endswith(b"data: [DONE]\n\n")


def read_events(
    client: httpx.Client, body: dict[str, Any]
) -> tuple[list[str], BaseException | None]:
    """Read a stream line by line; return the data lines received and the error that ended it."""
    lines: list[str] = []
    try:
        with client.stream("POST", CHAT, json=body) as answer:
            for line in answer.iter_lines():
                if line:
                    lines.append(line)
    except httpx.HTTPError as error:
        return lines, error
    return lines, None


def test_drop_stream_mid_iteration(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.append(Reply(text="a" * 40, chunk_size=4))
    fake.inject(f"POST {CHAT}", Fault.drop_stream(after_events=3))
    lines, error = read_events(client, chat_body(stream=True))
    assert isinstance(error, httpx.RemoteProtocolError)
    assert len(lines) == 3
    assert "[DONE]" not in lines[-1]


def test_drop_a_json_body_midway(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject(f"POST {EMBED}", Fault.drop_stream())
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(EMBED, json=embed_body("x"))


def test_drop_after_every_event_is_a_misuse(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject(f"POST {CHAT}", Fault.drop_stream(after_events=99))
    assert client.post(CHAT, json=chat_body(stream=True)).content.endswith(b"[DONE]\n\n")
    assert "only 3 events" in str(fake.errors.pop())


def test_no_done(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject(f"POST {CHAT}", Fault.no_done())
    lines, error = read_events(client, chat_body(stream=True))
    assert error is None
    assert lines
    assert all("[DONE]" not in line for line in lines)


def test_error_event_mid_stream(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.append(Reply(text="abcdefgh", chunk_size=2))
    fake.inject(f"POST {CHAT}", Fault.error_event(after_events=2, message="Upstream failed"))
    payloads = sse_payloads(client.post(CHAT, json=chat_body(stream=True)).content)
    assert payloads[2:] == [
        {
            "object": "error",
            "message": "Upstream failed",
            "type": "internal_error",
            "param": None,
            "code": None,
        },
        "[DONE]",
    ]
    assert payloads[1]["choices"][0]["delta"] == {"content": "ab"}


def test_slow_delays_every_chunk(fake: FakeMistral, client: httpx.Client) -> None:
    fake.chat.replies.append(Reply(text="abcd", chunk_size=2))  # 3 events + [DONE]
    fake.inject(f"POST {CHAT}", Fault.slow(0.05))
    fake.inject(f"POST {EMBED}", Fault.slow(0.05))
    started = time.monotonic()
    lines, error = read_events(client, chat_body(stream=True))
    assert error is None
    assert len(lines) == 4
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    assert client.post(EMBED, json=embed_body("x")).status_code == 200
    assert time.monotonic() - started >= 0.05


def test_slow_beyond_the_read_timeout_times_out(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject(f"POST {CHAT}", Fault.slow(0.5))
    timeout = httpx.Timeout(5, read=0.1)
    with (
        client.stream("POST", CHAT, json=chat_body(stream=True), timeout=timeout) as answer,
        pytest.raises(httpx.ReadTimeout),
    ):
        answer.read()


def test_hang_longer_than_the_read_timeout(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject("*", Fault.hang(30))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):  # the hang ended first would be RemoteProtocolError
        client.get("/v1/models", timeout=httpx.Timeout(5, read=0.2))
    assert time.monotonic() - started >= 0.15  # waited for the read timeout, however busy
    assert client.get("/v1/models").status_code == 200


def test_hang_shorter_than_the_read_timeout_then_closes(
    fake: FakeMistral, client: httpx.Client
) -> None:
    fake.inject("*", Fault.hang(0.1))
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        client.get("/v1/models", timeout=httpx.Timeout(5, read=2))


def test_faults_on_a_concrete_path(fake: FakeMistral, client: httpx.Client) -> None:
    fake.inject("GET /v1/models/mistral-embed", Fault.status(503))
    assert client.get("/v1/models/codestral-embed").status_code == 200
    assert client.get("/v1/models/mistral-embed").status_code == 503


def test_chunked_request_bodies_are_read(fake: FakeMistral, client: httpx.Client) -> None:
    parts = [b'{"model": "mistral-embed", ', b'"input": ["x"]}']
    answer = client.post(EMBED, content=iter(parts), headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert fake.requests[-1].body == b"".join(parts)


def test_the_adapters_pass_query_and_headers(fake: FakeMistral, client: httpx.Client) -> None:
    client.get(
        "/v1/models", params={"provider": "mistral", "x": ["1", "2"]}, headers={"X-Trace": "t1"}
    )
    recorded = fake.requests[-1]
    assert recorded.query == {"provider": ["mistral"], "x": ["1", "2"]}
    assert recorded.headers["x-trace"] == "t1"
    assert recorded.headers["authorization"] == f"Bearer {fake.api_key}"


def test_401_through_the_adapter(fake: FakeMistral, client: httpx.Client) -> None:
    answer = client.get("/v1/models", headers={"Authorization": "Bearer sk-nope"})
    assert answer.status_code == 401
    assert answer.json()["request_id"] == answer.headers["x-request-id"]
