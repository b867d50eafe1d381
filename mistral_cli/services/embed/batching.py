"""Token-aware packing of embed inputs into requests, and the dry-run plan built from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.errors import UsageError
from mistral_cli.services.embed.inputs import InputError, Item, is_blank
from mistral_cli.services.embed.tokens import MAX_INPUT_TOKENS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from mistral_cli.services.embed.tokens import TokenCounter


@dataclass(frozen=True, slots=True)
class Limits:
    """The API's per-request limits (observed; configurable since they have changed before)."""

    max_inputs: int = 512
    max_tokens: int = 16_384
    max_input_tokens: int = MAX_INPUT_TOKENS
    estimate_margin: float = 0.9  # share of max_tokens a batch may fill when tokens are estimated

    def __post_init__(self) -> None:
        for name in ("max_inputs", "max_tokens", "max_input_tokens"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name.replace('_', ' ')} must be at least 1")
        if not 0 < self.estimate_margin <= 1:
            raise UsageError("the estimate margin must be in (0, 1]")

    def batch_budget(self, *, exact: bool) -> int:
        """Tokens a batch may hold: the full limit when counts are exact, less when estimated."""
        if exact:
            return self.max_tokens
        return max(1, int(self.max_tokens * self.estimate_margin))


@dataclass(frozen=True, slots=True)
class Entry:
    """An input ready to send: the item, the text sent (maybe truncated) and its token count."""

    item: Item
    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Batch:
    """The inputs of one request, in input order."""

    entries: tuple[Entry, ...]
    tokens: int


@dataclass(slots=True)
class Tally:
    """Inputs set aside on the way: blank ones skipped, over-long ones truncated."""

    blank: int = 0
    truncated: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run would do, computed without calling the API (`--dry-run`)."""

    inputs: int
    tokens: int
    requests: int
    blank: int
    truncated: int
    exact: bool


def prepare(
    items: Iterable[Item], *, counter: TokenCounter, limits: Limits, truncate: bool, tally: Tally
) -> Iterator[Entry]:
    """Skip blank items, count tokens, and refuse (or truncate) inputs over the per-input limit."""
    cap = limits.max_input_tokens
    for item in items:
        if is_blank(item.text):
            tally.blank += 1
            continue
        tokens = counter.count(item.text)
        if tokens <= cap:
            yield Entry(item, item.text, tokens)
            continue
        if not truncate:
            raise InputError(item.line, _too_long(item, tokens, cap, counter.exact), _TOO_LONG_HINT)
        text = counter.truncate(item.text, cap)
        tally.truncated += 1
        yield Entry(item, text, counter.count(text))


_TOO_LONG_HINT = "shorten or split that input, or pass --truncate to cut it at the limit"


def _too_long(item: Item, tokens: int, cap: int, exact: bool) -> str:
    about = "" if exact else "~"
    where = "" if item.id is None else f" (id {json.dumps(item.id)})"
    return f"input{where} has {about}{tokens:,} tokens, over the per-input limit of {cap:,}"


def pack(entries: Iterable[Entry], *, limits: Limits, exact: bool) -> Iterator[Batch]:
    """Greedy packing in input order within both limits; an input is never split.

    An input alone over the batch budget still goes, alone. If reading the input fails, the
    batch being built is yielded first, so everything before the bad line can be embedded.
    """
    budget = limits.batch_budget(exact=exact)
    current: list[Entry] = []
    tokens = 0
    source = iter(entries)
    while True:
        try:
            entry = next(source)
        except StopIteration:
            break
        except Exception:  # re-raised below, once the inputs read so far are handed on
            if current:
                yield Batch(tuple(current), tokens)
            raise
        if current and (len(current) >= limits.max_inputs or tokens + entry.tokens > budget):
            yield Batch(tuple(current), tokens)
            current, tokens = [], 0
        current.append(entry)
        tokens += entry.tokens
    if current:
        yield Batch(tuple(current), tokens)


def batches(
    items: Iterable[Item], *, counter: TokenCounter, limits: Limits, truncate: bool, tally: Tally
) -> Iterator[Batch]:
    """Items to request-sized batches, lazily: prepare, then pack."""
    entries = prepare(items, counter=counter, limits=limits, truncate=truncate, tally=tally)
    return pack(entries, limits=limits, exact=counter.exact)


def plan_embed(
    items: Iterable[Item], *, counter: TokenCounter, limits: Limits, truncate: bool = False
) -> Plan:
    """Inputs, tokens and requests a run would use, without any API call (`--dry-run`)."""
    tally = Tally()
    inputs = tokens = requests = 0
    for batch in batches(items, counter=counter, limits=limits, truncate=truncate, tally=tally):
        inputs += len(batch.entries)
        tokens += batch.tokens
        requests += 1
    return Plan(inputs, tokens, requests, tally.blank, tally.truncated, counter.exact)
