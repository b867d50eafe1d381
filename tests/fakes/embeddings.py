"""POST /v1/embeddings: deterministic vectors, the API's per-request limits, and a fake tokenizer.

Speed matters (the embed benchmark measures this fake's ceiling), so a vector is a per-text
lead (4 values from the text's CRC-32, making vectors of different texts differ) followed by
the tail of one of 64 precomputed rows, whose JSON text is cached per (row, dims, dtype).
"""

from __future__ import annotations

import base64
import functools
import math
import os
import struct
import zlib
from dataclasses import dataclass
from typing import Final

from tests.fakes.catalog import EMBEDDING_DIMENSIONS
from tests.fakes.router import FakeMistral, FakeModule, PathParams, route
from tests.fakes.wire import (
    FakeRequest,
    FakeResponse,
    Response,
    api_error,
    dumps,
    json_response,
)

MAX_DIMENSION: Final = 3072
_ROWS: Final = 64
_LEAD: Final = 4
_PACKED: Final = ("binary", "ubinary")
_STRUCT: Final = {"float": "f", "int8": "b", "binary": "b", "uint8": "B", "ubinary": "B"}
Vector = list[float] | list[int]


def fake_token_count(text: str) -> int:
    """Count tokens as the fake does: one per 4 UTF-8 bytes, rounded up, at least 1."""
    return max(1, -(-len(text.encode("utf-8")) // 4))


@functools.cache
def _unit_row(row: int, dims: int) -> tuple[float, ...]:
    """A deterministic pseudo-random unit vector (a small LCG), values rounded to 2**-16."""
    state, raw = row * 2654435761 + 1, []
    for _ in range(dims):
        state = (state * 1103515245 + 12345) % 2**31
        raw.append(state / 2**30 - 1.0)
    norm = math.sqrt(sum(value * value for value in raw)) or 1.0
    return tuple(round(value / norm * 65536) / 65536 for value in raw)


@functools.cache
def _row(row: int, dims: int, dtype: str) -> tuple[Vector, bytes]:
    """The row in `dtype`, and the JSON text of its values after the lead (with a leading comma)."""
    unit = _unit_row(row, dims)
    values: Vector
    if dtype == "float":
        values = list(unit)
    else:
        peak = max((abs(v) for v in unit), default=1.0) or 1.0
        signed = [max(-128, min(127, round(v / peak * 127))) for v in unit]
        if dtype in _PACKED:
            bits = [1 if v > 0 else 0 for v in unit] + [0] * (-dims % 8)
            packed = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
            signed = [byte - 128 for byte in packed]
        values = [v + 128 for v in signed] if dtype in ("uint8", "ubinary") else signed
    return values, "".join(f",{v!r}" for v in values[_LEAD:]).encode()


def _lead_value(octet: int, dtype: str) -> float | int:
    if dtype == "float":
        return (octet - 128) / 2560
    return octet - 128 if dtype in ("int8", "binary") else octet


def _lead(digest: int, dtype: str) -> list[float] | list[int]:
    return [_lead_value(octet, dtype) for octet in digest.to_bytes(4, "big")]


@functools.cache
def _lead_texts(dtype: str) -> tuple[bytes, ...]:
    """The JSON text of every lead value, by octet (float repr is slow: ~1.5 µs)."""
    return tuple(repr(_lead_value(octet, dtype)).encode() for octet in range(256))


def embedding_vector(text: str, dims: int, dtype: str = "float") -> Vector:
    """Return the fake's vector for `text` (`dims` values; ceil(dims/8) bytes when bit-packed)."""
    return _vector(zlib.crc32(text.encode("utf-8")), dims, dtype)


def _vector(digest: int, dims: int, dtype: str) -> Vector:
    values, _ = _row(digest % _ROWS, dims, dtype)
    lead = _lead(digest, dtype)[: len(values)]
    return [*lead, *values[_LEAD:]]


def vector_json(text: str, dims: int, dtype: str = "float") -> str:
    """Return the JSON text of `text`'s vector exactly as a float answer carries it."""
    return b"".join(_vector_json(zlib.crc32(text.encode("utf-8")), dims, dtype)).decode()


def _vector_json(digest: int, dims: int, dtype: str) -> list[bytes]:
    """The JSON text of a vector, in pieces (joined once for the whole response)."""
    values, tail = _row(digest % _ROWS, dims, dtype)
    texts = _lead_texts(dtype)
    lead = b",".join([texts[octet] for octet in digest.to_bytes(4, "big")[: len(values)]])
    return [b"[", lead, tail, b"]"]


@dataclass(frozen=True)
class EmbeddingBatch:
    """One embeddings request as the fake counted it (rejected ones too, with their status)."""

    model: str
    inputs: int
    tokens: int
    largest_input_tokens: int
    status: int


class EmbeddingsFake(FakeModule):
    """Embeddings with the API's limits; change `max_*` per test, assert on `batches`."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.max_inputs = 512
        self.max_tokens = 16384
        self.max_input_tokens = 8192
        self.batches: list[EmbeddingBatch] = []

    @route("POST", "/v1/embeddings")
    def embed(self, request: FakeRequest, params: PathParams) -> Response:
        """Embed `input` (a string or a list); 400 when a limit or an option is broken."""
        body = request.json()
        card = self.fake.models.find(body["model"]) or {"id": None}
        default_dims = EMBEDDING_DIMENSIONS.get(card["id"])
        if default_dims is None:
            message = f"Invalid model: {body['model']}"
            return api_error(request, 400, message, "invalid_model", code="1500")
        inputs = [body["input"]] if isinstance(body["input"], str) else body["input"]
        encoded = [text.encode("utf-8") for text in inputs]
        tokens = [max(1, -(-len(data) // 4)) for data in encoded]
        dims = body.get("output_dimension")
        error = self._option_error(request, card["id"], dims) or self._limit_error(request, tokens)
        status = 200 if error is None else error.status
        batch = EmbeddingBatch(
            body["model"], len(inputs), sum(tokens), max(tokens, default=0), status
        )
        self.batches.append(batch)
        if error is not None:
            return error
        digests = [zlib.crc32(data) for data in encoded]
        return _answer(body, digests, dims or default_dims, sum(tokens))

    def _option_error(
        self, request: FakeRequest, model: str, dims: int | None
    ) -> FakeResponse | None:
        if dims is None:
            return None
        if model == "mistral-embed":
            message = "output_dimension is not supported by mistral-embed (always 1024)"
            return api_error(request, 400, message, "invalid_request_error")
        if dims > MAX_DIMENSION:
            message = f"output_dimension must be at most {MAX_DIMENSION}, got {dims}"
            return api_error(request, 400, message, "invalid_request_error")
        return None

    def _limit_error(self, request: FakeRequest, tokens: list[int]) -> FakeResponse | None:
        if len(tokens) > self.max_inputs:
            message = "Too many inputs in request, split into more batches."
            return api_error(request, 400, message, "invalid_request_error")
        for index, count in enumerate(tokens):
            if count > self.max_input_tokens:
                message = (
                    f"Input {index} is too long: {count} tokens, "
                    f"more than the maximum of {self.max_input_tokens}."
                )
                return api_error(request, 400, message, "invalid_request_error")
        if sum(tokens) > self.max_tokens:
            message = "Too many tokens overall, split into more batches."
            return api_error(request, 400, message, "invalid_request_prompt", code="3210")
        return None


def _answer(body: dict[str, object], digests: list[int], dims: int, tokens: int) -> FakeResponse:
    dtype = str(body.get("output_dtype") or "float")
    if body.get("encoding_format") == "base64":
        data = [
            {"object": "embedding", "embedding": _base64(d, dims, dtype), "index": i}
            for i, d in enumerate(digests)
        ]
        usage = {"prompt_tokens": tokens, "total_tokens": tokens, "completion_tokens": 0}
        payload = {
            "id": os.urandom(16).hex(),
            "object": "list",
            "data": data,
            "model": body["model"],
        }
        return json_response(200, {**payload, "usage": usage})
    pieces = [b'{"id":"', os.urandom(16).hex().encode(), b'","object":"list","data":[']
    for index, digest in enumerate(digests):
        pieces.append(b',{"object":"embedding","embedding":'[0 if index else 1 :])
        pieces += _vector_json(digest, dims, dtype)
        pieces.append(b',"index":%d}' % index)
    counts = b'"prompt_tokens":%d,"total_tokens":%d,"completion_tokens":0' % (tokens, tokens)
    pieces += [b'],"model":', dumps(body["model"]), b',"usage":{', counts]
    pieces.append(b',"prompt_audio_seconds":null}}')
    return FakeResponse(200, {"content-type": "application/json"}, b"".join(pieces))


def _base64(digest: int, dims: int, dtype: str) -> str:
    vector = _vector(digest, dims, dtype)
    return base64.b64encode(struct.pack(f"<{len(vector)}{_STRUCT[dtype]}", *vector)).decode()
