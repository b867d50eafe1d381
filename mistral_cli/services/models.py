"""Models: the list (cached), one card, and the resolver every command uses for -m."""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mistral_cli import fsio
from mistral_cli.errors import UsageError
from mistral_cli.services.model_cards import Card, cached_cards

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

    from mistral_cli.api.schemas.models import ModelCard

CACHE_TTL = 24 * 3600.0
COLUMNS = ("ID", "CONTEXT", "CHAT", "TOOLS", "VISION", "FINE-TUNE", "EMBED", "NOTE")
YES, NO = "✓", "·"

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


class ModelsClient(Protocol):
    """What this service needs from the API client."""

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:  # noqa: ANN401
        """GET a JSON document."""
        ...


class UnknownModel(UsageError):
    """A -m name that matches no model (exit 2), with close matches as the hint."""


def parse_model_list(data: object) -> list[ModelCard]:
    """Accept `{object, data: [...]}` or a bare list of cards (the spec's own example)."""
    from mistral_cli.api.schemas.models import ModelCard  # pydantic: only when parsing

    items = data.get("data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UsageError("the server's model list has an unexpected shape")
    return [ModelCard.model_validate(item) for item in items if isinstance(item, dict)]


@dataclass(frozen=True)
class ModelCache:
    """The model list on disk, per server and key (the key itself is never stored)."""

    path: Path
    ttl: float = CACHE_TTL
    clock: Callable[[], float] = time.time

    @classmethod
    def for_account(cls, cache_dir: Path, base_url: str, api_key: str) -> ModelCache:
        """One cache file per (server, key) pair, named by a hash of both."""
        digest = hashlib.sha256(f"{base_url}\0{api_key}".encode()).hexdigest()[:16]
        return cls(cache_dir / f"models-{digest}.json")

    def load(self, *, allow_stale: bool = False) -> list[Card] | None:
        """The cached cards, or None when missing, unreadable or older than the TTL.

        Cards as this CLI wrote them are read without pydantic (services/model_cards.py).
        """
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            fresh = self.clock() - float(document["fetched_at"]) <= self.ttl
            if not fresh and not allow_stale:
                return None
            cards = cached_cards(document["data"])
            return list(cards) if cards is not None else list(parse_model_list(document["data"]))
        except (OSError, ValueError, KeyError, TypeError, UsageError):
            return None

    def save(self, cards: Iterable[ModelCard]) -> None:
        """Write atomically (plus model-ids.txt for shell completion); failures are not errors."""
        cards = list(cards)
        document = {
            "fetched_at": self.clock(),
            "data": [card.model_dump(mode="json", exclude_none=True) for card in cards],
        }
        try:
            fsio.private_dir(self.path.parent)
            fsio.atomic_write(self.path, json.dumps(document))  # 0600, whole or not at all
            ids = sorted({card.id for card in cards} | {a for card in cards for a in card.aliases})
            fsio.atomic_write(self.path.parent / "model-ids.txt", "\n".join(ids) + "\n")
        except OSError:
            return


def fetch_models(client: ModelsClient) -> list[ModelCard]:
    """GET /v1/models."""
    return parse_model_list(client.get("/v1/models"))


def list_models(
    client: ModelsClient | Callable[[], ModelsClient],
    cache: ModelCache | None = None,
    *,
    refresh: bool = False,
) -> list[Card]:
    """The model list: from the cache when fresh, else fetched (and cached).

    `client` may be a factory (e.g. AppContext.client): it is called only on a cache miss, so
    a cached list costs no HTTP client (importing httpx, building a TLS context).
    """
    if cache is not None and not refresh:
        cached = cache.load()
        if cached is not None:
            return cached
    cards = fetch_models(client if hasattr(client, "get") else client())
    if cache is not None:
        cache.save(cards)
    return list(cards)


def visible(cards: Iterable[Card], *, include_internal: bool = False) -> list[Card]:
    """Cards sorted by id, internal ones hidden unless asked."""
    shown = [card for card in cards if include_internal or not card.internal]
    return sorted(shown, key=lambda card: card.id)


def get_model(client: ModelsClient, model_id: str) -> ModelCard:
    """GET /v1/models/{id}."""
    from mistral_cli.api.schemas.models import ModelCard

    return ModelCard.model_validate(client.get(f"/v1/models/{model_id}"))


def find(name: str, cards: Iterable[Card]) -> Card | None:
    """The card whose id or alias is exactly `name`."""
    cards = list(cards)
    for card in cards:
        if card.id == name:
            return card
    for card in cards:
        if name in card.aliases:
            return card
    return None


def resolve(name: str, cards: Iterable[Card], aliases: Mapping[str, str]) -> str:
    """Exact id or alias; then `<name>-latest`; then a user alias; else UnknownModel."""
    cards = list(cards)
    name = name.strip()
    if find(name, cards) is not None:
        return name
    if find(f"{name}-latest", cards) is not None:
        return f"{name}-latest"
    if name in aliases:
        target = aliases[name]
        return resolve(target, cards, {}) if target != name else target
    raise _unknown(name, cards)


def _unknown(name: str, cards: list[Card]) -> UnknownModel:
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


def _suggestions(name: str, known: list[str], cards: list[Card]) -> list[str]:
    """Close matches, best first, dated ids shown as their `-latest` alias, weak ones dropped."""
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


def context_label(tokens: int | None) -> str:
    """256000 → '256k', 131072 → '128k'."""
    if not tokens:
        return "?"
    if tokens >= 1024 and tokens % 1024 == 0:
        return f"{tokens // 1024}k"
    return f"{round(tokens / 1000)}k" if tokens >= 1000 else str(tokens)


def row(card: Card) -> list[str]:
    """One table row for `models list` (see COLUMNS)."""
    caps = card.capabilities

    def mark(flag: bool) -> str:  # a tiny local formatter
        return YES if flag else NO

    note = ""
    if card.deprecation:
        replacement = card.deprecation_replacement_model
        note = f"deprecated {card.deprecation[:10]}" + (f" → {replacement}" if replacement else "")
    elif card.type != "base":
        note = card.type
    return [
        card.id,
        context_label(card.max_context_length),
        mark(caps.completion_chat),
        mark(caps.function_calling),
        mark(caps.vision),
        mark(caps.fine_tuning),
        mark(card.embeddings),
        note,
    ]


def details(card: ModelCard) -> list[tuple[str, str]]:
    """Key/value pairs for `models show`."""
    caps = [name for name, value in card.capabilities.model_dump().items() if value is True]
    pairs = [
        ("id", card.id),
        ("name", card.name or ""),
        ("type", card.type),
        ("owned by", card.owned_by or ""),
        ("context", f"{card.max_context_length:,} tokens" if card.max_context_length else "?"),
        ("capabilities", ", ".join(caps) or "none listed"),
        ("aliases", ", ".join(card.aliases) or "none"),
        ("default temperature", _text(card.default_model_temperature)),
        ("deprecation", card.deprecation or "none"),
    ]
    if card.deprecation_replacement_model:
        pairs.append(("replacement", card.deprecation_replacement_model))
    if card.description:
        pairs.append(("description", card.description))
    return pairs


def _text(value: object) -> str:
    return "default" if value is None else str(value)
