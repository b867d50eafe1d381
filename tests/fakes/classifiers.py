"""Classifiers and moderation: /v1/classifications, /v1/moderations and their /v1/chat/ twins.

Scores are deterministic (CRC-32 of the label and the text). Moderation flags a text that holds
one of TRIGGERS (score 0.9+, `categories` true); everything else scores low. A classifier model
is a fine-tuned card with the `classification` capability (its targets: CLASSIFIER_TARGETS); a
moderation model a card with `moderation`; any other model is a 400, as the API answers.

The API documents no per-request limits for these routes: the fake has its own (`max_inputs`,
`max_tokens`; change them per test) and answers over them with the embeddings' "too many"
400s. Every request is recorded in `batches`, rejected ones too.
"""

from __future__ import annotations

import json
import math
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from tests.fakes.catalog import CLASSIFIER_ID, CLASSIFIER_TARGETS
from tests.fakes.embeddings import fake_token_count
from tests.fakes.router import FakeMistral, FakeModule, PathParams, route
from tests.fakes.wire import FakeRequest, FakeResponse, api_error, json_response

CATEGORIES: Final = (
    "sexual",
    "hate_and_discrimination",
    "violence_and_threats",
    "dangerous_and_criminal_content",
    "selfharm",
    "health",
    "financial",
    "law",
    "pii",
)
TRIGGERS: Final = {
    "hate": "hate_and_discrimination",
    "kill": "violence_and_threats",
    "bomb": "dangerous_and_criminal_content",
    "ssn": "pii",
}
Conversation = list[dict[str, Any]]


@dataclass(frozen=True)
class ClassifierBatch:
    """One request as the fake counted it: route, model, inputs, tokens and the status sent."""

    route: str
    model: str
    inputs: int
    tokens: int
    status: int


def unit(label: str, text: str) -> float:
    """A deterministic value in [0, 1) for (label, text)."""
    return (zlib.crc32(f"{label}\0{text}".encode()) % 100_000) / 100_000


def target_scores(text: str, labels: list[str], loss_function: str) -> dict[str, float]:
    """Per-label scores: a softmax for single_class targets, independent sigmoids otherwise."""
    logits = {label: 6 * unit(label, text) - 3 for label in labels}
    if loss_function != "single_class":
        return {label: round(1 / (1 + math.exp(-x)), 6) for label, x in logits.items()}
    total = sum(math.exp(x) for x in logits.values())
    return {label: round(math.exp(x) / total, 6) for label, x in logits.items()}


def classification(text: str) -> dict[str, Any]:
    """The classifier's result for one input: `{target: {"scores": {label: score}}}`."""
    return {
        target["name"]: {"scores": target_scores(text, target["labels"], target["loss_function"])}
        for target in CLASSIFIER_TARGETS
    }


def moderation(text: str) -> dict[str, Any]:
    """The moderation result for one input: `categories` (booleans) and `category_scores`."""
    lowered = text.lower()
    hit = {category for word, category in TRIGGERS.items() if word in lowered}
    scores = {
        c: round(0.9 + unit(c, text) / 10 if c in hit else unit(c, text) / 100, 8)
        for c in CATEGORIES
    }
    return {"categories": {c: scores[c] > 0.5 for c in CATEGORIES}, "category_scores": scores}


def conversation_text(messages: Conversation) -> str:
    """The text of a conversation: every message's string content, or its text chunks."""
    parts: list[str] = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [c.get("text", "") for c in content if isinstance(c, dict)]
    return "\n".join(parts)


class ClassifiersFake(FakeModule):
    """The four routes with the fake's own limits; assert on `batches`."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.max_inputs = 128
        self.max_tokens = 16384
        self.batches: list[ClassifierBatch] = []

    @route("POST", "/v1/classifications")
    def classify(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Classify texts with a fine-tuned classifier."""
        texts = _texts(request.json()["input"])
        return self._answer(request, "classification", texts, texts, classification)

    @route("POST", "/v1/chat/classifications")
    def classify_chat(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Classify conversations (`{"messages": [...]}` each)."""
        given = request.json()["input"]
        conversations = [c["messages"] for c in (given if isinstance(given, list) else [given])]
        texts = [conversation_text(messages) for messages in conversations]
        sized = [json.dumps(messages) for messages in conversations]
        return self._answer(request, "classification", texts, sized, classification)

    @route("POST", "/v1/moderations")
    def moderate(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Moderate texts."""
        texts = _texts(request.json()["input"])
        return self._answer(request, "moderation", texts, texts, moderation)

    @route("POST", "/v1/chat/moderations")
    def moderate_chat(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Moderate conversations: one (a list of messages) or several (a list of lists)."""
        given = request.json()["input"]
        conversations = given if given and isinstance(given[0], list) else [given]
        texts = [conversation_text(messages) for messages in conversations]
        sized = [json.dumps(messages) for messages in conversations]
        return self._answer(request, "moderation", texts, sized, moderation)

    def _answer(
        self,
        request: FakeRequest,
        capability: str,
        texts: list[str],
        sized: list[str],
        result: Callable[[str], dict[str, Any]],
    ) -> FakeResponse:
        body = request.json()
        tokens = [fake_token_count(text) for text in sized]
        error = self._model_error(request, body["model"], capability) or self._limit_error(
            request, tokens
        )
        status = 200 if error is None else error.status
        batch = ClassifierBatch(request.path, body["model"], len(texts), sum(tokens), status)
        self.batches.append(batch)
        if error is not None:
            return error
        answer = {
            "id": os.urandom(16).hex(),
            "model": body["model"],
            "results": [result(text) for text in texts],
        }
        return json_response(200, answer)

    def _model_error(
        self, request: FakeRequest, model: str, capability: str
    ) -> FakeResponse | None:
        card = self.fake.models.find(model)
        usable = card is not None and card["capabilities"].get(capability) is True
        if capability == "classification" and card is not None:
            usable = usable and card["id"] == CLASSIFIER_ID
        if usable:
            return None
        return api_error(request, 400, f"Invalid model: {model}", "invalid_model", code="1500")

    def _limit_error(self, request: FakeRequest, tokens: list[int]) -> FakeResponse | None:
        if len(tokens) > self.max_inputs:
            message = "Too many inputs in request, split into more batches."
            return api_error(request, 400, message, "invalid_request_error")
        if sum(tokens) > self.max_tokens:
            message = "Too many tokens overall, split into more batches."
            return api_error(request, 400, message, "invalid_request_prompt", code="3210")
        return None


def _texts(given: str | list[str]) -> list[str]:
    return [given] if isinstance(given, str) else given
