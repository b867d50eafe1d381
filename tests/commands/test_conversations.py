from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mistral_cli.services.conversations import ConversationStore, StoredMessage, when
from tests.support import invoke, make_context

DAY = 86400.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(1_790_000_000.0)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[ConversationStore]:
    opened = ConversationStore(tmp_path / "home" / "data" / "conversations.sqlite3", clock=clock)
    yield opened
    opened.close()


def add(
    store: ConversationStore, title: str, *texts: str, model: str = "mistral-small-latest"
) -> str:
    cid = store.create(model, title)
    roles = ["user", "assistant"]
    store.append(cid, [StoredMessage(roles[n % 2], text) for n, text in enumerate(texts)], model)
    return cid


def test_list_piped_is_tsv_latest_first(store: ConversationStore, clock: Clock) -> None:
    old = add(store, "Old one", "q", "a")
    clock.now += 60
    new = add(store, "New one", "q1", "a1", "q2", "a2", model="codestral-latest")
    result = invoke(["conversations", "list"], make_context())
    assert result.exit_code == 0
    assert result.stdout == (
        f"{new[:8]}\tNew one\tcodestral-latest\t{when(clock.now)}\t2\n"
        f"{old[:8]}\tOld one\tmistral-small-latest\t{when(clock.now - 60)}\t1\n"
    )


def test_list_json(store: ConversationStore) -> None:
    cid = add(store, "Primes", "q", "a")
    document = json.loads(invoke(["conversations", "list", "--json"], make_context()).stdout)
    assert document == {
        "object": "list",
        "data": [
            {
                "id": cid,
                "title": "Primes",
                "model": "mistral-small-latest",
                "created": "2026-09-21T14:13:20Z",
                "updated": "2026-09-21T14:13:20Z",
                "turns": 1,
            }
        ],
    }


def test_list_empty(store: ConversationStore) -> None:
    result = invoke(["conversations", "list"], make_context())
    assert (result.exit_code, result.stdout) == (0, "")


def test_show_markdown_transcript(store: ConversationStore, clock: Clock) -> None:
    cid = store.create("mistral-small-latest", "Capital")
    store.append(
        cid,
        [
            StoredMessage("system", "Be brief."),
            StoredMessage("user", "Capital of Australia?"),
            StoredMessage("assistant", "Canb", partial=True),
        ],
        "mistral-small-latest",
    )
    result = invoke(["conversations", "show", cid[:5]], make_context())
    assert result.exit_code == 0
    assert result.stdout == (
        f"# Capital\n\n{cid[:8]} · mistral-small-latest · {when(clock.now)}\n\n"
        "## system\n\nBe brief.\n\n"
        "## user\n\nCapital of Australia?\n\n"
        "## assistant (partial: cut short)\n\nCanb\n"
    )


def test_show_json(store: ConversationStore) -> None:
    cid = add(store, "T", "q", "a")
    document = json.loads(invoke(["conversations", "show", cid, "--json"], make_context()).stdout)
    assert document["id"] == cid
    assert [(m["role"], m["content"], m["partial"]) for m in document["messages"]] == [
        ("user", "q", False),
        ("assistant", "a", False),
    ]


def test_show_unknown_id(store: ConversationStore) -> None:
    result = invoke(["conversations", "show", "ffff"], make_context())
    assert result.exit_code == 2
    assert result.stderr.startswith("mistral: error: no conversation with id 'ffff'\n")


def test_rm_by_prefix(store: ConversationStore) -> None:
    keep = add(store, "keep", "q", "a")
    gone = add(store, "gone", "q", "a")
    result = invoke(["conversations", "rm", gone[:6]], make_context())
    assert (result.exit_code, result.stderr) == (0, "deleted 1 conversation\n")
    assert [c.id for c in store.summaries()] == [keep]
    assert store.messages(gone) == []


def test_rm_removes_nothing_when_one_id_is_unknown(store: ConversationStore) -> None:
    cid = add(store, "keep", "q", "a")
    result = invoke(["conversations", "rm", cid, "nope"], make_context())
    assert result.exit_code == 2
    assert len(store.summaries()) == 1


def test_prune_older_than(store: ConversationStore, clock: Clock) -> None:
    add(store, "ancient", "q", "a")
    clock.now += 40 * DAY
    recent = add(store, "recent", "q", "a")
    import time

    real_now = time.time()
    # the command uses the real clock: move both conversations relative to it
    store._db.execute("UPDATE conversations SET updated = updated - ?", (clock.now - real_now,))
    result = invoke(["conversations", "prune", "--older-than", "30d"], make_context())
    assert (result.exit_code, result.stderr) == (0, "deleted 1 conversation older than 30d\n")
    assert [c.id for c in store.summaries()] == [recent]


def test_prune_bad_age(store: ConversationStore) -> None:
    result = invoke(["conversations", "prune", "--older-than", "soon"], make_context())
    assert result.exit_code == 2
    assert "cannot read the age 'soon'" in result.stderr


def test_exports_never_contain_the_key(fake_transport: httpx.MockTransport) -> None:
    from mistral_cli.errors import REDACTED
    from tests.support import TEST_KEY

    actx = make_context(fake_transport, env={"MISTRAL_MODEL": "mistral-small-latest"})
    assert invoke(["chat", f"my key is {TEST_KEY}"], actx).exit_code == 0
    listed = json.loads(invoke(["conversations", "list", "--json"], actx).stdout)
    conversation = listed["data"][0]["id"]
    shown = invoke(["conversations", "show", "--json", conversation], actx).stdout
    markdown = invoke(["conversations", "show", conversation], actx).stdout
    assert TEST_KEY not in shown + markdown
    assert f"my key is {REDACTED}" in markdown
