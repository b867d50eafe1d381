"""Helpers for the fake's own tests: request bodies and an SSE splitter."""

import json
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no stubs

from tests.fakes import spec

CHAT = "/v1/chat/completions"
EMBED = "/v1/embeddings"


def chat_body(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {
        "model": "mistral-small-latest",
        "messages": [{"role": "user", "content": text}],
        **extra,
    }


def embed_body(inputs: object, **extra: Any) -> dict[str, Any]:
    return {"model": "mistral-embed", "input": inputs, **extra}


def sse_payloads(raw: bytes) -> list[Any]:
    """Split a data-only SSE body strictly; return each payload (JSON, or the string "[DONE]")."""
    assert raw.endswith(b"\n\n"), raw[-40:]
    payloads: list[Any] = []
    for event in raw[:-2].split(b"\n\n"):
        assert event.startswith(b"data: "), event
        assert b"\n" not in event, event
        data = event[len(b"data: ") :].decode()
        payloads.append(data if data == "[DONE]" else json.loads(data))
    return payloads


def component_validator(name: str) -> Any:
    """A validator for one of the public spec's component schemas (response shapes)."""
    uri = "urn:mistral-openapi:" + spec.PUBLIC_SPEC
    registry = spec._registry(spec.PUBLIC_SPEC)
    return Draft202012Validator({"$ref": f"{uri}#/components/schemas/{name}"}, registry=registry)
