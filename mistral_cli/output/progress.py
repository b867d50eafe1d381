"""Progress on stderr: a rich bar on a terminal, periodic plain lines when asked, else silence."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

from mistral_cli.textsafe import sanitize

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from rich.console import Console
    from rich.progress import Progress, TaskID


class ProgressReporter:
    """Counts work done; `advance()` is cheap enough to call per item from any one thread.

    The label and notes may hold server text (a file name): they are sanitised, and shown
    without rich markup, so `[/x].jsonl` is a name, not a closing tag.
    """

    def __init__(
        self,
        label: str,
        *,
        total: float | None = None,
        unit: str = "",
        console: Console | None = None,
        plain: TextIO | None = None,
        every: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = sanitize(label)
        self.total = total
        self.unit = unit
        self.completed = 0.0
        self.note = ""
        self._console = console
        self._plain = plain
        self._every = every
        self._clock = clock
        self._started = clock()
        self._last_plain = self._started
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressReporter:
        if self._console is not None:
            self._start_bar(self._console)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
        elif self._plain is not None and exc_type is None:
            self._write_plain()

    def _start_bar(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}", markup=False),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            refresh_per_second=8,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=self.total, note="")

    def set_total(self, total: float | None) -> None:
        """Change the total (e.g. once the input size is known)."""
        self.total = total
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def advance(self, amount: float = 1, note: str | None = None) -> None:
        """Record `amount` more units done, with an optional short note (rate, tokens…)."""
        self.completed += amount
        if note is not None:
            self.note = sanitize(note)
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=amount, note=self.note)
        elif self._plain is not None and self._clock() - self._last_plain >= self._every:
            self._write_plain()

    def rate(self) -> float:
        """Units per second since the start."""
        elapsed = max(self._clock() - self._started, 1e-9)
        return self.completed / elapsed

    def _write_plain(self) -> None:
        self._last_plain = self._clock()
        done = f"{self.completed:,.0f}"
        of = f"/{self.total:,.0f}" if self.total else ""
        note = f" · {self.note}" if self.note else ""
        unit = f" {self.unit}" if self.unit else ""
        try:
            assert self._plain is not None
            self._plain.write(f"{self.label}: {done}{of}{unit}{note}\n")
            self._plain.flush()
        except (BrokenPipeError, ValueError):
            self._plain = None
