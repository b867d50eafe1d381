"""Our own SSE reader: line endings, comments, multi-line data, caps, end of stream."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mistral_cli.api.errors import ServerError, StreamInterrupted
from mistral_cli.api.sse import LineTooLong, iter_data, iter_events, iter_lines

EVENT = b'data: {"choices":[{"delta":{"content":"hi"}}]}'


def lines(*pieces: bytes, limit: int = 100) -> list[bytes]:
    return list(iter_lines(iter(pieces), limit))


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending(end: bytes) -> None:
    assert lines(b"a" + end + b"b" + end + end) == [b"a", b"b", b""]


def test_crlf_split_across_pieces_is_one_break() -> None:
    assert lines(b"a\r", b"\nb\r", b"", b"\n", b"\r\n") == [b"a", b"b", b""]


def test_a_line_built_from_many_pieces() -> None:
    assert lines(b"da", b"ta: ", b"x", b"y\n") == [b"data: xy"]


def test_an_unterminated_last_line_is_dropped() -> None:
    assert lines(b"a\nb") == [b"a"]


def test_a_line_past_the_cap_raises_before_it_is_held() -> None:
    taken: list[int] = []

    def endless() -> Iterator[bytes]:
        while True:
            taken.append(1)
            yield b"x" * 10

    with pytest.raises(LineTooLong):
        list(iter_lines(endless(), 100))
    assert len(taken) == 11  # the piece that would pass 100 bytes is never kept
    with pytest.raises(LineTooLong):
        lines(b"y" * 101 + b"\n")
    assert lines(b"z" * 100 + b"\n") == [b"z" * 100]


def test_data_lines_comments_and_other_fields() -> None:
    stream = [
        b": keep-alive",
        b"",
        b"event: message",
        b"id: 7",
        b"retry: 100",
        b"data: first",
        b"data:second",
        b"data",
        b"",
        b"",
        b"unknown: field",
        b"",
        b"data: last",
    ]
    assert list(iter_data(iter(stream))) == [b"first\nsecond\n", b"last"]


def test_an_events_data_is_capped_too() -> None:
    with pytest.raises(LineTooLong):
        list(iter_data(iter([b"data: " + b"x" * 60] * 2), limit=100))


def sse_response(body: bytes | Iterator[bytes], ctype: str = "text/event-stream") -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.Response(200, headers={"content-type": ctype}, content=body)

    class Stream(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            return body  # type: ignore[return-value]  # an iterator is its own iterable

    return httpx.Response(200, headers={"content-type": ctype}, stream=Stream())


def test_events_with_crlf_comments_and_empty_events() -> None:
    body = b": hi\r\n\r\ndata:\r\n\r\n" + EVENT + b"\r\n\r\ndata: [DONE]\r\n\r\n"
    events = list(iter_events(sse_response(body)))
    assert events == [{"choices": [{"delta": {"content": "hi"}}]}]


def test_done_without_the_final_blank_line_still_ends_the_stream() -> None:
    assert len(list(iter_events(sse_response(EVENT + b"\n\ndata: [DONE]\n")))) == 1


def test_a_stream_line_past_the_cap_keeps_the_events_before_it() -> None:
    def body() -> Iterator[bytes]:
        yield EVENT + b"\n\n"
        yield b"data: "
        while True:
            yield b"x" * 65536

    got: list[object] = []
    with pytest.raises(StreamInterrupted) as caught:
        got.extend(iter_events(sse_response(body())))
    assert len(got) == 1
    assert caught.value.message == (
        "the stream sent a line longer than 8 MiB (the limit) after 1 event"
    )
    assert caught.value.exit_code == 6


def test_unreadable_and_unexpected_events() -> None:
    with pytest.raises(ServerError, match=r"unreadable event: '\{nope'"):
        list(iter_events(sse_response(b"data: {nope\n\n")))
    with pytest.raises(ServerError, match=r"unexpected event: '\[1\]'"):
        list(iter_events(sse_response(b"data: [1]\n\n")))
    with pytest.raises(ServerError, match="unreadable event"):
        list(iter_events(sse_response(b"data: \xff\xfe\n\n")))  # not UTF-8


def test_json_where_a_stream_was_expected() -> None:
    response = sse_response(b'{"message": "no streams here"}', ctype="application/json")
    with pytest.raises(ServerError, match=r"expected an event stream .*no streams here"):
        list(iter_events(response))
