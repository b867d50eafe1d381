"""The fake's model catalogue: realistic cards, GET /v1/models and GET /v1/models/{model_id}.

Fine-tuned cards can also be managed as the API does: renamed or described (PATCH
/v1/fine_tuning/models/{model_id}), archived and unarchived, deleted (DELETE /v1/models/{id}).
Base cards, and ids the catalogue lacks, answer 404.
"""

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
CLASSIFIER_ID: Final = "ft:ministral-3b-latest:7d1e40aa:20260802:c1a55f13"
WORKSPACE: Final = "7d1e40aa-3c41-4f5e-9a52-0b5c8f1e6d21"
# The classifier's targets (ClassifierTargetResult), as its training job inferred them
CLASSIFIER_TARGETS: Final = (
    {
        "name": "sentiment",
        "labels": ["negative", "neutral", "positive"],
        "weight": 1.0,
        "loss_function": "single_class",
    },
    {
        "name": "topics",
        "labels": ["billing", "shipping", "other"],
        "weight": 1.0,
        "loss_function": "multi_class",
    },
)
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
        owned_by=WORKSPACE,
        created=1785542400,
        type="fine-tuned",
        job="5c2b9e10-6f4d-4a8e-b1c7-2d9e8f3a4b5c",
        root="ministral-8b-latest",
        archived=False,
    )
    return card


def _classifier() -> Card:
    card = _card(
        CLASSIFIER_ID,
        "Fine-tuned ministral-3b-latest classifier",
        ("classification",),
        context=131072,
        temperature=None,
    )
    card.update(
        owned_by=WORKSPACE,
        created=1785628800,
        type="fine-tuned",
        job="9e4f2a61-0b3c-4d5e-8f71-a2b3c4d5e6f7",
        root="ministral-3b-latest",
        archived=False,
    )
    return card


def _moderation(model_id: str, alias: str) -> Card:
    description = "Moderation classifier: nine policy categories."
    return _card(
        model_id, description, ("moderation",), context=8192, aliases=(alias,), temperature=None
    )


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
        _moderation("mistral-moderation-latest", "mistral-moderation-2411"),
        _moderation("mistral-moderation-2411", "mistral-moderation-latest"),
        _fine_tuned(),
        _classifier(),
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
            return _not_found(request, params["model_id"])
        return json_response(200, card)

    # ------------------------------------------------------------ fine-tuned models

    def own(self, model_id: str) -> Card | None:
        """The fine-tuned card with exactly this id (no aliases), else None."""
        card = next((card for card in self.cards if card["id"] == model_id), None)
        return card if card is not None and card.get("type") == "fine-tuned" else None

    @route("PATCH", "/v1/fine_tuning/models/{model_id}")
    def update_model(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Set `name` and/or `description`; answer the fine-tuned model (by its model_type)."""
        card = self.own(params["model_id"])
        if card is None:
            return _not_found(request, params["model_id"])
        card.update(request.json())
        return json_response(200, fine_tuned_model(card))

    @route("POST", "/v1/fine_tuning/models/{model_id}/archive")
    def archive(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Archive a fine-tuned model."""
        return self._set_archived(request, params["model_id"], archived=True)

    @route("DELETE", "/v1/fine_tuning/models/{model_id}/archive")
    def unarchive(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Unarchive a fine-tuned model."""
        return self._set_archived(request, params["model_id"], archived=False)

    def _set_archived(self, request: FakeRequest, model_id: str, *, archived: bool) -> FakeResponse:
        card = self.own(model_id)
        if card is None:
            return _not_found(request, model_id)
        card["archived"] = archived
        return json_response(200, {"id": model_id, "object": "model", "archived": archived})

    @route("DELETE", "/v1/models/{model_id}")
    def delete_model(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Delete a fine-tuned model (base models: 404, as for an unknown id)."""
        card = self.own(params["model_id"])
        if card is None:
            return _not_found(request, params["model_id"])
        self.cards.remove(card)
        return json_response(200, {"id": card["id"], "object": "model", "deleted": True})


def fine_tuned_model(card: Card) -> Card:
    """A card as the PATCH route answers it (Completion- or ClassifierFineTunedModel)."""
    classifier = card["id"] == CLASSIFIER_ID
    caps = card["capabilities"]
    answer: Card = {
        "id": card["id"],
        "object": "model",
        "created": card["created"],
        "owned_by": card["owned_by"],
        "workspace_id": WORKSPACE,
        "root": card["root"],
        "root_version": "2410",
        "archived": card["archived"],
        "name": card.get("name"),
        "description": card.get("description"),
        "capabilities": {
            name: caps[name]
            for name in (
                "completion_chat",
                "completion_fim",
                "function_calling",
                "fine_tuning",
                "classification",
            )
        },
        "max_context_length": card["max_context_length"],
        "aliases": card["aliases"],
        "job": card["job"],
        "model_type": "classifier" if classifier else "completion",
    }
    if classifier:
        answer["classifier_targets"] = [dict(target) for target in CLASSIFIER_TARGETS]
    return answer


def _not_found(request: FakeRequest, model_id: str) -> FakeResponse:
    return api_error(request, 404, f"Model not found: {model_id}", "invalid_request_error")
