"""Resolving -m: exact id or alias, `-latest`, user aliases, retired names, close matches.

Works on anything with the names of a card (`Named`): the cheap `Card` read straight from the
cached list (services/model_cards.py), so resolving a model for a one-shot chat builds no
pydantic model, or the pydantic ModelCard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# Names from older guides that the API no longer lists, and a current choice to suggest.
RETIRED: Mapping[str, str] = {
    "mistral-tiny": "ministral-8b-latest",
    "open-mistral-7b": "ministral-8b-latest",
    "open-mistral-nemo": "ministral-8b-latest",
    "open-mixtral-8x7b": "mistral-small-latest",
    "open-mixtral-8x22b": "mistral-medium-latest",
    "mistral-small": "mistral-small-latest",
    "mistral-medium": "mistral-medium-latest",
    "mistral-large": "mistral-large-latest",
    "codestral-mamba": "codestral-latest",
}
RETIRED_PREFIXES: tuple[tuple[str, str], ...] = (
    ("pixtral-", "mistral-medium-latest"),
    ("magistral-", "mistral-medium-latest"),
    ("devstral-", "codestral-latest"),
    ("ministral-8b-24", "ministral-8b-latest"),
    ("ministral-3b-24", "ministral-3b-latest"),
)


class Named(Protocol):
    """What resolving needs of a model card."""

    @property
    def id(self) -> str:
        """The model id."""
        ...

    @property
    def aliases(self) -> list[str]:
        """Other names of the same model."""
        ...

    @property
    def deprecation(self) -> str | None:
        """When the model goes away (ISO date), if it does."""
        ...

    @property
    def deprecation_replacement_model(self) -> str | None:
        """What to use instead, if the card says."""
        ...


C = TypeVar("C", bound=Named)


class UnknownModel(UsageError):
    """A -m name that matches no model (exit 2), with close matches as the hint."""


def find(name: str, cards: Iterable[C]) -> C | None:
    """The card whose id or alias is exactly `name`."""
    cards = list(cards)
    for card in cards:
        if card.id == name:
            return card
    for card in cards:
        if name in card.aliases:
            return card
    return None


def resolve(name: str, cards: Iterable[Named], aliases: Mapping[str, str]) -> str:
    """Exact id or alias; `<name>-latest`; a user alias; a unique `ft:` prefix; else unknown."""
    cards = list(cards)
    name = name.strip()
    if find(name, cards) is not None:
        return name
    if find(f"{name}-latest", cards) is not None:
        return f"{name}-latest"
    if name in aliases:
        target = aliases[name]
        return resolve(target, cards, {}) if target != name else target
    if name.startswith("ft:"):
        return _fine_tuned_prefix(name, cards)
    raise _unknown(name, cards)


def _fine_tuned_prefix(name: str, cards: Sequence[Named]) -> str:
    """The one fine-tuned id starting with `name` (`ft:ministral-8b-latest:7d1e`)."""
    matches = sorted(card.id for card in cards if card.id.startswith(name))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise _unknown(name, cards)
    shown = ", ".join(matches[:3]) + (", …" if len(matches) > 3 else "")
    raise UnknownModel(
        f"'{name}' matches {len(matches)} fine-tuned models: {shown}",
        hint="give more of the id (`mistral models list --owned` shows them)",
    )


def _unknown(name: str, cards: Sequence[Named]) -> UnknownModel:
    known = sorted({card.id for card in cards} | {a for card in cards for a in card.aliases})
    retired = RETIRED.get(name) or next(
        (new for prefix, new in RETIRED_PREFIXES if name.startswith(prefix)), None
    )
    if retired:
        return UnknownModel(
            f"model '{name}' was retired by Mistral and is no longer served.",
            hint=f"use {retired} instead (`mistral models list` shows all)",
        )
    close = _suggestions(name, known, cards)
    if close:
        hint = f"did you mean {' or '.join(close)}? (`mistral models list` shows all)"
    else:
        hint = "`mistral models list` shows the models your key can use"
    return UnknownModel(f"unknown model '{name}'.", hint=hint)


def _suggestions(name: str, known: list[str], cards: Sequence[Named]) -> list[str]:
    """Close matches, best first, dated ids shown as their `-latest` alias, weak ones dropped."""
    import difflib  # only when a name is unknown

    scored = sorted(
        (
            (difflib.SequenceMatcher(None, name, candidate).ratio(), candidate)
            for candidate in known
        ),
        reverse=True,
    )
    best = scored[0][0] if scored else 0.0
    picks: list[str] = []
    for score, candidate in scored:
        if score < max(0.6, best - 0.06) or len(picks) == 3:
            break
        card = find(candidate, cards)
        latest = [a for a in ([card.id, *card.aliases] if card else []) if a.endswith("-latest")]
        shown = latest[0] if latest else candidate
        if shown not in picks:
            picks.append(shown)
    return picks
