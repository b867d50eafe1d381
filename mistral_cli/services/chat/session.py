"""ChatSession: the messages, model, parameters and usage of a conversation, saved as it goes."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.api.schemas.chat import Message
from mistral_cli.errors import UsageError
from mistral_cli.services.chat.params import ChatParams
from mistral_cli.services.chat.turn import ChatClient, Turn
from mistral_cli.services.conversations import (
    Conversation,
    ConversationStore,
    StoredMessage,
    title_of,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mistral_cli.services.pricing import PriceTable


@dataclass
class Totals:
    """Token usage summed over the session's turns."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    turns: int = 0
    usage_missing: int = 0  # turns whose stream carried no usage
    cost: float = 0.0  # summed over the turns whose model has a price
    currency: str | None = None
    cost_missing: int = 0  # turns with usage but no known price


class ChatSession:
    """A conversation with one model; each turn is sent with the whole history.

    Use `with session.turn(prompt) as turn: for event in turn: ...`. On leaving the block the
    answer joins the history (marked partial if cut short) and is saved when a store is given;
    an answer that never started leaves no trace.
    """

    def __init__(
        self,
        client: ChatClient,
        *,
        model: str,
        params: ChatParams | None = None,
        system: str | None = None,
        stream: bool = True,
        store: ConversationStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.model = model
        self.params = params or ChatParams()
        self.stream = stream
        self.store = store
        self.clock = clock
        self.messages: list[Message] = []
        self.conversation_id: str | None = None
        self.totals = Totals()
        self.last: Turn | None = None
        self.prices: PriceTable | None = None  # set to add up costs in totals
        self._saved = 0  # how many of self.messages the store holds
        if system:
            self.set_system(system)

    @classmethod
    def resume(
        cls,
        client: ChatClient,
        store: ConversationStore,
        conversation: Conversation,
        *,
        model: str | None = None,
        params: ChatParams | None = None,
        system: str | None = None,
        stream: bool = True,
        save: bool = True,
    ) -> ChatSession:
        """Continue a saved conversation (its model unless `model` is given).

        A `system` prompt replaces the saved one for this session only.
        """
        session = cls(client, model=model or conversation.model, params=params, stream=stream)
        for stored in store.messages(conversation.id):
            if stored.role in ("system", "user", "assistant"):
                session.messages.append(Message(role=stored.role, content=stored.content))
        session.conversation_id = conversation.id
        session._saved = len(session.messages)
        session.store = store if save else None
        if system:
            session.set_system(system)
        return session

    # ------------------------------------------------------------ history

    @property
    def system(self) -> str | None:
        """The system prompt, if any."""
        first = self.messages[0] if self.messages else None
        return first.content if first is not None and first.role == "system" else None

    def set_system(self, text: str | None) -> None:
        """Set, replace or (None) remove the system prompt for the next turns (not re-saved)."""
        # keep self._saved aligned with the store: the tail after it is what gets saved next
        message = Message(role="system", content=text) if text else None
        if self.system is not None and message is not None:
            self.messages[0] = message
        elif self.system is not None:
            self.messages.pop(0)
            self._saved = max(0, self._saved - 1)
        elif message is not None:
            self.messages.insert(0, message)
            self._saved += 1 if self._saved else 0

    def undo(self) -> str | None:
        """Forget the last exchange (here and in the store); returns its prompt, or None."""
        users = [i for i, m in enumerate(self.messages) if m.role == "user"]
        if not users:
            return None
        keep = users[-1]
        prompt = self.messages[keep].content
        saved_removed = max(0, self._saved - keep)
        del self.messages[keep:]
        if saved_removed and self.store is not None and self.conversation_id is not None:
            self.store.drop_last(self.conversation_id, saved_removed)
        self._saved = min(self._saved, keep)
        return prompt

    def clear(self) -> None:
        """Start a new conversation (the system prompt stays)."""
        system = self.system
        self.messages = []
        self.conversation_id = None
        self._saved = 0
        self.last = None
        self.set_system(system)

    # ------------------------------------------------------------ turns

    @contextmanager
    def turn(self, prompt: str) -> Iterator[Turn]:
        """Ask `prompt`; iterate the yielded Turn for its events."""
        self.messages.append(Message(role="user", content=prompt))
        try:
            body = self.params.request(self.model, self.messages, stream=self.stream)
        except BaseException:
            self.messages.pop()
            raise
        turn = Turn(self.client, self.model, prompt, body, self.stream, clock=self.clock)
        self.last = turn
        try:
            yield turn
        finally:
            turn.close()
            self._settle(turn)

    @contextmanager
    def retry(self) -> Iterator[Turn]:
        """Ask the last prompt again, replacing its answer (kept if no new answer comes)."""
        users = [i for i, m in enumerate(self.messages) if m.role == "user"]
        if not users:
            raise UsageError("there is nothing to retry yet")
        old, saved = self.messages[users[-1] :], self._saved
        prompt = self.undo()
        assert prompt is not None
        turn: Turn | None = None
        try:
            with self.turn(prompt) as turn:
                yield turn
        finally:
            if turn is None or not (turn.completed or turn.text):
                self._restore(old, saved)

    def _restore(self, old: list[Message], saved: int) -> None:
        """Put back an exchange /retry removed, in the store too (as it was saved)."""
        self.messages.extend(old)
        stored = max(0, saved - (len(self.messages) - len(old)))
        if stored and self.store is not None and self.conversation_id is not None:
            tail = [StoredMessage(m.role, m.content) for m in old[:stored]]
            self.store.append(self.conversation_id, tail, self.model)
        self._saved = saved

    def _settle(self, turn: Turn) -> None:
        if not (turn.completed or turn.text):
            self.messages.pop()  # nothing came back: as if never asked
            return
        self.messages.append(Message(role="assistant", content=turn.text))
        self.totals.turns += 1
        if turn.usage is None:
            self.totals.usage_missing += 1
        else:
            self.totals.prompt_tokens += turn.usage.prompt_tokens
            self.totals.completion_tokens += turn.usage.completion_tokens
            self._add_cost(turn)
        if self.store is not None:
            self._save(turn)

    def _add_cost(self, turn: Turn) -> None:
        if self.prices is None or turn.usage is None:
            return
        cost = self.prices.cost(turn.model, turn.usage.prompt_tokens, turn.usage.completion_tokens)
        if cost is None or self.totals.currency not in (None, cost.currency):
            self.totals.cost_missing += 1
            return
        self.totals.cost += cost.amount
        self.totals.currency = cost.currency

    def _save(self, turn: Turn) -> None:
        assert self.store is not None
        if self.conversation_id is None:
            first = next((m.content for m in self.messages if m.role == "user"), turn.prompt)
            self.conversation_id = self.store.create(self.model, title_of(first))
        usage = turn.usage
        tail = [StoredMessage(m.role, m.content) for m in self.messages[self._saved : -1]]
        tail.append(
            StoredMessage(
                "assistant",
                turn.text,
                partial=not turn.completed,
                prompt_tokens=usage.prompt_tokens if usage else None,
                completion_tokens=usage.completion_tokens if usage else None,
            )
        )
        self.store.append(self.conversation_id, tail, self.model)
        self._saved = len(self.messages)
