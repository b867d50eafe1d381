"""Model cards from GET /v1/models and GET /v1/models/{id}."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from mistral_cli.api.schemas import Page, Response
from mistral_cli.api.schemas.lenient import Flag, Float, Id, Int, Items, Opt, Text, Texts


class Capabilities(Response):
    """What a model can do; every flag optional (None: not said), new ones appear over time."""

    completion_chat: Flag = None
    function_calling: Flag = None
    reasoning: Flag = None
    completion_fim: Flag = None
    fine_tuning: Flag = None
    vision: Flag = None
    ocr: Flag = None
    classification: Flag = None
    moderation: Flag = None
    audio: Flag = None


class ModelCard(Response):
    """One model as the API describes it."""

    id: Id
    object: Text = "model"
    created: Int = None
    owned_by: Text = None
    name: Text = None
    description: Text = None
    type: Text = "base"
    capabilities: Opt[Capabilities] = Field(default_factory=Capabilities)
    max_context_length: Int = None
    aliases: Texts = Field(default_factory=list)
    deprecation: Text = None
    deprecation_replacement_model: Text = None
    default_model_temperature: Float = None
    internal: Flag = None
    archived: Flag = None
    job: Text = None
    root: Text = None

    @property
    def caps(self) -> Capabilities:
        """The capabilities, all unknown when the card carries none."""
        return self.capabilities or Capabilities()

    @property
    def embeddings(self) -> bool:
        """Embedding models advertise no chat capability; the API has no flag for them."""
        return "embed" in self.id and not self.caps.completion_chat


class ModelList(Page):
    """GET /v1/models: `{object, data: [...]}`, or a bare list of cards (the spec's example)."""

    data: Items[ModelCard]
    object: Text = "list"

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:  # noqa: ANN401  # raw JSON edge
        return {"data": data} if isinstance(data, list) else data
