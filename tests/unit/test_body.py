"""Bounded bodies: step-by-step inflation, size caps while reading, the watchdog's timer."""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections.abc import Iterator

import httpx
import pytest

from mistral_cli.api import body
from mistral_cli.api.deadline import Deadline
from mistral_cli.api.errors import ServerError
from mistral_cli.api.limits import JSON_BODY, PIECE, size_text
from mistral_cli.api.watchdog import IDLE, TOTAL, Expired, Watchdog
from tests.fakes.wire import gzip_bomb


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def no_limit() -> Watchdog:
    return Watchdog(Deadline(None))


def raw_response(chunks: list[bytes], **headers: str) -> httpx.Response:
    """A streamed (unread) response whose raw body arrives in `chunks`."""
    return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"".join(chunks)))


def streamed(chunks: Iterator[bytes], **headers: str) -> httpx.Response:
    class Stream(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            return chunks

    return httpx.Response(200, headers=headers, stream=Stream())


# ---------------------------------------------------------------- inflating


def test_a_bomb_in_one_chunk_comes_out_a_piece_at_a_time() -> None:
    bomb = gzip_bomb(64)  # 64 KiB of gzip → 64 MiB of zeros, fed in one call
    sizes = [len(piece) for piece in body.Inflater("gzip").feed(bomb)]
    assert max(sizes) == PIECE
    assert sum(sizes) == 64 << 20


def test_pieces_are_produced_lazily() -> None:
    pieces = body.Inflater("gzip").feed(gzip_bomb(1024))  # 1 GiB if drained
    first = [next(pieces) for _ in range(3)]
    assert [len(p) for p in first] == [PIECE] * 3  # only what was asked for was inflated


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_zlib_wrapped_or_raw_even_a_byte_at_a_time(wbits: int) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    data = b'{"object":"list","data":[]}' * 50
    packed = packer.compress(data) + packer.flush()
    inflater = body.Inflater("deflate")
    out = b"".join(b"".join(inflater.feed(packed[i : i + 1])) for i in range(len(packed)))
    assert out == data


def test_chained_codings_are_undone_in_reverse_and_trailing_bytes_ignored() -> None:
    data = b"hello " * 1000
    twice = zlib.compress(gzip.compress(data))  # gzip applied first, then deflate
    response = raw_response([twice, b"junk after the end"], **{"content-encoding": "gzip, deflate"})
    assert b"".join(body.decoded(response, no_limit())) == data


@pytest.mark.parametrize("coding", ["br", "zstd", "compress"])
def test_codings_we_did_not_ask_for_are_refused(coding: str) -> None:
    response = raw_response([b"\x00" * 10], **{"content-encoding": coding})
    with pytest.raises(ServerError, match=f"encoded as '{coding}', which mistral-cli did not ask"):
        list(body.decoded(response, no_limit()))


def test_a_damaged_gzip_body_is_a_server_error() -> None:
    response = raw_response([b"\x1f\x8b\x08\x00garbage-garbage"], **{"content-encoding": "gzip"})
    with pytest.raises(ServerError, match="damaged gzip body"):
        list(body.decoded(response, no_limit()))


# ---------------------------------------------------------------- caps


def test_json_cap_names_the_compressed_size_and_the_cap() -> None:
    bomb = gzip_bomb(1024)
    headers = {"content-encoding": "gzip", "content-length": str(len(bomb))}
    response = raw_response([bomb], **headers)
    with pytest.raises(ServerError) as caught:
        body.read_json_body(response, no_limit())
    assert caught.value.message == (
        "the server sent a 1.0 MiB gzip answer that expands past the 64 MiB limit for a JSON "
        "answer (HTTP 200)"
    )
    assert caught.value.exit_code == 1


def test_json_cap_is_checked_while_reading_not_after() -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:
            sent.append(PIECE)
            yield b" " * PIECE

    with pytest.raises(ServerError, match="an answer larger than the 64 MiB limit"):
        body.read_json_body(streamed(endless()), no_limit())
    assert sum(sent) == JSON_BODY + PIECE  # stopped at the first piece past the cap


def test_an_announced_size_over_the_cap_fails_before_reading() -> None:
    def never() -> Iterator[bytes]:
        raise AssertionError("the body was read")
        yield b""  # pragma: no cover

    response = streamed(never(), **{"content-length": str(2 << 30)})
    with pytest.raises(ServerError, match="sent a 2 GiB answer, over the 64 MiB limit"):
        body.read_json_body(response, no_limit())


def test_error_bodies_are_read_up_to_their_cap() -> None:
    response = raw_response([b"x" * 50_000, b"y" * 50_000])
    assert body.read_prefix(response, no_limit(), 64 * 1024) == b"x" * 50_000 + b"y" * 15_536


def test_size_text() -> None:
    assert [size_text(n) for n in (512, 64 << 10, 8 << 20, 3 << 29, 1536)] == [
        "512 B",
        "64 KiB",
        "8 MiB",
        "1.5 GiB",
        "1.5 KiB",
    ]


# ---------------------------------------------------------------- the watchdog


def test_no_limits_means_no_thread() -> None:
    before = set(threading.enumerate())
    watchdog = Watchdog(Deadline(None)).watch(raw_response([b"x"]))
    started = set(threading.enumerate()) - before
    assert not [t for t in started if t.name == "mistral-watchdog"]
    assert watchdog.fired is None


def test_the_total_deadline_fires_and_in_process_readers_stop() -> None:
    clock = Clock()
    watchdog = Watchdog(Deadline(10.0, clock), idle=None)
    response = streamed(iter([b"first", b"second"]))
    pieces = body.decoded(response, watchdog.watch(response))
    assert next(pieces) == b"first"
    clock.now = 10.0  # the time is up while the next chunk is awaited
    watchdog.recheck()
    _wait_for(lambda: watchdog.fired is not None)
    with pytest.raises(Expired) as caught:
        next(pieces)
    assert (caught.value.reason, watchdog.cut) == (TOTAL, False)


def test_only_progress_restarts_the_idle_spell() -> None:
    clock = Clock()
    watchdog = Watchdog(Deadline(30.0, clock), idle=5.0)
    clock.now = 4.0
    assert watchdog._left() == (1.0, IDLE)
    watchdog.progress()
    clock.now = 8.0
    assert watchdog._left() == (1.0, IDLE)  # 4 s since the progress at 4.0
    clock.now = 28.0
    watchdog.progress()
    assert watchdog._left() == (2.0, TOTAL)  # the deadline comes first now
    watchdog.watch(raw_response([b""]))
    clock.now = 34.0
    watchdog.recheck()
    _wait_for(lambda: watchdog.fired is not None)
    assert watchdog.fired == TOTAL


def test_idle_fires_without_a_deadline() -> None:
    clock = Clock()
    watchdog = Watchdog(Deadline(None, clock), idle=5.0).watch(raw_response([b""]))
    clock.now = 5.0
    watchdog.recheck()
    _wait_for(lambda: watchdog.fired is not None)
    assert watchdog.fired == IDLE


def test_firing_cuts_the_socket_and_buffered_data_is_still_read() -> None:
    """A blocked recv returns at the cut; bytes that arrived before it are not lost."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    server.sendall(b"arrived before the deadline")

    class Stream:
        def get_extra_info(self, name: str) -> object:
            return client if name == "socket" else None

    clock = Clock()
    response = httpx.Response(200, extensions={"network_stream": Stream()})
    watchdog = Watchdog(Deadline(1.0, clock)).watch(response)
    clock.now = 1.0
    watchdog.recheck()
    _wait_for(lambda: watchdog.fired is not None)
    assert watchdog.cut
    assert client.recv(100) == b"arrived before the deadline"
    assert client.recv(100) == b""  # then end-of-file, not a wait
    for sock in (client, server, listener):
        sock.close()


def test_after_stop_the_socket_is_never_touched() -> None:
    clock = Clock()
    touched: list[str] = []

    class Stream:
        def get_extra_info(self, name: str) -> object:
            touched.append(name)
            return None

    response = httpx.Response(200, extensions={"network_stream": Stream()})
    watchdog = Watchdog(Deadline(1.0, clock)).watch(response)
    watchdog.stop()
    clock.now = 5.0
    watchdog.recheck()
    assert watchdog.fired is None
    assert touched == []


def _wait_for(condition: object) -> None:
    """Wait (event-driven, bounded) for the watchdog thread to act on a recheck."""
    assert callable(condition)
    done = threading.Event()
    for _ in range(3000):  # a safety net (30 s) for a busy machine, never the outcome
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("the watchdog thread did not act")
