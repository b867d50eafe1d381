"""The fake's model catalogue: realistic cards, GET /v1/models and GET /v1/models/{model_id}."""

from __future__ import annotations

from typing import Any, Final, Literal

from tests.fakes.router import FakeMistral, FakeModule, PathParams, route
from tests.fakes.wire import FakeRequest, FakeResponse, api_error, json_response

Card = dict[str, Any]
_CAPABILITIES: Final = (
    "completion_chat",
    "function_calling",
    "reasoning",
    "completion_fim",
    "fine_tuning",
    "vision",
    "ocr",
    "classification",
    "moderation",
    "audio",
    "audio_transcription",
    "audio_transcription_realtime",
    "audio_speech",
    "unified_resources",
)
CHAT: Final = ("completion_chat", "function_calling")
FINE_TUNED_ID: Final = "ft:ministral-8b-latest:7d1e40aa:20260801:a1b2c3d4"
EMBEDDING_DIMENSIONS: Final = {"mistral-embed": 1024, "codestral-embed": 1536}  # by card id


def _card(
    model_id: str,
    description: str,
    capabilities: tuple[str, ...],
    *,
    context: int = 262144,
    aliases: tuple[str, ...] = (),
    temperature: float | None = 0.3,
    deprecation: str | None = None,
    replacement: str | None = None,
    created: int = 1764547200,
) -> Card:
    return {
        "id": model_id,
        "object": "model",
        "created": created,
        "owned_by": "mistralai",
        "capabilities": {name: name in capabilities for name in _CAPABILITIES},
        "name": model_id,
        "description": description,
        "max_context_length": context,
        "aliases": list(aliases),
        "deprecation": deprecation,
        "deprecation_replacement_model": replacement,
        "default_model_temperature": temperature,
        "type": "base",
    }


def _fine_tuned() -> Card:
    card = _card(
        FINE_TUNED_ID, "Fine-tuned ministral-8b-latest", CHAT, context=131072, temperature=0.3
    )
    card.update(
        owned_by="7d1e40aa-3c41-4f5e-9a52-0b5c8f1e6d21",
        created=1785542400,
        type="fine-tuned",
        job="5c2b9e10-6f4d-4a8e-b1c7-2d9e8f3a4b5c",
        root="ministral-8b-latest",
        archived=False,
    )
    return card


def default_cards() -> list[Card]:
    """Return fresh copies of the default catalogue (current ids only, no retired ones)."""
    vision = (*CHAT, "vision")
    medium = "Frontier-class multimodal model."
    return [
        _card("mistral-large-latest", "Mistral's flagship model.", vision, temperature=0.7),
        _card("mistral-medium-latest", medium, vision, aliases=("mistral-medium-3-5",)),
        _card("mistral-medium-3-5", medium, vision, aliases=("mistral-medium-latest",)),
        _card(
            "mistral-medium-2508",
            "Mistral Medium 3.1 (August 2025).",
            vision,
            aliases=("mistral-medium-latest",),
            deprecation="2026-08-31T12:00:00Z",
            replacement="mistral-medium-latest",
            created=1754006400,
        ),
        _card(
            "mistral-small-latest",
            "Efficient model with optional reasoning.",
            (*vision, "reasoning", "fine_tuning"),
            aliases=("mistral-small-2506",),
        ),
        _card(
            "mistral-small-2506",
            "Mistral Small 3.2 (June 2025).",
            (*vision, "fine_tuning"),
            context=131072,
            aliases=("mistral-small-latest",),
            created=1750204800,
        ),
        _card("ministral-8b-latest", "Small edge model.", (*CHAT, "fine_tuning"), context=131072),
        _card("ministral-3b-latest", "Tiny edge model.", (*CHAT, "fine_tuning"), context=131072),
        _card("codestral-latest", "Code model.", (*CHAT, "completion_fim"), context=131072),
        _card(
            "mistral-embed",
            "Text embeddings, 1024 dimensions.",
            (),
            context=8192,
            aliases=("mistral-embed-2312",),
            temperature=None,
        ),
        _card(
            "codestral-embed",
            "Code embeddings, up to 3072 dimensions.",
            (),
            context=8192,
            aliases=("codestral-embed-2505",),
            temperature=None,
        ),
        _fine_tuned(),
    ]


class ModelCatalog(FakeModule):
    """Model cards: tests may edit `cards`, or set `list_shape = "list"` (the spec's example)."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.cards: list[Card] = default_cards()
        self.list_shape: Literal["object", "list"] = "object"

    def find(self, model: str) -> Card | None:
        """Return the card whose id, else one of whose aliases, equals `model`."""
        by_id = next((card for card in self.cards if card["id"] == model), None)
        return by_id or next(
            (card for card in self.cards if model in card.get("aliases", [])), None
        )

    def get(self, model: str) -> Card:
        """Return a card by id or alias; KeyError when unknown."""
        card = self.find(model)
        if card is None:
            raise KeyError(model)
        return card

    @route("GET", "/v1/models")
    def list_models(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """List every card, as {"object": "list", "data": [...]} or as a bare list."""
        if self.list_shape == "list":
            return json_response(200, self.cards)
        return json_response(200, {"object": "list", "data": self.cards})

    @route("GET", "/v1/models/{model_id}")
    def get_model(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Return one card (by id or alias), or 404."""
        card = self.find(params["model_id"])
        if card is None:
            message = f"Model not found: {params['model_id']}"
            return api_error(request, 404, message, "invalid_request_error")
        return json_response(200, card)
