"""Token counts for embed inputs: the TokenCounter protocol and a conservative byte estimate.

Without a tokenizer the count is `ceil(utf8_bytes / 3) + 1`. Real tokenizers average 3.5-4.5
bytes per token on English, so this over-counts ordinary text by ~25 %; odd text (symbols,
rare scripts) can reach ~1 token per byte, which is why batches built from estimates are also
packed to a margin below the API's limit (`Limits.estimate_margin`) and a "too many tokens"
answer still splits the batch. An exact counter (mistral-common) plugs in through the protocol;
by default it is loaded only for an input that could be near the per-input limit
(NearLimitCounter): loading it costs 1-2 s and ~180 MB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.pricing import Meter
    from mistral_cli.services.tokens import ExactCounter

BYTES_PER_TOKEN = 3
MAX_INPUT_TOKENS = 8_192  # the API's per-input limit (batching.Limits' default)


def estimate_bytes(size: int) -> int:
    """The estimate for a text of `size` UTF-8 bytes: one token per started 3 bytes, plus one."""
    return -(-size // BYTES_PER_TOKEN) + 1


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
        return estimate_bytes(len(text.encode("utf-8")))

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


class NearLimitCounter:
    """Estimates, and the tokenizer's exact count for an input that could be near the limit.

    A byte-level tokenizer (Tekken) makes at most one token per UTF-8 byte, so an input of at
    most `limit` bytes is within a `limit`-token cap whatever it holds: its estimate is used.
    A longer input is counted, and cut, by the tokenizer, loaded for the first such input; from
    then on every count is exact. Most counts being estimates, batches are packed to the
    estimate margin (`exact` is False) and a "too many tokens" answer still splits a batch.
    """

    exact: bool = False

    def __init__(self, load: Callable[[], TokenCounter | None], limit: int) -> None:
        self._load = load
        self._limit = limit
        self._tokenizer: TokenCounter | None = None
        self._tried = False

    @property
    def loaded(self) -> bool:
        """True once the tokenizer was loaded (an input needed it, or strict() was called)."""
        return self._tokenizer is not None

    def strict(self) -> TokenCounter:
        """The tokenizer, loaded now if need be; the estimate if it cannot be loaded."""
        if not self._tried:
            self._tried = True
            self._tokenizer = self._load()
        return self._tokenizer or EstimatingCounter()

    def count(self, text: str) -> int:
        """The estimate for an input of at most `limit` bytes, else the exact count."""
        if self._tokenizer is not None:
            return self._tokenizer.count(text)
        size = len(text.encode("utf-8"))
        if size <= self._limit:
            return estimate_bytes(size)
        return self.strict().count(text)

    def truncate(self, text: str, max_tokens: int) -> str:
        """Cut with the tokenizer (only inputs counted exactly are ever over a limit)."""
        return self.strict().truncate(text, max_tokens)


def exact_embed_counter() -> ExactEmbedCounter | None:
    """The mistral-common tokenizer as a TokenCounter (loads it), or None without the extra."""
    from mistral_cli.services import tokens  # only the counter's user pays

    exact = tokens.get_counter("exact")
    return ExactEmbedCounter(exact) if isinstance(exact, tokens.ExactCounter) else None


def default_counter(mode: str = "auto") -> TokenCounter:
    """The counter for MISTRAL_TOKENIZER (auto, exact or estimate).

    `auto` estimates, and loads the tokenizer (the `tokens` extra) only for an input near the
    per-input limit; `exact` counts every input with it; `estimate` never loads it.
    """
    from mistral_cli.services import tokens

    if mode == "estimate" or not tokens.exact_available():
        return EstimatingCounter()
    if mode == "exact":
        return exact_embed_counter() or EstimatingCounter()
    return NearLimitCounter(exact_embed_counter, MAX_INPUT_TOKENS)


class BudgetStop:
    """Feeds inputs while their cost stays within --max-cost; then ends the input early.

    Everything before the stop is embedded and written as usual; `stopped_at` names the
    first line left out (None when all inputs fit).
    """

    def __init__(self, items: Iterator[Item], counter: TokenCounter, meter: Meter) -> None:
        self._items = items
        # money is worth the exact count: estimates can run low on odd text
        self._counter = counter.strict() if isinstance(counter, NearLimitCounter) else counter
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
