"""Long text on a terminal through a pager: `$MISTRAL_PAGER`, else `$PAGER`, else `less -FRX`.

Only when stdout is a terminal: piped or redirected output is written as it is, never paged.
The `pager` setting (MISTRAL_PAGER, or `pager` in the config file; never a .env, which must
not choose a program to run), else PAGER, chooses the pager: a shell-style command line,
`less -R` or `most` (`cat` for none; an empty PAGER means none too). With neither,
`less -FRX` if less is installed (it quits at once when the text fits the screen, keeps it on
the screen after, and shows colours), else no pager. The pager gets the text sanitised
(textsafe): it shows server text, which must never drive the terminal. A pager that cannot be
started (no such program) costs a warning and the text is written plainly; one that quits
before reading everything (`q` in less) is a normal ending. Ctrl-C goes to the pager, not to
mistral, while it runs.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import signal
import subprocess
import threading
from typing import TYPE_CHECKING

from mistral_cli.textsafe import sanitize

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from mistral_cli.output import Output

DEFAULT = ("less", "-FRX")


def pager_command(
    setting: str | None,
    environ: Mapping[str, str],
    which: Callable[[str], str | None] = shutil.which,
) -> list[str] | None:
    """The pager to run, as argv; None for no pager (see the module docstring).

    `setting` is the `pager` setting (MISTRAL_PAGER or the config file), read like any other.
    """
    if setting is None and "PAGER" in environ:
        setting = environ["PAGER"]
    if setting is None:
        return list(DEFAULT) if which(DEFAULT[0]) is not None else None
    try:
        return shlex.split(setting) or None
    except ValueError:  # an unclosed quote: taken as one program name
        return [setting]


def page(out: Output, text: str, command: list[str] | None) -> None:
    """Show `text` through `command` when stdout is a terminal; else write it as out.write does."""
    if command is None or not out.stdout_is_terminal:
        out.write(text)
        return
    out.stdout.flush()
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE)  # its stdout: this terminal
    except OSError as exc:
        reason = exc.strerror or str(exc)
        out.warn(f"cannot start the pager {shlex.join(command)}: {reason}; shown without it")
        out.write(text)
        return
    with _sigint_to_the_pager():
        assert pager.stdin is not None, "opened with stdin=PIPE"
        with contextlib.suppress(BrokenPipeError):  # the pager quit before the end: `q`
            pager.stdin.write(sanitize(text).encode("utf-8", errors="replace"))
        with contextlib.suppress(BrokenPipeError):
            pager.stdin.close()
        pager.wait()


@contextlib.contextmanager
def _sigint_to_the_pager() -> Iterator[None]:
    """Ignore Ctrl-C while the pager runs (it gets it too, and handles it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
