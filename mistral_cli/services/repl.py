"""The chat REPL's input: the slash-command table, commands told apart from prompts, usage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mistral_cli.services.chat import Totals


@dataclass(frozen=True, kw_only=True)
class SlashCommand:
    """A REPL command: its name, the argument /help shows ("" takes none), what it does."""

    name: str
    args: str = ""
    about: str
    aliases: tuple[str, ...] = ()


# The one table of slash commands, in /help order. The REPL runs each with its method of the
# same name; /help, the argument check and TAB completion are drawn from here.
COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand(name="help", about="list these commands", aliases=("?",)),
    SlashCommand(name="exit", about="leave (also Ctrl-D)", aliases=("quit", "q")),
    SlashCommand(
        name="clear", about="start a new conversation (the system prompt stays)", aliases=("new",)
    ),
    SlashCommand(
        name="model", args="[NAME]", about="show or switch the model, e.g. /model mistral-large"
    ),
    SlashCommand(name="system", args="[TEXT|off]", about="show, set or remove the system prompt"),
    SlashCommand(name="retry", about="ask the last question again, replacing its answer"),
    SlashCommand(name="undo", about="forget the last question and its answer"),
    SlashCommand(name="usage", about="tokens used in this conversation so far"),
    SlashCommand(
        name="attach",
        args="[PATH]",
        about="add a file or URL to your next message (alone: list them)",
    ),
    SlashCommand(
        name="save",
        args="FILE [--force]",
        about="write the conversation to FILE as markdown",
    ),
)
_BY_NAME = {command.name: command for command in COMMANDS}
_ALIASES = {alias: command.name for command in COMMANDS for alias in command.aliases}
# `/word` at the start of the input; anything else (`/etc/hosts is…`) is a prompt
_COMMAND = re.compile(r"/(?P<name>[A-Za-z][\w-]*|\?)(?:\s+(?P<arg>.*))?", re.DOTALL)
_TYPING = re.compile(r"/(?:[A-Za-z][\w-]*)?")  # a command name being typed, nothing after it


@dataclass(frozen=True)
class Slash:
    """A slash command as typed: its name (aliases resolved, lower case) and the rest."""

    name: str
    arg: str = ""

    @property
    def command(self) -> SlashCommand | None:
        """The command of that name, or None: the REPL has no such command."""
        return _BY_NAME.get(self.name)

    @property
    def known(self) -> bool:
        """True for a command the REPL has."""
        return self.command is not None


def parse(line: str) -> Slash | str | None:
    """A typed line → a Slash, the prompt text to send, or None (blank: nothing to do).

    `//text` sends `/text` as a prompt.
    """
    text = line.strip()
    if not text:
        return None
    if text.startswith("//"):
        return text[1:]
    found = _COMMAND.fullmatch(text)
    if found is None:
        return text
    name = found["name"].lower()
    return Slash(_ALIASES.get(name, name), (found["arg"] or "").strip())


def completions(text: str) -> list[SlashCommand]:
    """What TAB offers for `text`, the input so far: the commands `/word` begins, else none."""
    if _TYPING.fullmatch(text) is None:
        return []
    word = text[1:].lower()
    return [command for command in COMMANDS if command.name.startswith(word)]


def since(now: Totals, start: Totals) -> Totals:
    """The usage added between two snapshots of a session's totals."""
    return Totals(
        prompt_tokens=now.prompt_tokens - start.prompt_tokens,
        completion_tokens=now.completion_tokens - start.completion_tokens,
        turns=now.turns - start.turns,
        usage_missing=now.usage_missing - start.usage_missing,
        cost=now.cost - start.cost,
        currency=now.currency,
        cost_missing=now.cost_missing - start.cost_missing,
    )
