"""The ApiClient against hostile answers over loopback: bombs, endless lines, keep-alives,
trickles and redirects end cleanly, within the caps and limits.

Time limits here are a fraction of a second and the hostile server goes on far longer, so
each outcome is decided by the limit, never by a race with the server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mistral_cli.api.client import ApiClient
from mistral_cli.api.errors import NetworkError, ServerError, StreamInterrupted
from tests.fakes import hostile
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer
from tests.fakes.wire import gzip_bomb

CHAT = {
    "model": "mistral-small-latest",
    "messages": [{"role": "user", "content": "hi"}],
    "stream": True,
}
ROUTE = "POST /v1/chat/completions"


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    hostile.warm_validators()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeMistral()
    with FakeServer(fake) as running:
        yield running
    fake.assert_clean()


OPEN: list[ApiClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client_for(server: FakeServer, **limits: float) -> ApiClient:
    client = ApiClient(
        api_key=server.fake.api_key, base_url=server.base_url, max_retries=0, **limits
    )
    OPEN.append(client)
    return client


def stream(client: ApiClient) -> tuple[list[dict[str, object]], StreamInterrupted]:
    got: list[dict[str, object]] = []
    with pytest.raises(StreamInterrupted) as caught:
        got.extend(client.stream_events("/v1/chat/completions", CHAT))
    return got, caught.value


def test_gzip_bomb_stops_at_the_cap(server: FakeServer) -> None:
    bomb = gzip_bomb()
    server.fake.inject("GET /v1/models", Fault.status(200, bomb, {"content-encoding": "gzip"}))
    with pytest.raises(ServerError) as caught:
        client_for(server).get("/v1/models")
    assert caught.value.message == (
        "the server sent a 1.0 MiB gzip answer that expands past the 64 MiB limit for a JSON "
        "answer (HTTP 200)"
    )
    assert caught.value.exit_code == 1


def test_gzip_is_asked_for_and_read(server: FakeServer) -> None:
    import gzip
    import json

    body = gzip.compress(json.dumps({"object": "list", "data": []}).encode())
    server.fake.inject("GET /v1/models", Fault.status(200, body, {"content-encoding": "gzip"}))
    assert client_for(server).get("/v1/models") == {"object": "list", "data": []}
    assert server.fake.requests[-1].headers["accept-encoding"] == "gzip, deflate"


def test_an_endless_sse_line_ends_the_stream_and_keeps_the_events(server: FakeServer) -> None:
    server.fake.inject(ROUTE, hostile.long_line(after_events=2, size=200 << 20))
    got, error = stream(client_for(server))
    assert len(got) == 2
    assert error.message == "the stream sent a line longer than 8 MiB (the limit) after 2 events"


def test_keep_alive_comments_cannot_outlast_the_total_timeout(server: FakeServer) -> None:
    server.fake.inject(ROUTE, hostile.keep_alive(after_events=2, interval=0.01))
    got, error = stream(client_for(server, total_timeout=0.4))
    assert len(got) == 2
    assert error.message == (
        "the request did not finish within the total timeout of 0.4 s (after 2 events)"
    )


@pytest.mark.parametrize(
    "beat", [hostile.KEEP_ALIVE, hostile.EMPTY_EVENT], ids=["comment", "empty"]
)
def test_keep_alives_do_not_reset_the_idle_timeout(server: FakeServer, beat: bytes) -> None:
    server.fake.inject(ROUTE, hostile.keep_alive(after_events=1, interval=0.01, beat=beat))
    got, error = stream(client_for(server, timeout=0.3))
    assert len(got) == 1
    assert error.message == "the stream sent no data for 0.3 s after 1 event"
    assert "keep-alive comments do not count" in (error.hint or "")


def test_a_trickled_answer_cannot_outlast_the_total_timeout(server: FakeServer) -> None:
    server.fake.inject("GET /v1/models", hostile.trickle(interval=0.01))
    with pytest.raises(NetworkError) as caught:
        client_for(server, total_timeout=0.3).get("/v1/models")
    assert caught.value.message == "the request did not finish within the total timeout of 0.3 s"
    assert caught.value.exit_code == 6


def test_a_trickled_stream_cannot_outlast_the_total_timeout(server: FakeServer) -> None:
    server.fake.inject(ROUTE, hostile.trickle(interval=0.01))
    _, error = stream(client_for(server, total_timeout=0.3))
    # the first event takes ~2 s to trickle: the limit ended the read, not the next event
    assert error.message == (
        "the request did not finish within the total timeout of 0.3 s (after 0 events)"
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_named_never_followed(server: FakeServer, status: int) -> None:
    server.fake.inject(
        "GET /v1/models", hostile.redirect(status, "https://api.other.test/v1/models")
    )
    with pytest.raises(ServerError) as caught:
        client_for(server).get("/v1/models")
    assert caught.value.message == (
        f"the server redirected ({status}) to https://api.other.test/v1/models; "
        "set MISTRAL_BASE_URL to it if you trust it"
    )
    assert caught.value.hint == (
        "redirects are never followed, so the key goes nowhere you did not set; "
        "e.g. MISTRAL_BASE_URL=https://api.other.test (or --base-url)"
    )
    assert caught.value.exit_code == 1
    assert len(server.fake.requests) == 1


def test_http_to_https_on_the_same_host_says_so(server: FakeServer) -> None:
    https = server.base_url.replace("http://", "https://")
    server.fake.inject(ROUTE, hostile.redirect(301, f"{https}/v1/chat/completions"))
    with pytest.raises(ServerError) as caught:
        list(client_for(server).stream_events("/v1/chat/completions", CHAT))
    assert caught.value.message == (
        f"the server redirected (301) to {https}/v1/chat/completions: the server wants HTTPS; "
        f"set MISTRAL_BASE_URL={https}"
    )


def test_a_redirect_without_location(server: FakeServer) -> None:
    server.fake.inject("GET /v1/models", hostile.redirect(307, None))
    with pytest.raises(ServerError, match=r"redirected \(307\) without saying where to"):
        client_for(server).get("/v1/models")


def test_a_relative_location_is_resolved_and_long_ones_are_cut(server: FakeServer) -> None:
    server.fake.inject("GET /v1/models", hostile.redirect(302, "/moved/v1/models"))
    with pytest.raises(ServerError) as caught:
        client_for(server).get("/v1/models")
    assert f"to {server.base_url}/moved/v1/models;" in caught.value.message
    assert f"MISTRAL_BASE_URL={server.base_url}/moved " in (caught.value.hint or "")
    hostile_location = "https://x.test/" + "a" * 5000 + "\x1b]0;title\x07"
    server.fake.inject("GET /v1/models", hostile.redirect(307, hostile_location))
    with pytest.raises(ServerError) as caught:
        client_for(server).get("/v1/models")
    shown = caught.value.message.split(" to ", 1)[1].split(";")[0]
    assert len(shown) == 200
    assert shown.endswith("a…")
    assert "\x1b" not in caught.value.message + (caught.value.hint or "")


def test_downloads_are_inflated_in_pieces_and_bounded_by_the_total_timeout(
    server: FakeServer,
) -> None:
    from tests.fakes.files import FilesFake

    stored = server.fake.module(FilesFake).add("big.jsonl", b"{}\n" * 1000)
    route = f"GET /v1/files/{stored.id}/content"
    bomb = Fault.status(200, gzip_bomb(16), {"content-encoding": "gzip"})
    server.fake.inject(route, bomb)
    with client_for(server).download(f"/v1/files/{stored.id}/content") as chunks:
        sizes = [len(chunk) for chunk in chunks]
    assert (max(sizes), sum(sizes)) == (64 << 10, 16 << 20)  # written as it inflates
    server.fake.inject(route, hostile.trickle(interval=0.01))
    with (
        pytest.raises(NetworkError, match=r"total timeout of 0\.3 s$"),
        client_for(server, total_timeout=0.3).download(f"/v1/files/{stored.id}/content") as chunks,
    ):
        list(chunks)
