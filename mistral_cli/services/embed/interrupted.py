"""An interrupted `embed -o FILE`: count what reached the file, and say how to resume.

Ctrl-C or SIGTERM leaves the records already written whole (the runner holds the signals while
a batch is written); the command then prints how many input lines the file covers and the
command line that continues it.
"""

from __future__ import annotations

import os
import shlex
import stat
from typing import TYPE_CHECKING

from mistral_cli.services.embed.inputs import count_lines, offset_of

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.services.embed.job import Destination, Source
    from mistral_cli.services.embed.resume import ResumePoint
    from mistral_cli.services.embed.writers import Tally


class Watch:
    """What an interruption message needs: the input's first byte, the file, the run's writer."""

    def __init__(self, source: Source, dest: Destination, command: list[str]) -> None:
        self.source, self.dest, self.command = source, dest, command
        stream = source.stream
        self.offset = offset_of(stream) if stream is not None and not source.texts else None
        self.resumed_after: int | None = None
        self.writer: Tally | None = None

    def start(self, point: ResumePoint | None, writer: Tally) -> None:
        """The run begins: after `point` (a resumed run), writing through `writer`."""
        self.resumed_after = point.last_line if point is not None else None
        self.writer = writer

    def message(self) -> str | None:
        """The interrupted line for an -o FILE run (None for stdout, or before the run began)."""
        file, writer = self.dest.file, self.writer
        if file is None or writer is None:
            return None
        texts, stream = self.source.texts, self.source.stream
        total = len(texts) if texts else None
        if self.offset is not None:
            total = count_lines(stream, start=self.offset)
        return interrupted_message(
            file,
            writer.last_line or self.resumed_after or 0,
            total,
            self.command,
            resumable=self.dest.chosen == "jsonl",
            stdin="" if texts else stdin_note(stream),
        )


def interrupted_message(
    path: Path, done: int, total: int | None, command: list[str], *, resumable: bool, stdin: str
) -> str:
    """`interrupted: N of M lines written to FILE; resume with: mistral embed … --resume`.

    `command` is the real command line (shell-quoted here); `stdin` what to add for the input
    (`stdin_note`). Only JSON lines can be resumed; a run that wrote nothing has nothing to resume.
    """
    if done == 0:
        return f"interrupted: nothing was written to {path}"
    of = f" of {total:,}" if total is not None else ""
    lines = f"{done:,}{of} {'line' if done == 1 and total in (None, 1) else 'lines'}"
    head = f"interrupted: {lines} written to {path}"
    if not resumable:
        return f"{head} (only --format jsonl can be resumed)"
    again = ["mistral", *command, *([] if "--resume" in command else ["--resume"])]
    return f"{head}; resume with: {shlex.join(again)}{stdin}"


def stdin_note(stream: object) -> str:
    """` < in.txt` when stdin is a regular file whose path is known, else a reminder."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]  # anything with a descriptor
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(fd)
        name = os.readlink(f"/proc/self/fd/{fd}")  # Linux; elsewhere the reminder below
        if not os.path.samefile(name, f"/proc/self/fd/{fd}"):
            raise ValueError(name)
    except (AttributeError, OSError, ValueError):
        return ", with the same input on stdin"
    relative = os.path.relpath(name)
    return f" < {shlex.quote(name if relative.startswith('..') else relative)}"
