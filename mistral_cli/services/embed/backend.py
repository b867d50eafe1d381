"""The embeddings backend over the API client: POST /v1/embeddings, vectors placed by `index`.

Vectors are asked for as JSON numbers (`encoding_format` left at its documented default,
float, as the official SDK does) and kept as the API sent them: float vectors as doubles, so
writing them gives back the numbers received (`-0.1608`, not the float32 `-0.1607999950647354`).
`--encoding base64` asks for little-endian float32 instead (a third of the bytes, no float
parsing). Vectors are kept as compact `array`s (8 bytes a float, 4 from base64, 1 for the int
dtypes), which keeps memory flat.
"""

from __future__ import annotations

import base64
import binascii
import gc
import sys
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mistral_cli.api.errors import UnexpectedAnswer
from mistral_cli.api.parse import got as got_text
from mistral_cli.api.schemas.embeddings import EmbeddingRequest
from mistral_cli.api.schemas.lenient import as_int
from mistral_cli.errors import UsageError
from mistral_cli.values import counted

if TYPE_CHECKING:
    from mistral_cli.services.embed.writers import Vector

DTYPES = ("float", "int8", "uint8", "binary", "ubinary")
ENCODINGS = ("float", "base64")
TYPECODES = {"float": "d", "int8": "b", "binary": "b", "uint8": "B", "ubinary": "B"}  # JSON lists
PACKED = {**TYPECODES, "float": "f"}  # base64 strings: little-endian float32, or bytes
DIMENSION_MODELS_HINT = "--output-dimension is for codestral-embed; mistral-embed is always 1024"
PATH = "/v1/embeddings"


class EmbedClient(Protocol):
    """What the backend needs from ApiClient (thread-safe: one client serves every thread)."""

    def request(self, method: str, path: str, *, json_body: Any = None) -> Any:  # noqa: ANN401  # raw JSON edge
        """Send a request with retries and return the decoded JSON answer."""
        ...


@dataclass(frozen=True, slots=True)
class EmbedSettings:
    """The request fields every batch shares."""

    model: str
    output_dimension: int | None = None
    output_dtype: str = "float"
    encoding: str = "float"

    def check(self) -> None:
        """Refuse what the API would: unknown dtypes, a dimension for mistral-embed."""
        if self.output_dtype not in DTYPES:
            raise UsageError(
                f"unknown --output-dtype {self.output_dtype!r}; choose one of {', '.join(DTYPES)}"
            )
        if self.encoding not in ENCODINGS:
            raise UsageError(f"unknown --encoding {self.encoding!r}; choose float or base64")
        if self.encoding == "base64" and self.output_dtype != "float":
            raise UsageError("--encoding base64 is for float vectors (--output-dtype float)")
        if self.output_dimension is not None:
            if self.output_dimension < 1:
                raise UsageError("--output-dimension must be at least 1")
            if self.model.startswith("mistral-embed"):
                raise UsageError(
                    f"{self.model} has no --output-dimension", hint=DIMENSION_MODELS_HINT
                )

    def request(self, inputs: list[str]) -> dict[str, Any]:
        """The JSON body for one batch (unset fields left out: float is the API's default)."""
        body = EmbeddingRequest(
            model=self.model,
            input=inputs,
            output_dimension=self.output_dimension,
            output_dtype=None if self.output_dtype == "float" else self.output_dtype,
            encoding_format="base64" if self.encoding == "base64" else None,
        )
        return body.model_dump(mode="json", exclude_none=True)

    def batch_body(self, inputs: list[str]) -> dict[str, Any]:
        """One request line's body for the Batch API: no model (the job names it), JSON numbers."""
        body = self.request(inputs)
        body.pop("model")
        body.pop("encoding_format", None)
        return body


class ApiBackend:
    """EmbeddingsBackend over the API client."""

    def __init__(self, client: EmbedClient, settings: EmbedSettings) -> None:
        settings.check()
        self._client = client
        self._settings = settings

    def embed(self, inputs: list[str]) -> list[Vector]:
        """One request; vectors in input order, placed by each item's `index`."""
        answer = self._client.request("POST", PATH, json_body=self._settings.request(inputs))
        vectors = place(answer, len(inputs), self._settings.output_dtype)
        # The ~10 MB body of a 512-input answer sits in a reference cycle (an httpx response and
        # its stream) until the collector runs: collect now, or bodies pile up (50,000 lines:
        # 386 MB peak RSS and growing, 170 MB flat with this; job.embed freezes what came before).
        gc.collect()
        return vectors


def place(answer: object, count: int, dtype: str, *, where: str = f"POST {PATH}") -> list[Vector]:
    """The answer's vectors by `index` (list order where it has none), as arrays.

    A gap, a duplicate or a vector that is not numbers is an UnexpectedAnswer naming `where`.
    """
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or len(data) != count:
        got = counted(len(data), "embedding") if isinstance(data, list) else "no embeddings"
        raise UnexpectedAnswer(where, f"{got} for {counted(count, 'input')}", answer=answer)
    placed: list[Vector | None] = [None] * count
    for position, item in enumerate(data):
        fields = item if isinstance(item, dict) else {}
        raw = fields.get("index")
        index = position if raw is None else as_int(raw)
        if index is None or not 0 <= index < count or placed[index] is not None:
            problem = f"data[{position}].index is repeated or out of range"
            raise UnexpectedAnswer(where, f"{problem} (got {got_text(raw)})")
        try:
            placed[index] = decode(fields.get("embedding"), dtype)
        except ValueError as exc:
            raise UnexpectedAnswer(where, f"data[{position}].embedding {exc}") from None
        fields["embedding"] = None  # free each vector's JSON as soon as it is decoded
    return [vector for vector in placed if vector is not None]


def decode(value: object, dtype: str) -> Vector:
    """A base64 string (little-endian) or a list of numbers, as an array for `dtype`.

    Raises ValueError saying what is wrong with anything else.
    """
    try:
        if isinstance(value, str):
            vector = array(PACKED[dtype], base64.b64decode(value, validate=True))
            if sys.byteorder == "big" and dtype == "float":
                vector.byteswap()
            return vector
        if isinstance(value, list):
            return array(TYPECODES[dtype], value)
    except (binascii.Error, ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"is unreadable ({exc})") from None
    raise ValueError(f"is not a vector (got {got_text(value)})")
