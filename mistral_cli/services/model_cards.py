"""Model cards read without pydantic: the one cheap view of the model list (`Card`).

A warm `mistral models list`, a `-m` name resolved for a one-shot chat, or classify's default
moderation model needs a few fields of each cached card; importing pydantic and building the
schema classes cost more than the rest of the command. `read_cards` reads a model list as the
pydantic ModelList does (api/schemas/models.py), by the same lenient rules (api/values.py): an
item that is no object or has no readable, non-empty id is skipped; a null, missing or odd field
is unknown (None, an empty list, ModelCard's default); unknown fields are ignored. Each card keeps
its document, so `--json` re-emits it as the server sent it (`wire()`).
tests/unit/test_model_cards.py holds the two readers to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from mistral_cli.api.values import as_flag, as_float, as_int, as_text

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mistral_cli.api.schemas.models import ModelCard


@dataclass(frozen=True)
class Caps:
    """What a model can do, as ModelCard's Capabilities: each flag None where the card is silent."""

    completion_chat: bool | None = None
    function_calling: bool | None = None
    reasoning: bool | None = None
    completion_fim: bool | None = None
    fine_tuning: bool | None = None
    vision: bool | None = None
    ocr: bool | None = None
    classification: bool | None = None
    moderation: bool | None = None
    audio: bool | None = None


CAP_NAMES = tuple(f.name for f in fields(Caps))
UNKNOWN_CAPS = Caps()


@dataclass(frozen=True)
class Card:
    """One card of the model list: the fields ModelCard reads, and the document as sent."""

    id: str
    aliases: list[str] = field(default_factory=list)
    type: str | None = "base"
    name: str | None = None
    owned_by: str | None = None
    description: str | None = None
    created: int | None = None
    max_context_length: int | None = None
    deprecation: str | None = None
    deprecation_replacement_model: str | None = None
    default_model_temperature: float | None = None
    internal: bool | None = None
    archived: bool | None = None
    job: str | None = None
    root: str | None = None
    caps: Caps = UNKNOWN_CAPS
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def embeddings(self) -> bool:
        """ModelCard.embeddings' rule: an embedding model advertises no chat capability."""
        return "embed" in self.id and not self.caps.completion_chat

    def wire(self) -> dict[str, Any]:
        """The card as the server sent it (nulls, odd values and unknown fields included)."""
        return dict(self.raw)


def read_cards(data: object) -> list[Card] | None:
    """The cards of a model list (`{data: [...]}` or a bare list), None if it is no list at all.

    None exactly where ModelList fails (a list document without `data`, or no object or list);
    `data` null or odd is an empty list, as ModelList reads it.
    """
    if isinstance(data, dict):
        if "data" not in data:
            return None
        data = data["data"]
        if not isinstance(data, list):
            return []
    if not isinstance(data, list):
        return None
    return [card for card in map(read_card, data) if card is not None]


def read_card(item: object) -> Card | None:
    """One card, or None where ModelList skips it (no object, no readable non-empty id)."""
    if not isinstance(item, dict):
        return None
    model_id = as_text(item.get("id"))
    if not model_id:
        return None
    get = item.get
    return Card(
        id=model_id,
        aliases=_texts(get("aliases")),
        type=as_text(get("type")) if "type" in item else "base",
        name=as_text(get("name")),
        owned_by=as_text(get("owned_by")),
        description=as_text(get("description")),
        created=as_int(get("created")),
        max_context_length=as_int(get("max_context_length")),
        deprecation=as_text(get("deprecation")),
        deprecation_replacement_model=as_text(get("deprecation_replacement_model")),
        default_model_temperature=as_float(get("default_model_temperature")),
        internal=as_flag(get("internal")),
        archived=as_flag(get("archived")),
        job=as_text(get("job")),
        root=as_text(get("root")),
        caps=_caps(get("capabilities")),
        raw=item,
    )


def from_models(cards: Iterable[ModelCard]) -> list[Card]:
    """Cards read by pydantic (a fresh GET /v1/models) as the same cheap view."""
    return [card for card in (read_card(model.wire()) for model in cards) if card is not None]


def _caps(value: object) -> Caps:
    """Every flag unknown when the capabilities are missing, null or no object."""
    if not isinstance(value, dict):
        return UNKNOWN_CAPS
    return Caps(*(as_flag(value.get(name)) for name in CAP_NAMES))


def _texts(value: object) -> list[str]:
    """A list of strings: one string alone counts, items that are none are dropped."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return []
    return [text for text in map(as_text, value) if text is not None]
