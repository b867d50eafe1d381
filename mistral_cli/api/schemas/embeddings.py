"""Embeddings wire models: the POST /v1/embeddings request (answers: services/embed/backend.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mistral_cli.api.schemas import Request

EmbeddingDtype = Literal["float", "int8", "uint8", "binary", "ubinary"]
EncodingFormat = Literal["float", "base64"]


class EmbeddingRequest(Request):
    """POST /v1/embeddings (`output_dimension` only for models that support it)."""

    model: str
    input: list[str] | str
    output_dimension: int | None = Field(default=None, gt=0)
    output_dtype: EmbeddingDtype | None = None
    encoding_format: EncodingFormat | None = None
