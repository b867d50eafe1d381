"""Model cards as commands read them (Card), and cached cards read without pydantic (CachedCard).

A warm `mistral models list`, or a `-m` name resolved from the cache, needs a few fields of each
card; importing pydantic and building the schema classes cost more than the rest of the command.
The cache holds cards as this CLI wrote them, so a card whose fields already have their exact
JSON types is read as it is. If any card in the file is otherwise, the whole list goes through
ModelCard as before. `model_dump()` (for --json) validates the card with ModelCard: the same
document as ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

FLAGS = ("completion_chat", "function_calling", "vision", "fine_tuning")
OPTIONAL: dict[str, type] = {  # absent means None, as in ModelCard
    "internal": bool,
    "deprecation": str,
    "deprecation_replacement_model": str,
    "max_context_length": int,
}


class CardCaps(Protocol):
    """The capabilities the model table shows."""

    @property
    def completion_chat(self) -> bool:  # noqa: D102
        ...

    @property
    def function_calling(self) -> bool:  # noqa: D102
        ...

    @property
    def vision(self) -> bool:  # noqa: D102
        ...

    @property
    def fine_tuning(self) -> bool:  # noqa: D102
        ...


class Card(Protocol):
    """What the list, the table and the resolver read: a ModelCard, or a CachedCard."""

    @property
    def id(self) -> str:  # noqa: D102
        ...

    @property
    def aliases(self) -> list[str]:  # noqa: D102
        ...

    @property
    def type(self) -> str:  # noqa: D102
        ...

    @property
    def internal(self) -> bool | None:  # noqa: D102
        ...

    @property
    def deprecation(self) -> str | None:  # noqa: D102
        ...

    @property
    def deprecation_replacement_model(self) -> str | None:  # noqa: D102
        ...

    @property
    def max_context_length(self) -> int | None:  # noqa: D102
        ...

    @property
    def capabilities(self) -> CardCaps:  # noqa: D102
        ...

    @property
    def embeddings(self) -> bool:  # noqa: D102
        ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]:  # noqa: D102
        ...


@dataclass(frozen=True, slots=True)
class CachedCaps:
    """The four capability flags of a cached card."""

    completion_chat: bool
    function_calling: bool
    vision: bool
    fine_tuning: bool


@dataclass(frozen=True, slots=True)
class CachedCard:
    """A cached card read as it was written: the fields Card needs, and the document."""

    id: str
    aliases: list[str]
    type: str
    internal: bool | None
    deprecation: str | None
    deprecation_replacement_model: str | None
    max_context_length: int | None
    capabilities: CachedCaps
    raw: dict[str, Any] = field(repr=False)

    @property
    def embeddings(self) -> bool:
        """ModelCard.embeddings' rule: an embedding model advertises no chat capability."""
        return "embed" in self.id and not self.capabilities.completion_chat

    def model_dump(self, *, mode: str = "python") -> dict[str, Any]:
        """The card as ModelCard validates and dumps it (imports pydantic)."""
        from mistral_cli.api.schemas.models import ModelCard

        return ModelCard.model_validate(self.raw).model_dump(mode=mode)


def _exact(value: object, kind: type) -> bool:
    """`value` is of JSON type `kind` itself (no bool for int, no coercion to guess)."""
    return type(value) is kind


def _as_written(raw: dict[str, Any]) -> bool:
    """Every field Card reads is present (or optional and absent) with its exact type."""
    caps, aliases = raw.get("capabilities"), raw.get("aliases", [])
    return (
        _exact(raw.get("id"), str)
        and bool(raw["id"])
        and _exact(raw.get("type"), str)
        and isinstance(caps, dict)
        and all(_exact(caps.get(flag), bool) for flag in FLAGS)
        and _exact(aliases, list)
        and all(_exact(alias, str) for alias in aliases)
        and all(raw.get(name) is None or _exact(raw[name], kind) for name, kind in OPTIONAL.items())
    )


def cached_card(raw: object) -> CachedCard | None:
    """The card as written to the cache, or None if it is not (then ModelCard reads it)."""
    if not isinstance(raw, dict) or not _as_written(raw):
        return None
    caps = raw["capabilities"]
    return CachedCard(
        id=raw["id"],
        aliases=list(raw.get("aliases", [])),
        type=raw["type"],
        internal=raw.get("internal"),
        deprecation=raw.get("deprecation"),
        deprecation_replacement_model=raw.get("deprecation_replacement_model"),
        max_context_length=raw.get("max_context_length"),
        capabilities=CachedCaps(*(caps[flag] for flag in FLAGS)),
        raw=raw,
    )


def cached_cards(data: object) -> Sequence[CachedCard] | None:
    """Every card of a cached list read as it was written, or None if one is not."""
    if not isinstance(data, list):
        return None
    cards = [cached_card(item) for item in data]
    return None if any(card is None for card in cards) else [c for c in cards if c is not None]
