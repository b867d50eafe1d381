"""--max-cost for chat: refuse a prompt that alone costs too much, stop an answer that would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.errors import BudgetExceeded
from mistral_cli.services.tokens import estimate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mistral_cli.api.chat import Message
    from mistral_cli.services.pricing import Meter

MESSAGE_OVERHEAD = 4  # control tokens around each message ([INST], [/INST], </s>, role)


def prompt_estimate(messages: Iterable[Message]) -> int:
    """A conservative count of the prompt tokens of these messages, control tokens included."""
    return sum(estimate(message.content) + MESSAGE_OVERHEAD for message in messages)


@dataclass
class ChatBudget:
    """Checks one turn against --max-cost: the prompt before sending, the answer as it grows."""

    meter: Meter
    prompt_tokens: int = 0
    answer_tokens: int = 0

    def check_prompt(self, messages: Iterable[Message]) -> None:
        """Raise BudgetExceeded (nothing sent) when the prompt alone costs more than the limit."""
        self.prompt_tokens = prompt_estimate(messages)
        self.answer_tokens = 0
        self.meter.check(self.prompt_tokens, what="the prompt")

    def add_answer(self, text: str) -> None:
        """Count a piece of the answer (or thinking); raise once the turn costs too much."""
        self.answer_tokens += estimate(text)
        try:
            self.meter.check(self.prompt_tokens, self.answer_tokens, what="the answer")
        except BudgetExceeded as exc:
            raise BudgetExceeded(
                f"stopped: {exc.message}; the partial answer was kept", hint=exc.hint
            ) from None
