from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mistral_cli.errors import UsageError
from mistral_cli.services.conversations import (
    ConversationStore,
    StoredMessage,
    parse_age,
    title_of,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    opened = ConversationStore.open(tmp_path / "new" / "dir")
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30d", 30 * 86400),
        ("12h", 43200),
        ("2w", 14 * 86400),
        ("90m", 5400),
        ("1d12h", 129600),
        ("45s", 45),
    ],
)
def test_parse_age(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "d", "30x", "soon", "3d later"])
def test_parse_age_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_age(text)


def test_title_is_the_first_line_cut() -> None:
    assert title_of("\n  Hello there  \nmore") == "Hello there"
    long = title_of("x" * 100)
    assert len(long) == 60
    assert long.endswith("…")


def test_messages_keep_order_and_flags(store: ConversationStore) -> None:
    cid = store.create("m", "t")
    store.append(cid, [StoredMessage("user", "q")], "m")
    store.append(
        cid,
        [StoredMessage("assistant", "a", partial=True, prompt_tokens=3, completion_tokens=1)],
        "m2",
    )
    saved = store.messages(cid)
    assert [(m.role, m.content, m.partial, m.prompt_tokens) for m in saved] == [
        ("user", "q", False, None),
        ("assistant", "a", True, 3),
    ]
    (summary,) = store.summaries()
    assert (summary.model, summary.turns) == ("m2", 1)


def test_drop_last(store: ConversationStore) -> None:
    cid = store.create("m", "t")
    store.append(cid, [StoredMessage("user", str(n)) for n in range(4)], "m")
    store.drop_last(cid, 2)
    assert [m.content for m in store.messages(cid)] == ["0", "1"]
    store.append(cid, [StoredMessage("user", "x")], "m")
    assert [m.content for m in store.messages(cid)] == ["0", "1", "x"]


def test_find_and_latest(store: ConversationStore) -> None:
    assert store.latest() is None
    one = store.create("m", "one")
    two = store.create("m", "two")
    assert store.find(one).id == one
    assert store.find(two[:10].upper()).id == two
    latest = store.latest()
    assert latest is not None
    assert latest.id == two
    with pytest.raises(UsageError, match="no conversation"):
        store.find("")


def test_a_second_process_sees_the_writes(store: ConversationStore) -> None:
    cid = store.create("m", "t")
    other = ConversationStore(store.path)
    other.append(cid, [StoredMessage("user", "from elsewhere")], "m")
    other.close()
    assert [m.content for m in store.messages(cid)] == ["from elsewhere"]
