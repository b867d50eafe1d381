"""The four routes (classify or moderate, texts or conversations) and the backend over the client.

Each request carries one batch; its `results` come back one per input, in input order, and are
kept exactly as sent. The API documents no per-request limits here, so batches are small by
default and a 400 saying "too many" (inputs or tokens) splits the batch in halves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mistral_cli.api.errors import ApiError, UnexpectedAnswer
from mistral_cli.api.schemas.classify import (
    ChatClassificationRequest,
    ChatModerationRequest,
    ClassificationAnswer,
    Conversation,
    TextsRequest,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from mistral_cli.api.parse import AnswerClient

Result = dict[str, Any]  # one `results` item, as the API sent it


@dataclass(frozen=True)
class Route:
    """Which endpoint a run uses: `classify` or `moderate`, over texts or conversations."""

    kind: str  # "classify" or "moderate"
    chat: bool = False

    @property
    def path(self) -> str:
        """The endpoint's path."""
        noun = "classifications" if self.kind == "classify" else "moderations"
        return f"/v1/chat/{noun}" if self.chat else f"/v1/{noun}"

    @property
    def where(self) -> str:
        """`POST /v1/...`, for messages about its answers."""
        return f"POST {self.path}"

    @property
    def done(self) -> str:
        """`classified` or `moderated`."""
        return "classified" if self.kind == "classify" else "moderated"

    def body(self, model: str, inputs: list[str]) -> BaseModel:
        """The request for one batch; a conversation input is its messages as JSON text."""
        if not self.chat:
            return TextsRequest(model=model, input=inputs)
        conversations = [json.loads(text) for text in inputs]
        if self.kind == "moderate":
            return ChatModerationRequest(model=model, input=conversations)
        return ChatClassificationRequest(
            model=model, input=[Conversation(messages=messages) for messages in conversations]
        )


class ResultsBackend:
    """The engine's Backend over the API client: one request per batch (thread-safe)."""

    def __init__(self, client: AnswerClient, route: Route, model: str) -> None:
        self._client = client
        self._route = route
        self._model = model

    def embed(self, inputs: list[str]) -> list[Result]:  # the engine's one method name
        """The `results` for one batch, in input order; a count that differs is exit 1."""
        route = self._route
        body = route.body(self._model, inputs)
        answer = self._client.send("POST", route.path, body=body, into=ClassificationAnswer)
        if len(answer.results) != len(inputs):
            raise UnexpectedAnswer(
                route.where, f"{len(answer.results)} results for {len(inputs)} inputs"
            )
        return answer.results


def is_too_many(exc: BaseException) -> bool:
    """A 400 saying the batch is too big ("too many inputs", "too many tokens", code 3210)."""
    if not isinstance(exc, ApiError) or exc.status != 400:
        return False
    return str(exc.code) == "3210" or "too many" in exc.server_message.lower()
