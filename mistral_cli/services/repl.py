"""The chat REPL's input: slash commands told apart from prompts, the help text, usage figures."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mistral_cli.services.chat import Totals
from mistral_cli.services.pricing import money
from mistral_cli.values import counted

# name → (arguments, what it does); the order is the /help order
COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("", "list these commands"),
    "exit": ("", "leave (also Ctrl-D)"),
    "clear": ("", "start a new conversation (the system prompt stays)"),
    "model": ("[NAME]", "show or switch the model, e.g. /model mistral-large"),
    "system": ("[TEXT|off]", "show, set or remove the system prompt"),
    "retry": ("", "ask the last question again, replacing its answer"),
    "undo": ("", "forget the last question and its answer"),
    "usage": ("", "tokens used in this conversation so far"),
    "save": ("FILE", "write the conversation to FILE as markdown"),
}
ALIASES = {"quit": "exit", "q": "exit", "new": "clear", "?": "help"}
# `/word` at the start of the input; anything else (`/etc/hosts is…`) is a prompt
_COMMAND = re.compile(r"/(?P<name>[A-Za-z][\w-]*|\?)(?:\s+(?P<arg>.*))?", re.DOTALL)


@dataclass(frozen=True)
class Slash:
    """A slash command as typed: its name (aliases resolved, lower case) and the rest."""

    name: str
    arg: str = ""

    @property
    def known(self) -> bool:
        """True for a command the REPL has."""
        return self.name in COMMANDS


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
    return Slash(ALIASES.get(name, name), (found["arg"] or "").strip())


def help_lines() -> list[str]:
    """/help: one line per command, aligned."""
    usages = [f"/{name} {args}".rstrip() for name, (args, _) in COMMANDS.items()]
    width = max(len(usage) for usage in usages)
    lines = [
        f"  {usage.ljust(width)}  {about}"
        for usage, (_, about) in zip(usages, COMMANDS.values(), strict=True)
    ]
    lines += [
        "Enter sends; Alt-Enter (or Esc then Enter) adds a line; pasted lines stay one message.",
        "Ctrl-C stops an answer (what arrived is kept); Up recalls earlier inputs; "
        "//text sends /text.",
    ]
    return lines


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
