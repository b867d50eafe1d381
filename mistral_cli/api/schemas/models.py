"""Model cards from GET /v1/models and GET /v1/models/{id}."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from mistral_cli.api.schemas import Response


class Capabilities(Response):
    """What a model can do; every flag optional (new ones appear over time)."""

    completion_chat: bool = False
    function_calling: bool = False
    reasoning: bool = False
    completion_fim: bool = False
    fine_tuning: bool = False
    vision: bool = False
    ocr: bool = False
    classification: bool = False
    moderation: bool = False
    audio: bool = False


class ModelCard(Response):
    """One model as the API describes it."""

    id: str
    object: str = "model"
    created: int | None = None
    owned_by: str | None = None
    name: str | None = None
    description: str | None = None
    type: str = "base"
    capabilities: Capabilities = Field(default_factory=Capabilities)
    max_context_length: int | None = None
    aliases: list[str] = Field(default_factory=list)
    deprecation: str | None = None
    deprecation_replacement_model: str | None = None
    default_model_temperature: float | None = None
    internal: bool | None = None
    archived: bool | None = None
    job: str | None = None
    root: str | None = None

    @field_validator("aliases", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:  # noqa: ANN401  # raw JSON edge
        return [] if value is None else value

    @property
    def embeddings(self) -> bool:
        """Embedding models advertise no chat capability; the API has no flag for them."""
        return "embed" in self.id and not self.capabilities.completion_chat
