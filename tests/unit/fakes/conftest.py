"""Fixtures for testing the fake itself: a client per adapter (fake* come from tests/conftest)."""

from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer


@pytest.fixture(params=["transport", "server"])
def client(request: pytest.FixtureRequest, fake: FakeMistral) -> Iterator[httpx.Client]:
    """An authorised httpx.Client talking to `fake` through each adapter in turn."""
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    if request.param == "transport":
        transport = request.getfixturevalue("fake_transport")
        with httpx.Client(transport=transport, base_url="http://fake.test", headers=headers) as c:
            yield c
    else:
        server: FakeServer = request.getfixturevalue("fake_server")
        with httpx.Client(base_url=server.base_url, headers=headers) as c:
            yield c
