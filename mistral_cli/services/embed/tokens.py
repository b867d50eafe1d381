"""Token counts for embed inputs: the TokenCounter protocol and a conservative byte estimate.

Without a tokenizer the count is `ceil(utf8_bytes / 3) + 1`. Real tokenizers average 3.5-4.5
bytes per token on English, so this over-counts ordinary text by ~25 %; odd text (symbols,
rare scripts) can reach ~1 token per byte, which is why batches built from estimates are also
packed to a margin below the API's limit (`Limits.estimate_margin`) and a "too many tokens"
answer still splits the batch. An exact counter (mistral-common) plugs in through the protocol.
"""

from __future__ import annotations

from typing import Protocol

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
