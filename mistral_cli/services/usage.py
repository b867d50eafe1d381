"""`mistral usage`: tokens and cost from the local conversation store, by model or by day."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.services.pricing import money

if TYPE_CHECKING:
    from mistral_cli.services.conversations import ConversationStore
    from mistral_cli.services.pricing import PriceTable

GROUPINGS = ("model", "day")
COLUMNS = ("", "ANSWERS", "IN", "OUT", "COST")


@dataclass
class UsageRow:
    """Usage summed over one model or one day; cost None when any answer had no price."""

    key: str
    answers: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0
    currency: str | None = None

    def add(self, prompt: int, completion: int, cost: float | None, currency: str | None) -> None:
        """Add one answer's usage (a different currency makes the sum unknown)."""
        self.answers += 1
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        if cost is None or self.cost is None or self.currency not in (None, currency):
            self.cost = None
            return
        self.cost += cost
        self.currency = currency

    def cells(self) -> list[str]:
        """Table cells: key, answers, in, out, cost (or `n/a`)."""
        shown = "n/a" if self.cost is None else money(self.cost, self.currency or "USD")
        return [
            self.key,
            str(self.answers),
            str(self.prompt_tokens),
            str(self.completion_tokens),
            shown,
        ]

    def as_json(self) -> dict[str, object]:
        """The row as a JSON object (API field names for token counts)."""
        return {
            "key": self.key,
            "answers": self.answers,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": self.cost,
            "currency": self.currency,
        }


def collect(
    store: ConversationStore,
    prices: PriceTable,
    *,
    by: str = "model",
    since: float | None = None,
) -> tuple[list[UsageRow], UsageRow]:
    """Rows (sorted by key) and a total, from every answer that recorded its usage.

    An answer is counted under its conversation's model (the one it was last continued with).
    """
    rows: dict[str, UsageRow] = {}
    total = UsageRow("total")
    for conversation in store.summaries():
        if since is not None and conversation.updated < since:
            continue
        for message in store.messages(conversation.id):
            if message.role != "assistant" or message.prompt_tokens is None:
                continue
            if since is not None and message.created < since:
                continue
            prompt, completion = message.prompt_tokens, message.completion_tokens or 0
            cost = prices.cost(conversation.model, prompt, completion)
            key = conversation.model if by == "model" else day(message.created)
            for row in (rows.setdefault(key, UsageRow(key)), total):
                row.add(
                    prompt,
                    completion,
                    cost.amount if cost else None,
                    cost.currency if cost else None,
                )
    return [rows[key] for key in sorted(rows)], total


def day(stamp: float) -> str:
    """The local date of a timestamp, YYYY-MM-DD."""
    return time.strftime("%Y-%m-%d", time.localtime(stamp))
