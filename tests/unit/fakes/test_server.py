"""Loopback server specifics: raw HTTP framing, connection handling, stopping."""

import socket
import threading
import time

import httpx
import pytest

from tests.fakes import FakeMistral, Fault
from tests.fakes.server import FakeServer
from tests.unit.fakes.helpers import CHAT, chat_body


def raw_exchange(server: FakeServer, payload: bytes) -> bytes:
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_base_url_is_loopback(fake_server: FakeServer) -> None:
    assert fake_server.base_url.startswith("http://127.0.0.1:")


def test_bad_request_line_is_400(fake_server: FakeServer) -> None:
    assert raw_exchange(fake_server, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400 ")


def test_connection_close_and_exact_json_framing(
    fake: FakeMistral, fake_server: FakeServer
) -> None:
    request = (
        "GET /v1/models/mistral-embed HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {fake.api_key}\r\nConnection: close\r\n\r\n"
    ).encode()
    head, _, body = raw_exchange(fake_server, request).partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert int(headers["content-length"]) == len(body)
    assert headers["content-type"] == "application/json"
    assert len(headers["x-request-id"]) == 32


def test_expect_100_continue(fake: FakeMistral, fake_server: FakeServer) -> None:
    body = b'{"model": "mistral-embed", "input": "x"}'
    request = (
        f"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {fake.api_key}\r\n"
        f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    answer = raw_exchange(fake_server, request)
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")


def test_streams_use_chunked_encoding(fake: FakeMistral, fake_server: FakeServer) -> None:
    body = httpx.Request("POST", "http://x", json=chat_body(stream=True)).read()
    request = (
        f"POST {CHAT} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {fake.api_key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
    answer = raw_exchange(fake_server, request)
    assert b"\r\ntransfer-encoding: chunked\r\n" in answer
    assert answer.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n")


def test_keep_alive_serves_many_requests_per_connection(
    fake: FakeMistral, fake_server: FakeServer
) -> None:
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    with httpx.Client(
        base_url=fake_server.base_url, headers=headers, limits=httpx.Limits(max_connections=1)
    ) as c:
        for _ in range(5):
            assert c.get("/v1/models").status_code == 200
    assert len(fake.requests) == 5


def test_stopping_ends_a_hang_at_once(fake: FakeMistral) -> None:
    server = FakeServer(fake)
    fake.inject("*", Fault.hang(60))
    errors: list[BaseException] = []

    def call() -> None:
        try:
            httpx.get(
                f"{server.base_url}/v1/models",
                headers={"Authorization": f"Bearer {fake.api_key}"},
                timeout=30,
            )
        except httpx.HTTPError as error:
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    while not fake.requests:
        time.sleep(0.01)
    server.stop()
    caller.join(timeout=30)
    assert not caller.is_alive()  # well before the 60 s hang would have ended
    assert [type(e) for e in errors] == [httpx.RemoteProtocolError]
    server.stop()  # idempotent


def test_validation_can_be_switched_off_for_benchmarks(
    fake: FakeMistral, client: httpx.Client
) -> None:
    fake.validate = False
    assert client.post(CHAT, json=chat_body(seed=1)).status_code == 200


@pytest.mark.parametrize(
    "path", ["/v1/models/ft%3Aministral-8b-latest%3A7d1e40aa%3A20260801%3Aa1b2c3d4"]
)
def test_percent_encoded_paths_are_decoded(client: httpx.Client, path: str) -> None:
    assert client.get(path).json()["type"] == "fine-tuned"
