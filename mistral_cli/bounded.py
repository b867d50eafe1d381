"""Bounded local input: line readers with a cap, capped reads of small regular files.

A line past its cap stops the reader after cap + 1 bytes, never the memory; a file that must be
small (a JSON Schema) is refused when it is a FIFO or a device, before any blocking read.
A leaf: imports nothing from the CLI's layers.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import TYPE_CHECKING

from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path


class LineTooLong(ValueError):
    """A line longer than the reader's cap; `line` is its 1-based number."""

    def __init__(self, line: int, limit: int) -> None:
        super().__init__(f"line {line} is longer than {size_text(limit)}")
        self.line = line
        self.limit = limit


class NotRegularFile(OSError):
    """A FIFO, device or folder where a regular file must be read."""


def size_text(size: int) -> str:
    """`8 MiB`, `64 KiB` or `100 bytes`: a cap as people read it."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return counted(size, "byte")


def bounded_lines(stream: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The lines of a binary stream (newline kept), each at most `limit` bytes before it.

    A longer line raises LineTooLong after reading `limit` + 1 bytes of it, never the rest:
    memory stays bounded whatever the input. Streams are read with `readline(limit + 1)`;
    a plain iterable of byte lines (tests) is checked line by line.
    """
    readline = getattr(stream, "readline", None)
    if readline is None:
        for number, raw in enumerate(stream, start=1):
            if len(raw) - raw.endswith(b"\n") > limit:
                raise LineTooLong(number, limit)
            yield raw
        return
    number = 0
    while raw := readline(limit + 1):
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            raise LineTooLong(number, limit)
        yield raw


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a regular file (more means: over the cap).

    A FIFO or a device (`/dev/zero`) raises NotRegularFile before any read: opened without
    blocking, checked with fstat, closed.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
