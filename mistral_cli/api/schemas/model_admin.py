"""Fine-tuned model management: PATCH and archive routes, DELETE /v1/models/{id}."""

from __future__ import annotations

from mistral_cli.api.schemas import Request, Response
from mistral_cli.api.schemas.lenient import Flag, Text


class UpdateModelRequest(Request):
    """PATCH /v1/fine_tuning/models/{model_id}: only the fields given are sent."""

    name: str | None = None
    description: str | None = None


class FineTunedModel(Response):
    """The PATCH answer (a completion or classifier fine-tuned model); kept as sent for --json."""

    id: Text = None
    name: Text = None
    description: Text = None
    archived: Flag = None


class ArchiveAnswer(Response):
    """POST (archive) or DELETE (unarchive) /v1/fine_tuning/models/{model_id}/archive."""

    id: Text = None
    archived: Flag = None


class DeleteAnswer(Response):
    """DELETE /v1/models/{model_id}: `deleted` false means the server kept the model."""

    id: Text = None
    deleted: Flag = None
