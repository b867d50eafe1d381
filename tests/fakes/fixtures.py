"""Pytest fixtures for the fake Mistral API: `fake`, `fake_transport`, `fake_server`.

Load with `pytest_plugins = ["tests.fakes.fixtures"]` in the root conftest. The `fake`
teardown fails the test when a scripted fault was never used or the fake recorded an error.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.router import TEST_API_KEY, FakeMistral
from tests.fakes.server import FakeServer
from tests.fakes.transport import fake_transport as _fake_transport


@pytest.fixture
def fake() -> Iterator[FakeMistral]:
    """A fresh fake API accepting the key `fake.api_key` (TEST_API_KEY)."""
    api = FakeMistral(api_key=TEST_API_KEY)
    yield api
    api.assert_clean()


@pytest.fixture
def fake_transport(fake: FakeMistral) -> httpx.MockTransport:
    """An httpx.MockTransport answering from `fake`, in-process."""
    return _fake_transport(fake)


@pytest.fixture
def fake_server(fake: FakeMistral) -> Iterator[FakeServer]:
    """A loopback HTTP server answering from `fake`; `.base_url` is "http://127.0.0.1:PORT"."""
    with FakeServer(fake) as server:
        yield server
