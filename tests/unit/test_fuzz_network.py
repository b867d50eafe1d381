"""Timeouts (connect, read, stream idle, total), CA bundles and proxies in the ApiClient."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import httpx
import pytest

from mistral_cli import config
from mistral_cli.api import network
from mistral_cli.api.client import ApiClient
from mistral_cli.api.deadline import Deadline
from mistral_cli.api.errors import NetworkError
from mistral_cli.errors import CliError, ConfigError, ExitCode
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

CHAT = {
    "model": "mistral-small-latest",
    "messages": [{"role": "user", "content": "hi"}],
    "stream": True,
}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_deadline_caps_and_expires() -> None:
    clock = Clock()
    deadline = Deadline(10.0, clock)
    assert deadline.cap(30.0) == 10.0
    clock.now = 9.5
    assert deadline.cap(30.0) == 0.5
    assert not deadline.expired()
    clock.now = 10.0
    assert deadline.expired()
    assert deadline.near()
    error = deadline.error()
    assert error.exit_code == ExitCode.NETWORK
    assert "total timeout of 10 s" in error.message
    assert Deadline(None, clock).cap(3.0) == 3.0


def test_retries_stop_at_the_total_timeout() -> None:
    clock = Clock()
    calls: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(clock.now)
        return httpx.Response(503, headers={"retry-after": "4"}, json={"message": "busy"})

    client = ApiClient(
        api_key="k" * 20,
        base_url="http://x",
        transport=httpx.MockTransport(answer),
        total_timeout=10.0,
        max_retries=9,
        sleep=clock.sleep,
        clock=clock,
    )
    with pytest.raises(NetworkError, match="total timeout of 10 s"):
        client.get("/v1/models")
    assert calls == [0.0, 4.0, 8.0]  # a 4 s wait at 8 s would end past the deadline


def test_each_attempt_gets_what_is_left_of_the_deadline() -> None:
    seen: list[dict[str, float]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    client = ApiClient(
        api_key="k" * 20,
        base_url="http://x",
        transport=httpx.MockTransport(answer),
        timeout=30.0,
        connect_timeout=5.0,
        total_timeout=2.0,
    )
    client.get("/v1/models")
    assert seen[0]["read"] <= 2.0
    assert seen[0]["connect"] <= 2.0


@pytest.fixture
def server() -> FakeServer:
    fake = FakeMistral()
    with FakeServer(fake) as running:
        yield running


def client_for(server: FakeServer, **limits: float) -> ApiClient:
    return ApiClient(api_key=server.fake.api_key, base_url=server.base_url, max_retries=0, **limits)


def test_read_timeout_names_the_limit(server: FakeServer) -> None:
    server.fake.inject("POST /v1/chat/completions", Fault.hang(5))
    with pytest.raises(NetworkError) as caught:
        client_for(server, timeout=0.3).request("POST", "/v1/chat/completions", json_body=CHAT)
    assert "no answer within 0.3 s (read timeout)" in caught.value.message
    assert "MISTRAL_TIMEOUT" in (caught.value.hint or "")


def test_stream_idle_and_total_limits(server: FakeServer) -> None:
    server.fake.inject("POST /v1/chat/completions", Fault.slow(0.4))
    events = client_for(server, timeout=0.2).stream_events("/v1/chat/completions", CHAT)
    silent = r"(went silent for|sent no data for|no answer within) 0\.2 s"
    with pytest.raises(NetworkError, match=silent):
        list(events)
    server.fake.inject("POST /v1/chat/completions", Fault.slow(0.3))  # 5+ chunks: 1.5 s
    events = client_for(server, timeout=5.0, total_timeout=0.5).stream_events(
        "/v1/chat/completions", CHAT
    )
    with pytest.raises(NetworkError, match=r"total timeout of 0\.5 s"):
        list(events)


def test_json_where_a_stream_was_expected_is_a_clean_error(server: FakeServer) -> None:
    body = {**CHAT, "stream": False}
    server.fake.inject("POST /v1/chat/completions", Fault.slow(0.4))
    events = client_for(server, timeout=0.2).stream_events("/v1/chat/completions", body)
    with pytest.raises(CliError, match=r"expected an event stream|no answer within"):
        list(events)


def test_total_timeout_from_environment_and_flag() -> None:
    found = config.resolve({}, {"MISTRAL_TOTAL_TIMEOUT": "7", "SSL_CERT_FILE": "/ca.pem"}, {}, {})
    assert (found.total_timeout, found.source("total_timeout")) == (7.0, "MISTRAL_TOTAL_TIMEOUT")
    assert (found.ca_bundle, found.source("ca_bundle")) == ("/ca.pem", "SSL_CERT_FILE")
    flagged = config.resolve({"ca_bundle": "/mine.pem"}, {"SSL_CERT_FILE": "/ca.pem"}, {}, {})
    assert flagged.ca_bundle == "/mine.pem"
    filed = config.resolve({}, {}, {}, {"ca_bundle": "/f.pem", "total_timeout": 60})
    assert (filed.ca_bundle, filed.total_timeout) == ("/f.pem", 60.0)


# ---------------------------------------------------------------- TLS and proxies


def test_ca_bundle_becomes_the_ssl_context(tmp_path: Path) -> None:
    import certifi

    context = network.ssl_context(certifi.where())
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    with pytest.raises(ConfigError, match="cannot use the CA bundle"):
        network.ssl_context(str(tmp_path / "missing.pem"))
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(ConfigError):
        network.ssl_context(str(bogus))


def test_tls_failure_names_the_ca_bundle_and_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pw@proxy.corp:3128")
    request = httpx.Request("GET", "https://api.mistral.ai/v1/models")
    exc = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    error = network.describe(exc, request, ca_bundle="/etc/corp-ca.pem")
    assert "via proxy http://proxy.corp:3128" in error.message
    assert "pw" not in error.message + (error.hint or "")
    assert "/etc/corp-ca.pem" in (error.hint or "")
    assert "--ca-bundle" in (error.hint or "")


def test_proxy_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY reaches httpx (no transport injected): a loopback proxy sees the request."""
    seen: list[bytes] = []
    ready = threading.Event()
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def proxy() -> None:
        ready.set()
        conn, _ = listener.accept()
        with conn:
            seen.append(conn.recv(4096))
            body = b'{"object":"list","data":[]}'
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                + str(len(body)).encode()
                + b"\r\nconnection: close\r\n\r\n"
                + body
            )

    thread = threading.Thread(target=proxy, daemon=True)
    thread.start()
    ready.wait()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = ApiClient(api_key="k" * 20, base_url="http://api.example.test", max_retries=0)
    assert client.get("/v1/models") == {"object": "list", "data": []}
    thread.join(2)
    listener.close()
    assert seen[0].startswith(b"GET http://api.example.test/v1/models HTTP/1.1")


def test_refused_proxy_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    client = ApiClient(api_key="k" * 20, base_url="http://api.example.test", max_retries=0)
    with pytest.raises(NetworkError) as caught:
        client.get("/v1/models")
    assert f"via proxy http://127.0.0.1:{port}" in caught.value.message
    assert "NO_PROXY" in (caught.value.hint or "")
