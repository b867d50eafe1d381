"""The chat REPL: the loop, the slash commands, and answers rendered as one-shot renders them.

Imported only when the REPL starts (never for --help); prompt_toolkit loads only for a terminal.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from mistral_cli import fsio
from mistral_cli.commands._chat_ui import (
    ChatOptions,
    chat_budget,
    load_attachments,
    prepare,
    remember_conversation,
    render_turn,
    report_turn,
)
from mistral_cli.commands._editor import ReadLine, on_terminal, terminal_reader
from mistral_cli.commands._shared import ask_yes_no
from mistral_cli.context import AppContext
from mistral_cli.errors import CliError, ExitCode, Interrupted, UsageError, describe
from mistral_cli.services import repl as commands
from mistral_cli.services.attachments import Attachment
from mistral_cli.services.chat import ChatSession, Totals, Turn
from mistral_cli.services.chat.budget import ChatBudget
from mistral_cli.services.conversations import (
    SHORT_ID,
    Conversation,
    StoredMessage,
    title_of,
    transcript,
)
from mistral_cli.services.pricing import money
from mistral_cli.services.store_errors import StoreError
from mistral_cli.values import counted

PROMPT = "› "
HISTORY_FILE = "history"


def run_repl(
    actx: AppContext,
    open_session: Callable[[], ChatSession],
    opts: ChatOptions,
    *,
    read_line: ReadLine | None = None,
) -> int:
    """Talk with the session `open_session()` builds until Ctrl-D or /exit; returns 0.

    Without `read_line` the input comes from a prompt_toolkit editor, which needs stdin and
    stdout to be terminals: a usage error otherwise, raised before the session is built (no
    request made). A store that cannot be opened makes an unsaved session, said once (a
    broken one for -c stops earlier, in open_session). The session's store is closed at the end.
    """
    if read_line is None:
        if not on_terminal(actx.out):
            raise UsageError(
                "no prompt given",
                hint='pass one (mistral chat "…") or pipe text in; '
                "the REPL needs a terminal for input and output",
            )
        read_line = terminal_reader(actx.data_dir() / HISTORY_FILE, actx.out)
    session = open_session()
    try:
        probe_store(actx, session)
        return Repl(actx, session, opts).loop(read_line)
    finally:
        if session.store is not None:
            session.store.close()


def probe_store(actx: AppContext, session: ChatSession) -> None:
    """Open the store before the first turn; if it can't be, warn once and go on unsaved."""
    store = session.store
    if store is None:
        return
    try:
        store.check()
    except StoreError as exc:
        actx.out.warn(exc.not_saved)
        store.close()
        session.store = None


class Repl:
    """The loop: read a line, then ask it or run the slash command; only /exit or Ctrl-D end it."""

    def __init__(self, actx: AppContext, session: ChatSession, opts: ChatOptions) -> None:
        self.actx = actx
        self.out = actx.out
        self.session = session
        self.opts = opts
        self.start = copy.copy(session.totals)  # /usage counts from here (reset by /clear)
        self.saved_id = session.conversation_id if session.store is not None else None
        self.running = True  # until /exit
        self.pending: list[Attachment] = []  # /attach: sent with the next message
        # each slash command of the table runs the method of its name (a missing one fails here)
        self.handlers: dict[str, Callable[[str], None]] = {
            command.name: getattr(self, command.name) for command in commands.COMMANDS
        }

    def loop(self, read_line: ReadLine) -> int:
        """Greet, handle lines until the user leaves, say where the conversation was saved."""
        self.out.info(self.header())
        while True:
            try:
                line = read_line(PROMPT)
            except EOFError:
                break
            except KeyboardInterrupt:  # Ctrl-C at the prompt: the line is dropped
                continue
            except Interrupted as stop:  # a SIGINT just outside the editor: the same
                if stop.exit_code != ExitCode.INTERRUPTED:
                    raise
                continue
            if not self.guarded(line):
                break
        if self.saved_id is not None:
            short = self.saved_id[:SHORT_ID]
            self.out.info(f"saved as conversation {short} — continue with `mistral chat -c`")
        return ExitCode.OK

    def header(self) -> str:
        """`mistral-small-latest · new conversation · /help for commands, Ctrl-D to leave`."""
        session = self.session
        if session.conversation_id is None:
            what = "new conversation"
        else:
            turns = sum(1 for m in session.messages if m.role == "user")
            so_far = f"{counted(turns, 'turn')} so far"
            what = f"conversation {session.conversation_id[:SHORT_ID]} ({so_far})"
        if session.store is None:
            what += " (not saved)"
        return f"{session.model} · {what} · /help for commands, Ctrl-D to leave"

    def guarded(self, line: str) -> bool:
        """Handle one input; an error or Ctrl-C ends only that input. False: leave."""
        try:
            return self.handle(line)
        except CliError as exc:
            self.out.info(describe(exc, debug=self.actx.debug))
        except Interrupted as stop:  # Ctrl-C during /model's model lookup, say
            if stop.exit_code != ExitCode.INTERRUPTED:
                raise
            self.out.notice("stopped")
        return True

    def handle(self, line: str) -> bool:
        """Ask a prompt or run a slash command; False for /exit."""
        parsed = commands.parse(line)
        if parsed is None:
            return True
        if isinstance(parsed, str):
            prompt = parsed
            parts = prepare(self.actx, self.session, self.pending)
            budget = chat_budget(self.actx, self.session, self.opts, prompt, parts)
            self.pending = []  # sent with this message (kept when the checks above refuse)
            self.answer(lambda: self.session.turn(prompt, parts), budget)
            return True
        command = parsed.command
        if command is None:
            self.out.info(f"unknown command /{parsed.name}; /help lists them")
            return True
        if parsed.arg and not command.args:
            self.out.info(f"/{parsed.name} takes no argument")
            return True
        self.handlers[command.name](parsed.arg)
        return self.running

    def answer(
        self,
        start: Callable[[], AbstractContextManager[Turn]],
        budget: ChatBudget | None = None,
    ) -> None:
        """Run one turn and render it as one-shot does; Ctrl-C keeps what arrived."""
        before = self.session.last
        try:
            with start() as turn:
                render_turn(self.actx, turn, self.opts, budget)
        except Interrupted as stop:
            if stop.exit_code != ExitCode.INTERRUPTED:
                raise
            stopped = self.session.last
            kept = stopped is not None and stopped is not before and bool(stopped.text)
            self.out.notice("stopped; the partial answer was kept" if kept else "stopped")
            return
        finally:
            if self.session.store is not None and self.session.conversation_id is not None:
                self.saved_id = self.session.conversation_id
                remember_conversation(self.actx, self.session)
        report_turn(self.actx, turn, self.opts)

    # ------------------------------------------------------------ slash commands

    def help(self, _arg: str) -> None:
        """/help."""
        for line in help_lines():
            self.out.info(line)

    def exit(self, _arg: str) -> None:
        """/exit: leave once this input is handled."""
        self.running = False

    def clear(self, _arg: str) -> None:
        """/clear: a new conversation; the old one stays saved."""
        self.session.clear()
        self.start = copy.copy(self.session.totals)
        self.out.info("new conversation")

    def model(self, arg: str) -> None:
        """/model [NAME]: resolved as -m is."""
        if arg:
            self.session.model = self.actx.resolve_model(arg)
        self.out.info(f"model: {self.session.model}")

    def system(self, arg: str) -> None:
        """/system [TEXT|off]."""
        if not arg:
            current = self.session.system
            self.out.info(f"system prompt: {current}" if current else "no system prompt")
        elif arg.lower() == "off":
            self.session.set_system(None)
            self.out.info("system prompt removed")
        else:
            self.session.set_system(arg)
            self.out.info("system prompt set")

    def retry(self, _arg: str) -> None:
        """/retry: the last question again (this session's: another's turns stay)."""
        if any(m.role == "user" for m in self.session.messages):
            self.note_others("/retry replaces only yours")
        self.answer(self.session.retry)

    def undo(self, _arg: str) -> None:
        """/undo: forget the last exchange (this session's: another's turns stay)."""
        prompt = self.session.undo()
        self.out.info("nothing to undo" if prompt is None else f"forgot: {title_of(prompt)}")
        self.note_others("/undo removes only yours")

    def note_others(self, what: str) -> None:
        """Say so when another session (`chat -c` elsewhere) added turns to this conversation."""
        count = self.session.others()
        if count:
            were = f"{counted(count, 'turn')} {'was' if count == 1 else 'were'}"
            self.out.info(f"{were} added by another session; {what}")

    def usage(self, _arg: str) -> None:
        """/usage: tokens so far in this conversation."""
        self.out.info(usage_text(commands.since(self.session.totals, self.start)))

    def attach(self, arg: str) -> None:
        """/attach [PATH|URL…|clear]: files for the next message (checked now, sent with it)."""
        import shlex

        from mistral_cli.services.attachments import describe

        if arg.lower() == "clear":
            self.out.info("attachments cleared" if self.pending else "nothing was attached")
            self.pending = []
            return
        try:
            sources = shlex.split(arg)
        except ValueError as exc:
            raise UsageError(f"/attach: {exc}", hint="quote a name with spaces") from None
        self.pending += load_attachments(sources, flag="/attach")
        if not self.pending:
            self.out.info("nothing attached; /attach PATH adds a file to your next message")
            return
        for attachment in self.pending:
            self.out.info(f"attached: {describe(attachment)}")
        if sources:
            self.out.info("they go with your next message (/attach clear drops them)")

    def save(self, arg: str) -> None:
        """/save FILE [--force]: a markdown transcript, system prompt included.

        An existing FILE is replaced only after a yes on the terminal, or with --force. The
        file appears whole or not at all (fsio); a failed write (disk full) is one error line
        and the REPL goes on.
        """
        name, force = save_args(arg)
        if not name:
            raise UsageError("/save needs a file name", hint="e.g. /save notes.md")
        if not any(m.role == "user" for m in self.session.messages):
            self.out.info("nothing to save yet")
            return
        path = Path(name).expanduser()
        fsio.check_folder(path)
        if not force and not fsio.is_stream(path) and (path.exists() or path.is_symlink()):
            if not (self.out.stdin_is_tty and self.out.err_is_tty):
                raise UsageError(
                    f"{path} already exists", hint=f"/save {name} --force overwrites it"
                )
            if not ask_yes_no(self.out, f"{path} exists. Overwrite it?"):
                self.out.info("not saved")
                return
            force = True
        with fsio.open_output(path, force=force, flag=f"/save {name} --force") as handle:
            handle.write(self.transcript())
        self.out.info(f"transcript saved to {path}")

    def transcript(self) -> str:
        """The saved conversation (partial answers marked), else the session's messages.

        Either way under the system prompt this session sends (set by `-s` or /system after
        the conversation was saved, it is not in the store).
        """
        session = self.session
        system = [StoredMessage("system", session.system)] if session.system else []
        store, saved = session.store, session.conversation_id
        if store is not None and saved is not None:
            try:
                found, messages = store.find(saved), store.messages(saved)
            except (StoreError, UsageError):
                pass  # the store broke, or the conversation was removed: this session's view
            else:
                return transcript(found, system + [m for m in messages if m.role != "system"])
        now = time.time()
        first = next(m.content for m in session.messages if m.role == "user")
        unsaved = Conversation("unsaved", title_of(first), session.model, now, now)
        return transcript(unsaved, [StoredMessage(m.role, m.content) for m in session.messages])


def save_args(arg: str) -> tuple[str, bool]:
    """`/save` FILE and whether --force came before or after it."""
    words = arg.split()
    force = "--force" in (words[:1] + words[-1:])
    if force:
        arg = arg.strip().removeprefix("--force").removesuffix("--force").strip()
    return arg, force


def help_lines() -> list[str]:
    """/help: one line per command of the table, aligned, then the keys."""
    usages = [f"/{command.name} {command.args}".rstrip() for command in commands.COMMANDS]
    width = max(len(usage) for usage in usages)
    lines = [
        f"  {usage.ljust(width)}  {command.about}"
        for usage, command in zip(usages, commands.COMMANDS, strict=True)
    ]
    lines += [
        "Enter sends; Alt-Enter (or Esc then Enter) adds a line; pasted lines stay one message.",
        "Ctrl-C stops an answer (what arrived is kept); Up recalls earlier inputs; "
        "//text sends /text.",
    ]
    return lines


def usage_text(totals: Totals) -> str:
    """/usage: `this conversation: 4 turns · 180 in / 42 out tokens · $0.000031`."""
    turns = counted(totals.turns, "turn")
    text = (
        f"this conversation: {turns} · "
        f"{totals.prompt_tokens} in / {totals.completion_tokens} out tokens"
    )
    if totals.currency is not None:
        text += f" · {money(totals.cost, totals.currency)}"
        if totals.cost_missing:
            text += f" (cost n/a for {totals.cost_missing} of them)"
    elif totals.cost_missing:
        text += " · cost n/a"
    if totals.usage_missing:
        text += f" · usage missing for {totals.usage_missing} of them"
    return text
