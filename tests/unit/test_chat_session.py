from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from mistral_cli.api.errors import StreamInterrupted
from mistral_cli.errors import Interrupted, UsageError
from mistral_cli.services.chat import ChatParams, ChatSession, TextDelta, ThinkingDelta
from mistral_cli.services.conversations import ConversationStore
from mistral_cli.services.store_errors import StoreError, StoreWriteFailed
from tests.store_faults import FULL, Faults, failing


def chunk(content: object, finish: str | None = None, usage: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }
    if usage:
        payload["usage"] = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    return payload


class ScriptedClient:
    """Answers each streamed request with the next script: payloads, then maybe an exception."""

    def __init__(self) -> None:
        self.scripts: list[list[object]] = []
        self.bodies: list[dict[str, Any]] = []

    def answer(self, *pieces: str, fail: BaseException | None = None) -> None:
        events: list[object] = [chunk(p) for p in pieces[:-1]]
        events.append(chunk(pieces[-1], "stop", usage=True) if fail is None else chunk(pieces[-1]))
        if fail is not None:
            events.append(fail)
        self.scripts.append(events)

    def request(self, method: str, path: str, *, json_body: Any = None) -> Any:
        raise AssertionError("not used")

    def stream_events(self, path: str, body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        self.bodies.append(dict(body))
        for event in self.scripts.pop(0):
            if isinstance(event, BaseException):
                raise event
            assert isinstance(event, dict)
            yield event


def ask(session: ChatSession, prompt: str) -> list[object]:
    with session.turn(prompt) as turn:
        return list(turn)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    opened = ConversationStore(tmp_path / "c.sqlite3")
    yield opened
    opened.close()


def contents(session: ChatSession) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in session.messages]


def test_turns_build_the_history_and_the_totals(store: ConversationStore) -> None:
    client = ScriptedClient()
    client.answer("Can", "berra.")
    client.answer("470k.")
    session = ChatSession(client, model="m", system="Brief.", store=store)
    events = ask(session, "Capital?")
    assert [e for e in events if isinstance(e, TextDelta)] == [
        TextDelta("Can"),
        TextDelta("berra."),
    ]
    ask(session, "Population?")
    assert contents(session) == [
        ("system", "Brief."),
        ("user", "Capital?"),
        ("assistant", "Canberra."),
        ("user", "Population?"),
        ("assistant", "470k."),
    ]
    assert [m["content"] for m in client.bodies[1]["messages"]] == [
        "Brief.",
        "Capital?",
        "Canberra.",
        "Population?",
    ]
    assert (
        session.totals.turns,
        session.totals.prompt_tokens,
        session.totals.completion_tokens,
    ) == (2, 6, 4)
    assert session.conversation_id is not None
    saved = store.messages(session.conversation_id)
    assert [(m.role, m.content) for m in saved] == contents(session)
    assert saved[2].completion_tokens == 2


def test_thinking_is_an_event_of_its_own() -> None:
    client = ScriptedClient()
    client.scripts.append(
        [
            chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]}]),
            chunk("42", "stop", usage=True),
        ]
    )
    session = ChatSession(client, model="m")
    with session.turn("q") as turn:
        events = [e for e in turn if not isinstance(e, dict) and not hasattr(e, "payload")]
    assert events == [ThinkingDelta("hm"), TextDelta("42")]
    response = turn.response()
    assert response["choices"][0]["message"]["content"][1] == {"type": "text", "text": "42"}
    assert contents(session)[-1] == ("assistant", "42")  # thinking is not sent back


def test_a_failure_before_any_text_leaves_no_trace(store: ConversationStore) -> None:
    client = ScriptedClient()
    client.scripts.append([StreamInterrupted("the stream broke after 0 events")])
    session = ChatSession(client, model="m", store=store)
    with pytest.raises(StreamInterrupted, match=r"after 0 events$"):
        ask(session, "q")
    assert session.messages == []
    assert store.summaries() == []


@pytest.mark.parametrize("failure", [StreamInterrupted("the stream broke"), Interrupted()])
def test_a_cut_answer_is_kept_and_saved_partial(
    store: ConversationStore, failure: BaseException
) -> None:
    client = ScriptedClient()
    client.answer("par", "tial", fail=failure)
    session = ChatSession(client, model="m", store=store)
    with pytest.raises(type(failure)) as raised:
        ask(session, "q")
    if isinstance(failure, StreamInterrupted):
        assert str(raised.value) == "the stream broke; the partial answer was kept"
    assert contents(session) == [("user", "q"), ("assistant", "partial")]
    assert session.conversation_id is not None
    assert [m.partial for m in store.messages(session.conversation_id)] == [False, True]


def test_undo_and_retry_update_the_store(store: ConversationStore) -> None:
    client = ScriptedClient()
    for text in ("one", "two", "two again"):
        client.answer(text)
    session = ChatSession(client, model="m", store=store)
    ask(session, "first")
    ask(session, "second")
    with session.retry() as turn:
        list(turn)
    assert contents(session)[-2:] == [("user", "second"), ("assistant", "two again")]
    assert session.undo() == "second"
    assert session.conversation_id is not None
    assert [m.content for m in store.messages(session.conversation_id)] == ["first", "one"]
    assert session.undo() == "first"
    assert session.undo() is None
    with pytest.raises(UsageError, match="nothing to retry"), session.retry():
        pass


def test_clear_starts_a_new_conversation(store: ConversationStore) -> None:
    client = ScriptedClient()
    client.answer("a")
    client.answer("b")
    session = ChatSession(client, model="m", system="S", store=store)
    ask(session, "one")
    first = session.conversation_id
    session.clear()
    assert contents(session) == [("system", "S")]
    ask(session, "two")
    assert session.conversation_id not in (None, first)
    assert len(store.summaries()) == 2


def test_resume_continues_with_the_saved_history(store: ConversationStore) -> None:
    client = ScriptedClient()
    client.answer("a")
    client.answer("b")
    first = ChatSession(client, model="m1", system="S", store=store)
    ask(first, "one")
    (saved,) = store.summaries()
    again = ChatSession.resume(client, store, saved, params=ChatParams(temperature=0.1))
    assert again.model == "m1"
    ask(again, "two")
    assert [m["content"] for m in client.bodies[-1]["messages"]] == ["S", "one", "a", "two"]
    assert client.bodies[-1]["temperature"] == 0.1
    assert [m.content for m in store.messages(saved.id)] == ["S", "one", "a", "two", "b"]


def test_resume_with_a_new_system_prompt_and_without_saving(store: ConversationStore) -> None:
    client = ScriptedClient()
    client.answer("a")
    client.answer("b")
    ask(ChatSession(client, model="m", store=store), "one")
    (saved,) = store.summaries()
    again = ChatSession.resume(client, store, saved, model="m2", system="New", save=False)
    ask(again, "two")
    assert [m["content"] for m in client.bodies[-1]["messages"]] == ["New", "one", "a", "two"]
    assert client.bodies[-1]["model"] == "m2"
    assert len(store.messages(saved.id)) == 2


def test_set_system_replaces_and_removes() -> None:
    session = ChatSession(ScriptedClient(), model="m", system="A")
    session.set_system("B")
    assert session.system == "B"
    session.set_system(None)
    assert session.system is None
    assert session.messages == []


# ---------------------------------------------------------------- a store that fails


def stored(store: ConversationStore, session: ChatSession) -> list[str]:
    assert session.conversation_id is not None
    return [m.content for m in store.messages(session.conversation_id)]


def test_a_failed_save_is_reported_and_caught_up_with_the_next_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = Faults(sqlite3.OperationalError(FULL), times=1)
    monkeypatch.setattr(ConversationStore, "factory", failing(faults))
    store = ConversationStore(tmp_path / "c.sqlite3")
    client = ScriptedClient()
    client.answer("a")
    client.answer("b")
    reported: list[StoreError] = []
    session = ChatSession(
        client, model="m", system="S", store=store, on_store_error=reported.append
    )
    ask(session, "one")
    assert [e.not_saved for e in reported] == [f"not saved: {FULL} ({store.path})"]
    assert (session.conversation_id, store.summaries()) == (None, [])  # nothing half-saved
    ask(session, "two")
    assert stored(store, session) == ["S", "one", "a", "two", "b"]
    assert len(reported) == 1


def test_without_a_handler_a_store_failure_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        ConversationStore, "factory", failing(Faults(sqlite3.OperationalError(FULL)))
    )
    client = ScriptedClient()
    client.answer("a")
    session = ChatSession(client, model="m", store=ConversationStore(tmp_path / "c.sqlite3"))
    with pytest.raises(StoreWriteFailed, match=r"database or disk is full$"):
        ask(session, "q")
    assert contents(session) == [("user", "q"), ("assistant", "a")]  # the answer stays


def test_an_undo_the_store_refused_is_done_with_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = Faults(sqlite3.OperationalError(FULL), prefixes=("DELETE",), times=1)
    monkeypatch.setattr(ConversationStore, "factory", failing(faults))
    store = ConversationStore(tmp_path / "c.sqlite3")
    client = ScriptedClient()
    for text in ("a", "b", "c"):
        client.answer(text)
    reported: list[StoreError] = []
    session = ChatSession(client, model="m", store=store, on_store_error=reported.append)
    ask(session, "one")
    ask(session, "two")
    assert session.undo() == "two"
    assert (faults.raised, len(reported)) == (1, 1)
    assert contents(session) == [("user", "one"), ("assistant", "a")]
    assert stored(store, session) == ["one", "a", "two", "b"]  # refused for now …
    assert session.others() == 0  # … and never taken for another session's turn
    ask(session, "three")
    assert stored(store, session) == ["one", "a", "three", "c"]


# ---------------------------------------------------------------- two sessions, one conversation


def two_sessions(store: ConversationStore) -> tuple[ScriptedClient, ChatSession, ChatSession]:
    client = ScriptedClient()
    client.answer("S")
    ask(ChatSession(client, model="m", store=store), "start")
    (saved,) = store.summaries()
    first = ChatSession.resume(client, store, saved)
    second = ChatSession.resume(client, ConversationStore(store.path), saved)
    return client, first, second


def test_undo_removes_only_this_sessions_turn(store: ConversationStore) -> None:
    client, a, b = two_sessions(store)
    client.answer("A1")
    client.answer("B1")
    ask(a, "a1")
    ask(b, "b1")
    assert (a.others(), b.others()) == (1, 1)
    assert a.undo() == "a1"  # A's own turn, though B's is the latest
    assert stored(store, a) == ["start", "S", "b1", "B1"]
    assert a.others() == 1
    assert b.undo() == "b1"
    assert b.undo() == "start"  # the turns B saw when it began are its to undo too
    assert stored(store, a) == []
    b.store.close()  # type: ignore[union-attr]


def test_retry_replaces_only_this_sessions_answer(store: ConversationStore) -> None:
    client, a, b = two_sessions(store)
    for text in ("A1", "B1", "A1 again"):
        client.answer(text)
    ask(a, "a1")
    ask(b, "b1")
    with a.retry() as turn:
        list(turn)
    assert [m["content"] for m in client.bodies[-1]["messages"]] == ["start", "S", "a1"]
    assert stored(store, a) == ["start", "S", "b1", "B1", "a1", "A1 again"]
    assert contents(b)[-2:] == [("user", "b1"), ("assistant", "B1")]
    b.store.close()  # type: ignore[union-attr]


def test_a_retry_without_an_answer_leaves_the_store_as_it_was(store: ConversationStore) -> None:
    client = ScriptedClient()
    client.answer("first")
    client.scripts.append([StreamInterrupted("the stream broke after 0 events")])
    session = ChatSession(client, model="m", store=store)
    ask(session, "q")
    before = store.messages(session.conversation_id or "")
    with pytest.raises(StreamInterrupted), session.retry() as turn:
        list(turn)
    assert contents(session) == [("user", "q"), ("assistant", "first")]
    assert store.messages(session.conversation_id or "") == before
    assert session.undo() == "q"  # and its keys still work
    assert stored(store, session) == []
