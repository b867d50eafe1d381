"""Models: the list (cached), one card, and the resolver every command uses for -m."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli import fsio
from mistral_cli.services.model_cards import Card, from_models, read_cards
from mistral_cli.services.model_names import UnknownModel, find, resolve

if TYPE_CHECKING:  # the pydantic cards load only for a fetched list or one card (`models show`)
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from mistral_cli.api.parse import AnswerClient as ModelsClient
    from mistral_cli.api.schemas.models import ModelCard

CACHE_TTL = 24 * 3600.0
COLUMNS = ("ID", "CONTEXT", "CHAT", "TOOLS", "VISION", "FINE-TUNE", "EMBED", "NOTE")
YES, NO = "✓", "·"

__all__ = [  # Card lives in model_cards.py, UnknownModel, find and resolve in model_names.py
    "CACHE_TTL",
    "COLUMNS",
    "NO",
    "YES",
    "Card",
    "ModelCache",
    "UnknownModel",
    "context_label",
    "details",
    "fetch_models",
    "find",
    "get_model",
    "list_models",
    "parse_model_list",
    "resolve",
    "row",
    "visible",
]


def parse_model_list(data: object, *, where: str = "GET /v1/models") -> list[ModelCard]:
    """Accept `{object, data: [...]}` or a bare list of cards; unreadable cards are skipped."""
    from mistral_cli.api import parse
    from mistral_cli.api.schemas.models import ModelList

    return parse.answer(ModelList, data, where=where).data


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

        Read without pydantic, as ModelList reads them (services/model_cards.py).
        """
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            fresh = self.clock() - float(document["fetched_at"]) <= self.ttl
            return read_cards(document["data"]) if fresh or allow_stale else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, cards: Iterable[ModelCard | Card]) -> None:
        """Write atomically (plus model-ids.txt for shell completion); failures are not errors."""
        cards = list(cards)
        document = {
            "fetched_at": self.clock(),
            "data": [card.wire() for card in cards],
        }
        try:
            fsio.private_dir(self.path.parent)
            fsio.atomic_write(self.path, json.dumps(document))  # 0600, whole or not at all
            ids = sorted({card.id for card in cards} | {a for card in cards for a in card.aliases})
            fsio.atomic_write(self.path.parent / "model-ids.txt", "\n".join(ids) + "\n")
        except OSError:
            return


def fetch_models(client: ModelsClient) -> list[ModelCard]:
    """GET /v1/models (a card that cannot be read is skipped, noted with --debug)."""
    from mistral_cli.api.schemas.models import ModelList

    return client.send("GET", "/v1/models", into=ModelList).data


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
    cards = fetch_models(client if hasattr(client, "send") else client())
    if cache is not None:
        cache.save(cards)
    return from_models(cards)


def visible(cards: Iterable[Card], *, include_internal: bool = False) -> list[Card]:
    """Cards sorted by id, internal ones hidden unless asked."""
    shown = [card for card in cards if include_internal or not card.internal]
    return sorted(shown, key=lambda card: card.id)


def get_model(client: ModelsClient, model_id: str) -> ModelCard:
    """GET /v1/models/{id}."""
    from mistral_cli.api.schemas.models import ModelCard

    return client.send("GET", f"/v1/models/{model_id}", into=ModelCard)


def context_label(tokens: int | None) -> str:
    """256000 → '256k', 131072 → '128k'."""
    if not tokens:
        return "?"
    if tokens >= 1024 and tokens % 1024 == 0:
        return f"{tokens // 1024}k"
    return f"{round(tokens / 1000)}k" if tokens >= 1000 else str(tokens)


def row(card: Card, *, glyphs: bool = True) -> list[str]:
    """One table row for `models list` (see COLUMNS); `?` where the card does not say.

    Capabilities are ✓/· on a terminal; piped (`glyphs=False`) they are `true`/`false`
    (`unknown` where the card does not say), words a script can match.
    """
    caps = card.caps
    yes, no, unsure = (YES, NO, "?") if glyphs else ("true", "false", "unknown")

    def mark(flag: bool | None) -> str:  # a tiny local formatter
        return unsure if flag is None else yes if flag else no

    note = ""
    if card.deprecation:
        replacement = card.deprecation_replacement_model
        note = f"deprecated {card.deprecation[:10]}" + (f" → {replacement}" if replacement else "")
    elif card.type not in (None, "base"):
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
    caps = [name for name, value in card.caps.model_dump().items() if value is True]
    pairs = [
        ("id", card.id),
        ("name", card.name or ""),
        ("type", card.type or "?"),
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
