"""Pytest fixtures for the fake Mistral API: `fake`, `fake_transport`, `fake_server`.

Load with `pytest_plugins = ["tests.fakes.fixtures"]` in the root conftest. Every test's
teardown checks every FakeMistral the test made, by these fixtures or by hand: a scripted
fault or reply never used, or an error the fake recorded, fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.router import TEST_API_KEY, FakeMistral, made_fakes
from tests.fakes.server import FakeServer
from tests.fakes.transport import fake_transport as _fake_transport


@pytest.fixture(autouse=True)
def every_fake_used_as_scripted() -> Iterator[None]:
    """After the test (and its servers) end: each fake it made was used exactly as scripted."""
    made_fakes()  # made outside any test (a wider-scoped fixture): not this test's script
    yield
    for api in made_fakes():
        api.assert_clean()


@pytest.fixture
def fake() -> FakeMistral:
    """A fresh fake API accepting the key `fake.api_key` (TEST_API_KEY)."""
    return FakeMistral(api_key=TEST_API_KEY)


@pytest.fixture
def fake_transport(fake: FakeMistral) -> httpx.MockTransport:
    """An httpx.MockTransport answering from `fake`, in-process."""
    return _fake_transport(fake)


@pytest.fixture
def fake_server(fake: FakeMistral) -> Iterator[FakeServer]:
    """A loopback HTTP server answering from `fake`; `.base_url` is "http://127.0.0.1:PORT"."""
    with FakeServer(fake) as server:
        yield server
