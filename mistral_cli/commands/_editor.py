"""The REPL's line editor: prompt_toolkit on a terminal, private history, TAB for /commands.

Imported only when the REPL starts; prompt_toolkit loads only for a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from mistral_cli import fsio
from mistral_cli.services import repl as commands

if TYPE_CHECKING:
    from pathlib import Path

    from prompt_toolkit.completion import CompleteEvent, Completer
    from prompt_toolkit.document import Document

    from mistral_cli.output import Output

# read_line(prompt) → the typed text; raises EOFError on Ctrl-D, KeyboardInterrupt on Ctrl-C
ReadLine = Callable[[str], str]


def on_terminal(out: Output) -> bool:
    """True when stdin and stdout are terminals (--raw does not matter here)."""
    raw, out.raw = out.raw, False
    try:
        return out.stdin_is_tty and out.is_tty
    finally:
        out.raw = raw


def terminal_reader(history: Path, out: Output) -> ReadLine:
    """A prompt_toolkit editor: Enter sends, Alt-Enter adds a line, history kept in `history`.

    The history file is 0600 in a 0700 folder: a key pasted at the prompt stays private.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    keys = KeyBindings()

    @keys.add("escape", "enter")  # Alt-Enter sends ESC CR; so does Esc then Enter
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    kept: History
    try:
        fsio.private_dir(history.parent)
        fsio.private_file(history)  # prompt_toolkit appends to it, keeping its mode
        kept = FileHistory(str(history))
    except OSError as exc:
        out.warn(f"cannot keep the input history in {history}: {exc.strerror}")
        kept = InMemoryHistory()
    editor: PromptSession[str] = PromptSession(
        history=kept,
        key_bindings=keys,
        prompt_continuation=lambda width, _line, _wrap: "… ".rjust(width),
        completer=slash_completer(),
        complete_while_typing=False,  # TAB only: typing a prompt never pops a menu up
    )
    return editor.prompt


def slash_completer() -> Completer:
    """TAB after `/`: the commands of the slash table that the word begins, each with its use."""
    from prompt_toolkit.completion import Completer, Completion

    class SlashCompleter(Completer):
        def get_completions(
            self, document: Document, complete_event: CompleteEvent
        ) -> Iterator[Completion]:
            typed = document.text_before_cursor
            for command in commands.completions(typed):
                yield Completion(
                    command.name, start_position=1 - len(typed), display_meta=command.about
                )

    return SlashCompleter()
