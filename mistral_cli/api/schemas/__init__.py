"""Pydantic wire models, one module per API noun ("models" already means Mistral's models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Response(BaseModel):
    """Base for answers: lenient, unknown fields kept (the spec's response schemas are inexact)."""

    model_config = ConfigDict(extra="allow")


class Request(BaseModel):
    """Base for request bodies: strict, so a typo fails locally instead of a 422 from the API."""

    model_config = ConfigDict(extra="forbid")
