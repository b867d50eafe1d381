"""new_app(), the option aliases every command shares, and the question before a deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from mistral_cli.errors import UsageError
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mistral_cli.output import Output

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def new_app(
    name: str,
    help_text: str,
    *,
    epilog: str | None = None,
    cls: type[TyperGroup] | None = None,
) -> typer.Typer:
    """A Typer with plain help (no rich: half the start-up) and no pretty tracebacks (key leaks).

    `cls` is the group class (the root's builds its sub-apps lazily); left out, Typer's default.
    """
    extra: dict[str, Any] = {"cls": cls} if cls is not None else {}
    return typer.Typer(
        name=name,
        help=help_text,
        epilog=epilog,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        no_args_is_help=True,
        context_settings=CONTEXT_SETTINGS,
        **extra,
    )


JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document (API field names) for scripts.")
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "-m", "--model", help="Model id or short name (e.g. mistral-small).", show_default=False
    ),
]
RefreshOpt = Annotated[
    bool, typer.Option("--refresh", help="Fetch the model list again instead of using the cache.")
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask (needed without a terminal).")
]


def check_can_ask(out: Output, noun: str, count: int, *, yes: bool, again: str) -> None:
    """Without --yes, refuse (exit 2, naming --yes) unless a person can answer a question.

    Call it before any work: a script learns at once that it must say --yes (`again` is the
    command to run). The question is read from stdin and written to stderr: both must be
    terminals.
    """
    if yes or (out.stdin_is_tty and out.err_is_tty):
        return
    deleting = counted(count, noun) if count > 1 else f"a {noun}"
    raise UsageError(f"deleting {deleting} needs --yes when not on a terminal", hint=again)


def confirm_deletion(
    out: Output, noun: str, names: Sequence[str], *, yes: bool, again: str, note: str = ""
) -> None:
    """Ask `Delete <noun> <name>? [y/N]` on the terminal (unless --yes); only yes goes on.

    Any other answer (n, Enter, Ctrl-D) says `nothing deleted` and exits 1; off a terminal
    it is check_can_ask's exit 2. `names` are shown as given (sanitised: titles come from
    elsewhere); `note` follows the question mark.
    """
    check_can_ask(out, noun, len(names), yes=yes, again=again)
    if yes:
        return
    several = f"{counted(len(names), noun)} ({', '.join(names)})"
    what = several if len(names) > 1 else f"{noun} {names[0]}"
    if not ask_yes_no(out, f"Delete {what}?{note}"):
        out.info("nothing deleted")
        raise typer.Exit(1)


def ask_yes_no(out: Output, question: str) -> bool:
    """`question [y/N] ` on stderr, the answer from stdin: True only for y or yes.

    Enter, n, no and Ctrl-D are no; anything else asks again. Nothing reaches stdout (it
    may be a file), and the question is sanitised (it names things from elsewhere).
    """
    while True:
        answer = out.ask(f"{question} [y/N] ")
        if answer is None or answer.strip().lower() in ("", "n", "no"):
            return False
        if answer.strip().lower() in ("y", "yes"):
            return True
        out.info("please answer y or n")
