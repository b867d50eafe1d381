"""Output: every terminal write goes through here; the only package that imports rich.

Server text never drives the terminal: whatever reaches stderr, and stdout when it is a
terminal, passes through textsafe first (control characters made visible). Piped stdout is
data and stays byte-exact.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from mistral_cli.errors import PipeClosed
from mistral_cli.textsafe import sanitize, sanitize_json

if TYPE_CHECKING:
    from rich.console import Console

    from mistral_cli.output.progress import ProgressReporter

Row = Sequence[str]


class Output:
    """stdout is data, stderr is everything else; streams are looked up at write time."""

    def __init__(self, *, raw: bool = False, tty: bool | None = None) -> None:
        self.raw = raw
        self._tty = tty  # None: ask the stream; tests force True/False
        self._consoles: dict[bool, Console] = {}

    # ------------------------------------------------------------ terminal facts

    @property
    def stdout(self) -> TextIO:
        """The current sys.stdout (CliRunner swaps it per invocation)."""
        return sys.stdout

    @property
    def stderr(self) -> TextIO:
        """The current sys.stderr."""
        return sys.stderr

    @property
    def is_tty(self) -> bool:
        """True when stdout is a terminal and --raw was not given."""
        if self.raw:
            return False
        return _isatty(self.stdout) if self._tty is None else self._tty

    @property
    def stdout_is_terminal(self) -> bool:
        """True when stdout is a terminal, --raw or not: what is written there is sanitised."""
        return _isatty(self.stdout) if self._tty is None else self._tty

    @property
    def err_is_tty(self) -> bool:
        """True when stderr is a terminal (spinners, progress bars, dim notices)."""
        return _isatty(self.stderr) if self._tty is None else self._tty

    @property
    def stdin_is_tty(self) -> bool:
        """True when stdin is a terminal (prompts are allowed only then)."""
        return _isatty(sys.stdin) if self._tty is None else self._tty

    def console(self, *, stderr: bool = False) -> Console:
        """A rich console bound to stdout or stderr (markup, emoji and highlighting off)."""
        if stderr not in self._consoles:
            from rich.console import Console

            self._consoles[stderr] = Console(
                stderr=stderr,
                markup=False,
                emoji=False,
                highlight=False,
                soft_wrap=False,
                force_terminal=self._tty,
            )
        return self._consoles[stderr]

    # ------------------------------------------------------------ stdout: data

    def write(self, text: str) -> None:
        """Write text to stdout and flush: exactly as given when piped, sanitised on a terminal."""
        if self.stdout_is_terminal:
            text = sanitize(text)
        with self._pipe_guard():
            self.stdout.write(text)
            self.stdout.flush()

    def line(self, text: str = "") -> None:
        """Write one line to stdout."""
        self.write(text + "\n")

    def json(self, document: Any) -> None:  # noqa: ANN401  # any JSON document
        """One JSON document on stdout (indented: readable, and jq does not care)."""
        self._json(json.dumps(document, indent=2, ensure_ascii=False))

    def jsonl(self, document: Any) -> None:  # noqa: ANN401  # any JSON document
        """One compact JSON document per line, for event streams."""
        self._json(json.dumps(document, ensure_ascii=False, separators=(",", ":")))

    def _json(self, text: str) -> None:
        # on a terminal, controls json.dumps leaves raw become \u escapes: the same JSON
        self.line(sanitize_json(text) if self.stdout_is_terminal else text)

    def table(self, columns: Sequence[str], rows: Sequence[Row]) -> None:
        """Aligned table with a header on a terminal; TSV without header when piped.

        A TSV line never ends in a separator: empty cells at the end of a row are left off
        (`cut -f8` still reads them as empty).
        """
        if not self.is_tty:
            self.write("".join("\t".join(map(_tsv, row)).rstrip("\t") + "\n" for row in rows))
            return
        from rich import box
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for name in columns:
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*(sanitize(cell) for cell in row))
        with self._pipe_guard():
            self.console().print(table)

    def fields(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Key/value details: aligned on a terminal, `key<TAB>value` when piped."""
        if not self.is_tty:
            self.write("".join(f"{key}\t{_tsv(value)}\n" for key, value in pairs))
            return
        width = max((len(key) for key, _ in pairs), default=0)
        self.write("".join(f"{key.ljust(width)}  {value}\n" for key, value in pairs))

    # ------------------------------------------------------------ stderr: everything else

    def progress(
        self, label: str, *, total: float | None = None, unit: str = "", force: bool = False
    ) -> ProgressReporter:
        """A progress reporter: a bar when stderr is a terminal; plain lines with `force`.

        Use it as a context manager; call `advance()` as work completes.
        """
        from mistral_cli.output.progress import ProgressReporter

        if self.err_is_tty:
            return ProgressReporter(
                label, total=total, unit=unit, console=self.console(stderr=True)
            )
        return ProgressReporter(label, total=total, unit=unit, plain=self.stderr if force else None)

    def info(self, text: str) -> None:
        """A plain status line on stderr."""
        self._err(text)

    def notice(self, text: str) -> None:
        """A dim line on stderr (retries, usage lines, hints)."""
        text = sanitize(text)  # before the styling, which must stay
        if self.err_is_tty and "NO_COLOR" not in os.environ:
            text = f"\x1b[2m{text}\x1b[0m"
        self._err_exact(text)

    def warn(self, text: str) -> None:
        """A warning on stderr, prefixed so it stands out in CI logs."""
        prefix = "" if text.startswith("mistral: ") else "mistral: warning: "
        self._err(prefix + text)

    def ask(self, question: str) -> str | None:
        """Write `question` on stderr (sanitised, no newline), read one line of stdin.

        Returns the line without its newline, or None at the end of input (Ctrl-D).
        """
        self.stderr.write(sanitize(question))
        self.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            self._err_exact("")  # end the question's line
            return None
        return line.rstrip("\r\n")

    def debug(self, text: str) -> None:
        """A --debug trace line on stderr."""
        self._err(f"[debug] {text}")

    def _err(self, text: str) -> None:
        """Write one line to stderr, always sanitised (a CI log is shown in terminals too)."""
        self._err_exact(sanitize(text))

    def _err_exact(self, text: str) -> None:
        try:
            self.stderr.write(text + "\n")
            self.stderr.flush()
        except (BrokenPipeError, ValueError):
            pass  # nobody is reading stderr; never fail because of a notice

    @contextmanager
    def _pipe_guard(self) -> Iterator[None]:
        """Turn a closed stdout pipe into PipeClosed after pointing fd 1 at /dev/null."""
        try:
            yield
        except BrokenPipeError:
            _silence_stdout()
            raise PipeClosed from None
        except OSError as exc:  # a full disk behind `> file`: exit 1 naming it, not a bug
            from mistral_cli.fsio import write_failed

            _silence_stdout()  # the exit flush would fail on the same disk
            raise write_failed("stdout", exc) from None


def _isatty(stream: TextIO | Any) -> bool:  # noqa: ANN401  # CliRunner swaps in odd streams
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _tsv(cell: str) -> str:
    return cell.replace("\t", " ").replace("\n", " ")


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
