"""bounded: line readers that stop at a cap without reading the rest, capped regular-file reads."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from mistral_cli.bounded import (
    LineTooLong,
    NotRegularFile,
    bounded_lines,
    read_regular,
    size_text,
)


class Counted(io.BytesIO):
    """A stream that records how many bytes were asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked = 0

    def readline(self, size: int | None = -1, /) -> bytes:
        line = super().readline(size)
        self.asked += len(line)
        return line


def test_lines_up_to_the_cap_pass_whole() -> None:
    stream = io.BytesIO(b"1234\n12345\n123")
    assert list(bounded_lines(stream, 5)) == [b"1234\n", b"12345\n", b"123"]


def test_a_longer_line_stops_after_cap_plus_one_bytes() -> None:
    stream = Counted(b"ok\n" + b"x" * 1_000_000 + b"\nnever read\n")
    lines = bounded_lines(stream, 100)
    assert next(lines) == b"ok\n"
    with pytest.raises(LineTooLong) as caught:
        next(lines)
    assert (caught.value.line, caught.value.limit) == (2, 100)
    assert str(caught.value) == "line 2 is longer than 100 bytes"
    assert stream.asked == 3 + 101  # the rest of the long line was never read


def test_plain_iterables_are_checked_too() -> None:
    assert list(bounded_lines([b"abc\n", b"abc"], 3)) == [b"abc\n", b"abc"]
    with pytest.raises(LineTooLong, match="line 2"):
        list(bounded_lines([b"abc\n", b"abcd\n"], 3))


@pytest.mark.parametrize(
    ("size", "text"),
    [(8 << 20, "8 MiB"), (1 << 30, "1 GiB"), (64 << 10, "64 KiB"), (1000, "1,000 bytes")],
)
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text


def test_read_regular_reads_at_most_cap_plus_one(tmp_path: Path) -> None:
    small = tmp_path / "s.json"
    small.write_bytes(b"{}")
    assert read_regular(small, 10) == b"{}"
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 5000)
    assert read_regular(big, 100) == b"x" * 101


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null"])
def test_read_regular_refuses_devices(special: str) -> None:
    with pytest.raises(NotRegularFile, match="not a regular file"):
        read_regular(Path(special), 100)


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            read_regular(fifo, 100)
        except NotRegularFile as exc:
            outcome.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout=30)  # a blocking open would hang here: no writer ever comes
    assert len(outcome) == 1
