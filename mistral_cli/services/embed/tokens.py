"""Token counts for embed inputs: the TokenCounter protocol and a conservative byte estimate.

Without a tokenizer the count is `ceil(utf8_bytes / 3) + 1`. Real tokenizers average 3.5-4.5
bytes per token on English, so this over-counts ordinary text by ~25 %; odd text (symbols,
rare scripts) can reach ~1 token per byte, which is why batches built from estimates are also
packed to a margin below the API's limit (`Limits.estimate_margin`) and a "too many tokens"
answer still splits the batch. An exact counter (mistral-common) plugs in through the protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.pricing import Meter
    from mistral_cli.services.tokens import ExactCounter

BYTES_PER_TOKEN = 3


class TokenCounter(Protocol):
    """Counts the tokens of one input, and cuts an input down to a token budget."""

    @property
    def exact(self) -> bool:
        """True when counts come from the model's tokenizer, False for estimates."""
        ...

    def count(self, text: str) -> int:
        """Tokens in `text`; an estimate must never be lower than the real count."""
        ...

    def truncate(self, text: str, max_tokens: int) -> str:
        """The longest prefix of `text` whose count is at most `max_tokens`."""
        ...


class EstimatingCounter:
    """A tokenizer-free estimate, `ceil(utf8_bytes / 3) + 1`, that errs on the high side."""

    exact: bool = False

    def count(self, text: str) -> int:
        """Estimated tokens: one per started 3 bytes of UTF-8, plus one."""
        return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN) + 1

    def truncate(self, text: str, max_tokens: int) -> str:
        """Cut at a character boundary so that the estimate is at most `max_tokens`."""
        data = text.encode("utf-8")
        keep = max(0, (max_tokens - 1) * BYTES_PER_TOKEN)
        if len(data) <= keep:
            return text
        return data[:keep].decode("utf-8", errors="ignore")


class ExactEmbedCounter:
    """The mistral-common tokenizer's counts (the `tokens` extra), with token-exact truncation."""

    exact: bool = True

    def __init__(self, tokenizer: ExactCounter) -> None:
        self._tokenizer = tokenizer

    def count(self, text: str) -> int:
        """The tokenizer's count."""
        return self._tokenizer.count(text)

    def truncate(self, text: str, max_tokens: int) -> str:
        """The text of the first `max_tokens` tokens."""
        ids = self._tokenizer.encode(text)
        return text if len(ids) <= max_tokens else self._tokenizer.decode(ids[:max_tokens])


def default_counter(mode: str = "auto") -> TokenCounter:
    """Exact with mistral-common (unless MISTRAL_TOKENIZER=estimate), else the estimate."""
    from mistral_cli.services import tokens  # only the counter's user pays

    exact = None if mode == "estimate" else tokens.get_counter("exact")
    if exact is not None and isinstance(exact, tokens.ExactCounter):
        return ExactEmbedCounter(exact)
    return EstimatingCounter()


class BudgetStop:
    """Feeds inputs while their cost stays within --max-cost; then ends the input early.

    Everything before the stop is embedded and written as usual; `stopped_at` names the
    first line left out (None when all inputs fit).
    """

    def __init__(self, items: Iterator[Item], counter: TokenCounter, meter: Meter) -> None:
        self._items = items
        self._counter = counter
        self._meter = meter
        self.tokens = 0
        self.stopped_at: int | None = None

    def __iter__(self) -> Iterator[Item]:
        """The inputs that fit the budget."""
        for item in self._items:
            tokens = self.tokens + self._counter.count(item.text)
            if self._meter.cost(tokens).amount > self._meter.budget.amount:
                self.stopped_at = item.line
                return
            self.tokens = tokens
            yield item
