"""An in-memory fake of the Mistral API, served through httpx.MockTransport or a loopback server.

Importing the package registers every route module (a FakeModule subclass registers its
routes when its class is defined), so a CLI run against the fake finds every route even when
the test never imported the module. A new module is imported here too.
"""

from tests.fakes import batch, catalog, chat, classifiers, embeddings, files, finetune
from tests.fakes.chat import Reply
from tests.fakes.embeddings import EmbeddingBatch, fake_token_count
from tests.fakes.faults import Fault, FaultMisuse
from tests.fakes.router import TEST_API_KEY, FakeMistral, FakeModule, route
from tests.fakes.wire import (
    Chunk,
    Drop,
    FakeRequest,
    FakeResponse,
    Hang,
    Response,
    StreamResponse,
)

__all__ = [
    "TEST_API_KEY",
    "Chunk",
    "Drop",
    "EmbeddingBatch",
    "FakeMistral",
    "FakeModule",
    "FakeRequest",
    "FakeResponse",
    "Fault",
    "FaultMisuse",
    "Hang",
    "Reply",
    "Response",
    "StreamResponse",
    "batch",
    "catalog",
    "chat",
    "classifiers",
    "embeddings",
    "fake_token_count",
    "files",
    "finetune",
    "route",
]
