"""ChatSession: the messages, model, parameters and usage of a conversation, saved as it goes."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from mistral_cli.api.chat import Message, as_role
from mistral_cli.errors import UsageError
from mistral_cli.services.chat.params import ChatParams
from mistral_cli.services.chat.turn import ChatClient, Turn
from mistral_cli.services.conversations import (
    Conversation,
    ConversationStore,
    MessageKey,
    StoredMessage,
    key_of,
    title_of,
)
from mistral_cli.services.store_errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mistral_cli.services.pricing import PriceTable

T = TypeVar("T")


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

    The store may fail (corrupt, locked, full): the session goes on, reports the StoreError to
    `on_store_error` (raised without one) and saves what is missing with the next turn. Each
    saved message's key is kept, so /undo and /retry remove only messages this session saw,
    never turns another process added to the same conversation meanwhile.
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
        on_store_error: Callable[[StoreError], None] | None = None,
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
        self.on_store_error = on_store_error
        self._keys: list[MessageKey | None] = []  # per message: where the store holds it
        self._doomed: list[MessageKey] = []  # to remove from the store with the next write
        self._replacing: list[MessageKey] = []  # what /retry's answer replaces
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
            role = as_role(stored.role)
            if role is not None:
                session.messages.append(Message(role=role, content=stored.content))
                session._keys.append(key_of(conversation.id, stored))
        session.conversation_id = conversation.id
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
        """Set, replace or (None) remove the system prompt for the next turns.

        Not re-saved: a conversation already saved keeps the system prompt it was saved with.
        """
        message = Message(role="system", content=text) if text else None
        if self.system is not None and message is not None:
            self.messages[0] = message
        elif self.system is not None:
            self.messages.pop(0)
            self._keys.pop(0)
        elif message is not None:
            self.messages.insert(0, message)
            self._keys.insert(0, None)  # saved with the first turn, if none was saved yet

    def undo(self) -> str | None:
        """Forget the last exchange (here and in the store); returns its prompt, or None."""
        users = [i for i, m in enumerate(self.messages) if m.role == "user"]
        if not users:
            return None
        keep = users[-1]
        prompt = self.messages[keep].content
        saved = [key for key in self._keys[keep:] if key is not None]
        del self.messages[keep:], self._keys[keep:]
        if saved and self.store is not None:
            self._doomed += saved  # if the store fails now, they go with the next write
            if self._store_call(lambda store: store.drop(self._doomed)) is not None:
                self._doomed = []
        return prompt

    def clear(self) -> None:
        """Start a new conversation (the system prompt stays)."""
        system = self.system
        self.messages, self._keys = [], []
        self.conversation_id = None
        self.last = None
        self.set_system(system)

    def others(self) -> int:
        """How many turns of this conversation another session added (not in this history)."""
        if self.store is None or self.conversation_id is None:
            return 0
        cid = self.conversation_id
        try:
            stored = self.store.messages(cid)
        except StoreError:
            return 0
        mine = {key for key in self._keys if key is not None} | set(self._doomed)
        return sum(1 for m in stored if m.role == "user" and key_of(cid, m) not in mine)

    # ------------------------------------------------------------ turns

    @contextmanager
    def turn(self, prompt: str) -> Iterator[Turn]:
        """Ask `prompt`; iterate the yielded Turn for its events."""
        self.messages.append(Message(role="user", content=prompt))
        self._keys.append(None)
        try:
            body = self.params.request(self.model, self.messages, stream=self.stream)
        except BaseException:
            self.messages.pop()
            self._keys.pop()
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
        """Ask the last prompt again; a new answer replaces the old one (kept if none comes)."""
        users = [i for i, m in enumerate(self.messages) if m.role == "user"]
        if not users:
            raise UsageError("there is nothing to retry yet")
        cut = users[-1]
        old, old_keys = self.messages[cut:], self._keys[cut:]
        del self.messages[cut:], self._keys[cut:]
        self._replacing = [key for key in old_keys if key is not None]
        turn: Turn | None = None
        try:
            with self.turn(old[0].content) as turn:
                yield turn
        finally:
            self._replacing = []
            if turn is None or not (turn.completed or turn.text):
                self.messages += old  # nothing new came back: as it was, store untouched
                self._keys += old_keys

    def _settle(self, turn: Turn) -> None:
        if not (turn.completed or turn.text):
            self.messages.pop()  # nothing came back: as if never asked
            self._keys.pop()
            return
        self.messages.append(Message(role="assistant", content=turn.text))
        self._keys.append(None)
        self._doomed += self._replacing
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
        """Save what the store lacks: this turn, and any turn an earlier failure left out."""
        assert self.store is not None
        start = max((i + 1 for i, key in enumerate(self._keys) if key is not None), default=0)
        usage = turn.usage
        tail = [StoredMessage(m.role, m.content) for m in self.messages[start:-1]]
        tail.append(
            StoredMessage(
                "assistant",
                turn.text,
                partial=not turn.completed,
                prompt_tokens=usage.prompt_tokens if usage else None,
                completion_tokens=usage.completion_tokens if usage else None,
            )
        )
        first = next((m.content for m in self.messages if m.role == "user"), turn.prompt)
        saved = self._store_call(
            lambda store: store.save(
                self.conversation_id,
                tail,
                self.model,
                title=title_of(first),
                dropping=self._doomed,
            )
        )
        if saved is not None:
            self.conversation_id, keys = saved
            self._keys[start:] = keys
            self._doomed = []

    def _store_call(self, call: Callable[[ConversationStore], T]) -> T | None:
        """Run a store operation; a StoreError goes to on_store_error (None is returned)."""
        assert self.store is not None
        try:
            return call(self.store)
        except StoreError as exc:
            if self.on_store_error is None:
                raise
            self.on_store_error(exc)
            return None
