"""Fixtures the conversation command tests share (a test module's own fixture of a name wins)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mistral_cli.services.conversations import ConversationStore
from tests.support import Clock


@pytest.fixture
def clock() -> Clock:
    """The store's clock, moved by the test."""
    return Clock(1_790_000_000.0)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[ConversationStore]:
    """The conversation store `mistral` finds under make_context()'s data dir."""
    opened = ConversationStore(tmp_path / "home" / "data" / "conversations.sqlite3", clock=clock)
    yield opened
    opened.close()
