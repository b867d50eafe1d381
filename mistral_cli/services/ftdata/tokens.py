"""Token counting: an estimate (UTF-8 bytes ÷ 3.5), or exact with the optional mistral-common."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from mistral_cli.services.tokens import TOKENIZER_MODULE, exact_counter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "TOKENIZER_MODULE",
    "EstimatedCounter",
    "MistralCommonCounter",
    "TokenCounter",
    "default_counter",
]


class TokenCounter(Protocol):
    """Counts the tokens of a sample's texts; `estimated` says whether the count is a guess."""

    @property
    def estimated(self) -> bool:
        """True when counts are estimates rather than a real tokenizer's output."""
        ...

    def count(self, texts: Iterable[str]) -> int:
        """Tokens in these texts, taken together."""
        ...


class EstimatedCounter:
    """UTF-8 bytes ÷ 3.5, rounded up: close to Mistral's tokenizers on English and code."""

    @property
    def estimated(self) -> bool:
        """Always an estimate."""
        return True

    def count(self, texts: Iterable[str]) -> int:
        """Estimate the tokens of the texts taken together."""
        size = 0
        for text in texts:
            # surrogatepass: JSON may carry lone surrogates (\ud800), which strict UTF-8 refuses
            size += len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        return (2 * size + 6) // 7  # ceil(size / 3.5) in integers


class MistralCommonCounter:
    """Exact text tokens from a mistral-common tokenizer (control tokens not included)."""

    def __init__(self, encode: Callable[..., list[int]]) -> None:
        self._encode = encode

    @property
    def estimated(self) -> bool:
        """Counts come from a real tokenizer."""
        return False

    def count(self, texts: Iterable[str]) -> int:
        """Tokenize each text and add up the lengths."""
        return sum(len(self._encode(text, bos=False, eos=False)) for text in texts if text)


def default_counter() -> TokenCounter:
    """The exact counter when mistral-common is installed (extra `tokens`), else the estimate.

    The tokenizer is loaded once per process by services/tokens.py, shared with the other
    commands that count tokens.
    """
    exact = exact_counter()
    if exact is None:
        return EstimatedCounter()
    encode = exact.encode
    return MistralCommonCounter(lambda text, **_: encode(text))
