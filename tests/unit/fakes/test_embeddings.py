"""Embeddings: vector shapes and dtypes, determinism, the API's limits and the recorded batches."""

import base64
import math
import struct
from typing import Any

import httpx
import pytest

from tests.fakes import EmbeddingBatch, FakeMistral, fake_token_count
from tests.fakes.embeddings import _vector_json, embedding_vector
from tests.unit.fakes.helpers import EMBED, component_validator, embed_body


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", 1), ("a", 1), ("abcd", 1), ("abcde", 2), ("é" * 4, 2), ("x" * 4096, 1024)],
)
def test_fake_token_count(text: str, tokens: int) -> None:
    assert fake_token_count(text) == tokens


def test_response_shape_and_usage(fake: FakeMistral, client: httpx.Client) -> None:
    answer = client.post(EMBED, json=embed_body(["alpha", "beta gamma"]))
    assert answer.status_code == 200
    result = answer.json()
    assert (result["object"], result["model"]) == ("list", "mistral-embed")
    assert [(d["object"], d["index"], len(d["embedding"])) for d in result["data"]] == [
        ("embedding", 0, 1024),
        ("embedding", 1, 1024),
    ]
    tokens = fake_token_count("alpha") + fake_token_count("beta gamma")
    assert result["usage"] == {
        "prompt_tokens": tokens,
        "total_tokens": tokens,
        "completion_tokens": 0,
        "prompt_audio_seconds": None,
    }
    assert result["data"][0]["embedding"] == embedding_vector("alpha", 1024)
    assert fake.embeddings.batches == [EmbeddingBatch("mistral-embed", 2, tokens, 3, 200)]


def test_vectors_are_deterministic_distinct_and_near_unit_length() -> None:
    texts = [f"line {n}" for n in range(200)]
    vectors = [embedding_vector(text, 1024) for text in texts]
    assert embedding_vector("line 0", 1024) == vectors[0]
    assert len({tuple(v) for v in vectors}) == len(texts)
    assert all(abs(math.sqrt(sum(x * x for x in v)) - 1) < 0.01 for v in vectors)


@pytest.mark.parametrize("dtype", ["float", "int8", "uint8", "binary", "ubinary"])
@pytest.mark.parametrize("dims", [3, 256, 1000])
def test_cached_json_equals_the_plain_vector(dtype: str, dims: int) -> None:
    import json
    import zlib

    digest = zlib.crc32(b"some text")
    text = b"".join(_vector_json(digest, dims, dtype))
    assert json.loads(text) == embedding_vector("some text", dims, dtype)


@pytest.mark.parametrize(
    ("options", "length", "low", "high"),
    [
        ({}, 1536, -1.0, 1.0),
        ({"output_dimension": 256}, 256, -1.0, 1.0),
        ({"output_dtype": "int8"}, 1536, -128, 127),
        ({"output_dtype": "uint8", "output_dimension": 3072}, 3072, 0, 255),
        ({"output_dtype": "binary"}, 192, -128, 127),
        ({"output_dtype": "ubinary", "output_dimension": 100}, 13, 0, 255),
    ],
)
def test_codestral_embed_dimensions_and_dtypes(
    client: httpx.Client, options: dict[str, Any], length: int, low: float, high: float
) -> None:
    answer = client.post(
        EMBED, json={"model": "codestral-embed", "input": "def f(): pass", **options}
    )
    assert answer.status_code == 200, answer.text
    vector = answer.json()["data"][0]["embedding"]
    assert len(vector) == length
    assert all(low <= x <= high for x in vector)
    integral = options.get("output_dtype", "float") != "float"
    assert all(isinstance(x, int) for x in vector) == integral


@pytest.mark.parametrize(
    ("dtype", "code", "size"), [("float", "f", 1024), ("int8", "b", 1024), ("ubinary", "B", 128)]
)
def test_base64_encoding(client: httpx.Client, dtype: str, code: str, size: int) -> None:
    answer = client.post(EMBED, json=embed_body("x", output_dtype=dtype, encoding_format="base64"))
    packed = base64.b64decode(answer.json()["data"][0]["embedding"])
    values = list(struct.unpack(f"<{size}{code}", packed))
    expected = embedding_vector("x", 1024, dtype)
    assert values == (pytest.approx(expected, abs=1e-6) if dtype == "float" else expected)


def test_mistral_embed_refuses_output_dimension(client: httpx.Client) -> None:
    answer = client.post(EMBED, json=embed_body("x", output_dimension=512))
    assert answer.status_code == 400
    assert answer.json()["type"] == "invalid_request_error"


def test_codestral_embed_caps_output_dimension(client: httpx.Client) -> None:
    answer = client.post(
        EMBED, json={"model": "codestral-embed", "input": "x", "output_dimension": 4096}
    )
    assert answer.status_code == 400


@pytest.mark.parametrize("model", ["mistral-small-latest", "mistral-embedd"])
def test_non_embedding_models_are_invalid(client: httpx.Client, model: str) -> None:
    answer = client.post(EMBED, json={"model": model, "input": "x"})
    assert answer.status_code == 400
    assert (answer.json()["type"], answer.json()["code"]) == ("invalid_model", "1500")


def error_of(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 400
    body: dict[str, Any] = answer.json()
    body.pop("request_id")
    return body


def test_too_many_inputs(fake: FakeMistral, client: httpx.Client) -> None:
    assert client.post(EMBED, json=embed_body(["x"] * 512)).status_code == 200
    assert error_of(client.post(EMBED, json=embed_body(["x"] * 513))) == {
        "object": "error",
        "message": "Too many inputs in request, split into more batches.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert [(b.inputs, b.status) for b in fake.embeddings.batches] == [(512, 200), (513, 400)]


def test_too_many_tokens_overall_is_3210(fake: FakeMistral, client: httpx.Client) -> None:
    fake.embeddings.max_tokens = 100
    assert (
        client.post(EMBED, json=embed_body(["x" * 200, "y" * 200])).status_code == 200
    )  # 100 tokens
    assert error_of(client.post(EMBED, json=embed_body(["x" * 200, "y" * 201]))) == {
        "object": "error",
        "message": "Too many tokens overall, split into more batches.",
        "type": "invalid_request_prompt",
        "param": None,
        "code": "3210",
    }
    assert [(b.tokens, b.status) for b in fake.embeddings.batches] == [(100, 200), (101, 400)]


def test_too_long_single_input(fake: FakeMistral, client: httpx.Client) -> None:
    assert client.post(EMBED, json=embed_body("z" * 4 * 8192)).status_code == 200
    error = error_of(client.post(EMBED, json=embed_body(["ok", "z" * (4 * 8192 + 1)])))
    assert (error["type"], error["code"]) == ("invalid_request_error", None)
    assert "8192" in error["message"]
    assert fake.embeddings.batches[-1].largest_input_tokens == 8193


def test_response_follows_the_spec(client: httpx.Client) -> None:
    answer = client.post(EMBED, json=embed_body(["a", "b"]))
    assert list(component_validator("EmbeddingResponse").iter_errors(answer.json())) == []
