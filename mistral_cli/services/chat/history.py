"""The history a request carries: never in a shape the API refuses (API.md §9, code 3230).

The API refuses an assistant message with neither content nor tool calls, a tool call no
`tool` message answers, a `tool` message answering no call, and a `user` message right after
a `tool` one. The policy (README "Tool calls"): a saved turn keeps its tool calls; a call still
unanswered when the conversation goes on is left out of the request (the turn's text stays),
and so is an assistant message left with nothing, and a tool exchange that no answer of the
model followed. Answers come with `--tool-result ID=JSON`, as `tool` messages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mistral_cli.api.chat import Message, ToolCall


@dataclass(frozen=True)
class Outgoing:
    """The messages to send, and the tool calls left out because nothing answered them."""

    messages: list[Message]
    unanswered: list[tuple[int, ToolCall]]  # (the place of its message in the history, call)


def outgoing(history: Sequence[Message]) -> Outgoing:
    """The history as sent: what the API would refuse is left out (see the module's policy)."""
    kept: list[Message] = []
    unanswered: list[tuple[int, ToolCall]] = []
    for place, message in enumerate(history):
        if message.role == "tool":
            continue  # kept below, with the call it answers
        if message.role != "assistant":
            _settle_tools(kept)
            kept.append(message)
            continue
        answers = _answers(history, place)
        calls = tuple(call for call in message.tool_calls if call.id in answers)
        unanswered += [(place, c) for c in message.tool_calls if c not in calls]
        if calls or message.content:
            kept.append(replace(message, tool_calls=calls))
            kept += [answers[call.id] for call in calls if call.id is not None]
    return Outgoing(kept, unanswered)


def _answers(history: Sequence[Message], place: int) -> dict[str | None, Message]:
    """The tool messages right after the assistant message at `place`, by the call they answer."""
    ids = {call.id for call in history[place].tool_calls}
    found: dict[str | None, Message] = {}
    for message in history[place + 1 :]:
        if message.role != "tool":
            break
        if message.tool_call_id in ids and message.tool_call_id not in found:
            found[message.tool_call_id] = message
    return found


def _settle_tools(kept: list[Message]) -> None:
    """Before a user (or system) message: take back a tool exchange no answer followed.

    `user` right after `tool` is refused: the calls and their answers go, the text stays.
    """
    while kept and kept[-1].role == "tool":
        while kept and kept[-1].role == "tool":
            kept.pop()
        asked = kept.pop()  # the assistant message whose calls they answered
        if asked.content:
            kept.append(replace(asked, tool_calls=()))


def tool_answers(history: Sequence[Message], results: Sequence[tuple[str, str]]) -> list[Message]:
    """`tool` messages answering calls of the latest answer (`results`: (call id, text) pairs).

    A usage error when an id is not one of its calls still waiting, or is answered twice.
    """
    from mistral_cli.api.chat import Message

    last = next((m for m in reversed(history) if m.role != "tool"), None)
    waiting = {call.id: call for call in last.tool_calls} if last is not None else {}
    answered = {m.tool_call_id for m in history[len(history) - _tools_at_end(history) :]}
    pending = [call_id for call_id in waiting if call_id not in answered]
    messages: list[Message] = []
    for call_id, text in results:
        if call_id not in pending:
            shown = ", ".join(f"{i} ({waiting[i].name})" for i in pending if i) or "none"
            raise UsageError(
                f"--tool-result {call_id}: the latest answer has no tool call waiting with "
                f"that id (waiting: {shown})",
                hint="`mistral conversations show` lists the calls of a conversation",
            )
        pending.remove(call_id)
        name = waiting[call_id].name
        messages.append(Message(role="tool", content=text, tool_call_id=call_id, name=name))
    return messages


def _tools_at_end(history: Sequence[Message]) -> int:
    count = 0
    for message in reversed(history):
        if message.role != "tool":
            break
        count += 1
    return count


def parse_tool_results(items: Sequence[str]) -> list[tuple[str, str]]:
    """`--tool-result ID=JSON` items → (id, text); the text is sent as the tool's answer."""
    results: list[tuple[str, str]] = []
    for item in items:
        call_id, sep, text = item.partition("=")
        if not sep or not call_id.strip() or not text.strip():
            raise UsageError(
                f"--tool-result {item!r}: expected ID=JSON",
                hint="""e.g. --tool-result 'call_1={"temperature": 21}'""",
            )
        results.append((call_id.strip(), text))
    return results
