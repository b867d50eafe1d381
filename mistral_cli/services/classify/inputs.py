"""Conversations for `--chat FILE.jsonl`: one `{"messages": [...]}` per line, read lazily.

Each conversation becomes an embed-engine Item whose text is its messages as compact JSON (what
the batch packer sizes, conservatively, and the backend sends). Other keys on a line (such as a
training file's `labels`) are left out; a blank line stays blank (skipped and counted). A line
that is not a conversation stops the run with exit 8 naming it, after the lines before it.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any, BinaryIO

from mistral_cli.errors import UsageError
from mistral_cli.services.embed.inputs import (
    InputError,
    Item,
    count_lines,
    from_texts,
    is_blank,
    read_lines,
    utf8_lines,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

ROLES = ("system", "user", "assistant", "tool")
SHAPE_HINT = 'each line holds one conversation: {"messages": [{"role": "user", "content": "…"}]}'


NO_INPUT = "no input: pass TEXT arguments, --chat FILE.jsonl, or pipe one text per line on stdin"


@contextlib.contextmanager
def open_inputs(
    texts: list[str] | None, chat: Path | None, stdin: Callable[[], BinaryIO]
) -> Iterator[tuple[Iterator[Item], int | None]]:
    """The inputs, read lazily, and how many lines they span when that is cheap to know.

    TEXT arguments, else `--chat FILE` (`-` is stdin), else stdin lines (`stdin()` is called
    only then). A terminal on stdin with nothing else, an unreadable file or TEXT with --chat
    is a usage error (exit 2).
    """
    if texts and chat is not None:
        raise UsageError("pass TEXT arguments or --chat FILE, not both")
    if texts:
        yield from_texts(texts), len(texts)
        return
    if chat is None or str(chat) == "-":
        stream = stdin()
        if stream.isatty():
            raise UsageError(NO_INPUT)
        lines = utf8_lines(stream)
        yield (read_lines(lines) if chat is None else read_chat(lines)), count_lines(stream)
        return
    try:
        handle = chat.open("rb")
    except OSError as exc:
        raise UsageError(f"cannot read {chat}: {exc.strerror or exc}") from None
    with handle:
        yield read_chat(utf8_lines(handle)), count_lines(handle)


def read_chat(lines: Iterable[str]) -> Iterator[Item]:
    """One item per JSON line: the conversation's messages as compact JSON text."""
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r\n")
        if is_blank(text):
            yield Item(number, None, "")
            continue
        messages = _messages(number, text)
        yield Item(number, None, json.dumps(messages, ensure_ascii=False, separators=(",", ":")))


def _messages(number: int, text: str) -> list[dict[str, Any]]:
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise InputError(number, f"not valid JSON ({exc})", SHAPE_HINT) from None
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list) or not messages:
        raise InputError(number, 'no "messages" list', SHAPE_HINT)
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ROLES:
            shown = "missing" if role is None else json.dumps(role)
            raise InputError(
                number,
                f"messages[{index}] has role {shown}; expected one of {', '.join(ROLES)}",
                SHAPE_HINT,
            )
    return messages


def preview(item: Item, *, chat: bool, width: int = 40) -> str:
    """The input as a table shows it: the text (or a conversation's last message), cut short."""
    text = item.text
    if chat:
        last = json.loads(text)[-1].get("content")
        text = last if isinstance(last, str) else "(conversation)"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
