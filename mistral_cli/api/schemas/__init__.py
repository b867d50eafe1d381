"""Pydantic wire models, one module per API noun ("models" already means Mistral's models)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ModelWrapValidatorHandler, PrivateAttr, model_validator


class Response(BaseModel):
    """Base for answers: lenient (schemas/lenient.py), unknown fields kept, the document kept.

    `wire()` gives the document as the server sent it, for JSON re-emission: nulls stay nulls,
    odd values stay as they were, absent fields stay absent.
    """

    model_config = ConfigDict(extra="allow")
    _raw: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:  # noqa: ANN401  # raw JSON edge
        model = handler(data)
        if isinstance(data, dict):
            model._raw = data
        return model

    def wire(self) -> dict[str, Any]:
        """The document as received (or, for one built here, the fields that were set)."""
        if self._raw is not None:
            return dict(self._raw)
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)


class Page(Response):
    """A list answer; its `data` holds the readable items (unreadable ones were skipped)."""

    def wire(self) -> dict[str, Any]:
        """The document as received, with only the items that could be read."""
        items: list[Response] = getattr(self, "data", [])
        return {**super().wire(), "data": [item.wire() for item in items]}


class Request(BaseModel):
    """Base for request bodies: strict, so a typo fails locally instead of a 422 from the API."""

    model_config = ConfigDict(extra="forbid")
