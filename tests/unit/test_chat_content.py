"""Chat content without the CLI around it: messages on the wire, the history policy, the store
form of attachments, answers read choice by choice, attachment kinds and signed URLs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no stubs

from mistral_cli.api import chat_spec
from mistral_cli.api.chat import (
    CallPiece,
    DocumentPart,
    ImagePart,
    Message,
    Reference,
    TextPart,
    Thinking,
    ToolCall,
    Unsupported,
    fenced,
    read_answer,
    read_content,
    read_tool_calls,
)
from mistral_cli.api.errors import RequestRejected
from mistral_cli.errors import UsageError
from mistral_cli.services import attachments
from mistral_cli.services.chat import content, history
from mistral_cli.services.chat.turn import ChoiceState, _Call
from mistral_cli.services.conversations import Blob, ConversationStore, StoredMessage
from mistral_cli.services.store_errors import StoreError

CALL = ToolCall("c1", "get_weather", '{"city": "Paris"}')
OTHER = ToolCall("c2", "get_time", {"zone": "CET"})


def user(text: str) -> Message:
    return Message("user", text)


def asks(*calls: ToolCall, text: str = "") -> Message:
    return Message("assistant", text, tool_calls=calls)


def answers(call: ToolCall, text: str = "ok") -> Message:
    return Message("tool", text, tool_call_id=call.id, name=call.name)


def roles(messages: list[Message]) -> list[str]:
    return [m.role for m in messages]


# ---------------------------------------------------------------- on the wire


def test_every_message_shape_the_cli_builds_fits_the_spec() -> None:
    image = ImagePart("p.png", mime="image/png", data=b"\x89PNG", sha256="ab")
    built = [
        Message("system", "Be brief."),
        Message(
            "user",
            "Look.",
            parts=(
                image,
                ImagePart("u", url="https://x.test/a.jpg"),
                DocumentPart("r.pdf", file_id="f1"),
                DocumentPart("w.pdf", url="https://x.test/w.pdf"),
                TextPart("n.txt", "hi"),
            ),
        ),
        asks(CALL, OTHER, text="Checking."),
        asks(ToolCall(None, "f", "{}")),
        answers(CALL),
        Message("assistant", "Done."),
    ]
    wire = [m.wire(lambda part: f"https://signed.test/{part.file_id}") for m in built]
    validator = Draft202012Validator(chat_spec.FIELDS["messages"])
    assert [e.message for e in validator.iter_errors(wire)] == []
    assert wire[1]["content"][3] == {  # type: ignore[index]
        "type": "document_url",
        "document_url": "https://signed.test/f1",
        "document_name": "r.pdf",
    }
    assert wire[3] == {
        "role": "assistant",
        "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }


def test_a_document_without_a_url_now_is_left_out() -> None:
    message = Message("user", "Q", parts=(DocumentPart("r.pdf", file_id="gone"),))
    assert message.wire(lambda part: None) == {
        "role": "user",
        "content": [{"type": "text", "text": "Q"}],
    }


@pytest.mark.parametrize(
    ("text", "fence"),
    [("plain", "```"), ("has ``` inside", "````"), ("````` five", "``````")],
)
def test_a_text_file_is_fenced_longer_than_its_longest_backtick_run(text: str, fence: str) -> None:
    assert fenced("a.md", text + "\n") == f"a.md:\n{fence}\n{text}\n{fence}"


def test_tool_calls_are_shown_as_calls() -> None:
    assert CALL.shown() == 'get_weather({"city": "Paris"})'
    assert OTHER.shown() == 'get_time({"zone": "CET"})'


# ---------------------------------------------------------------- the history policy


def test_answered_calls_go_with_their_answers() -> None:
    sent = history.outgoing([user("q"), asks(CALL), answers(CALL), Message("assistant", "a")])
    assert roles(sent.messages) == ["user", "assistant", "tool", "assistant"]
    assert sent.unanswered == []


def test_unanswered_calls_and_empty_answers_are_left_out() -> None:
    sent = history.outgoing(
        [
            user("q1"),
            asks(CALL, text="Let me look."),
            user("q2"),
            asks(OTHER),
            user("q3"),
            Message("assistant", ""),
            user("q4"),
        ]
    )
    assert [(m.role, m.content, m.tool_calls) for m in sent.messages] == [
        ("user", "q1", ()),
        ("assistant", "Let me look.", ()),
        ("user", "q2", ()),
        ("user", "q3", ()),
        ("user", "q4", ()),
    ]
    assert sent.unanswered == [(1, CALL), (3, OTHER)]


def test_a_tool_exchange_no_answer_followed_is_taken_back_before_a_user_message() -> None:
    sent = history.outgoing(
        [
            user("q1"),
            asks(CALL, text="First."),
            answers(CALL),
            asks(OTHER),  # the model asked again; nobody answered
            user("q2"),
        ]
    )
    assert [(m.role, m.content) for m in sent.messages] == [
        ("user", "q1"),
        ("assistant", "First."),
        ("user", "q2"),
    ]
    assert sent.messages[1].tool_calls == ()


def test_stray_tool_messages_and_answers_to_nothing_are_left_out() -> None:
    stray = Message("tool", "x", tool_call_id="nobody")
    sent = history.outgoing([stray, user("q"), asks(CALL), answers(OTHER), answers(CALL)])
    assert [(m.role, m.tool_call_id) for m in sent.messages] == [
        ("user", None),
        ("assistant", None),
        ("tool", "c1"),
    ]


def test_tool_answers_name_the_function_and_refuse_what_waits_for_nothing() -> None:
    past = [user("q"), asks(CALL, OTHER)]
    (answer,) = history.tool_answers(past, [("c2", "19")])
    assert (answer.role, answer.content, answer.tool_call_id, answer.name) == (
        "tool",
        "19",
        "c2",
        "get_time",
    )
    with pytest.raises(UsageError, match=r"waiting: c1 \(get_weather\)"):
        history.tool_answers([*past, answers(OTHER)], [("c2", "again")])
    with pytest.raises(UsageError, match=r"waiting: none"):
        history.tool_answers([user("q")], [("c1", "1")])


# ---------------------------------------------------------------- in the store


def test_attachments_and_calls_survive_the_store(tmp_path: Path) -> None:
    image = ImagePart("p.png", mime="image/png", data=b"\x89PNG bytes", sha256="d" * 64)
    sent = [
        Message(
            "user",
            "Q",
            parts=(
                image,
                ImagePart("u.jpg", url="https://x.test/u.jpg"),
                DocumentPart("r.pdf", file_id="f1", sha256="e" * 64),
                DocumentPart("w.pdf", url="https://x.test/w.pdf"),
                TextPart("n.txt", "text"),
            ),
        ),
        asks(CALL, OTHER, text="Hm."),
        answers(CALL, '{"t": 21}'),
    ]
    store = ConversationStore(tmp_path / "c.sqlite3")
    cid, _ = store.save(None, [content.stored(m) for m in sent], "m", title="t")
    problems: list[str] = []
    back = [content.restore(s.role, s, store.blob, problems) for s in store.messages(cid)]
    assert back == sent
    assert problems == []
    parts = json.loads(store.messages(cid)[0].parts or "")
    assert parts["parts"][0] == {"type": "image", "name": "p.png", "sha256": "d" * 64,
                                 "mime": "image/png"}  # fmt: skip
    store.close()


def test_an_attachment_whose_bytes_are_gone_is_left_out_and_said(tmp_path: Path) -> None:
    saved = StoredMessage(
        "user",
        "Q",
        parts=json.dumps(
            {"parts": [{"type": "image", "name": "p.png", "sha256": "f" * 64}, {"type": "?"}]}
        ),
    )
    problems: list[str] = []
    message = content.restore("user", saved, lambda sha: None, problems)
    assert message == Message("user", "Q")
    assert problems == [
        "an attachment of a saved message (p.png) could not be read",
        "an attachment of a saved message (unnamed) could not be read",
    ]
    assert content.restore("robot", saved, lambda sha: None, problems) is None


def test_unreadable_parts_are_plain_text() -> None:
    for raw in ("not json", "[1]", '{"tool_calls": 3, "parts": {"a": 1}}'):
        assert content.restore("assistant", StoredMessage("assistant", "a", parts=raw),
                               lambda sha: None, []) == Message("assistant", "a")  # fmt: skip


def test_a_store_made_before_parts_is_read_even_when_read_only(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE conversations (id TEXT PRIMARY KEY, title TEXT NOT NULL, "
        "model TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL);"
        "CREATE TABLE messages (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, "
        "role TEXT NOT NULL, content TEXT NOT NULL, partial INTEGER NOT NULL DEFAULT 0, "
        "prompt_tokens INTEGER, completion_tokens INTEGER, created REAL NOT NULL, "
        "PRIMARY KEY (conversation_id, seq));"
        "CREATE INDEX conversations_updated ON conversations(updated);"
        "INSERT INTO conversations VALUES ('c1', 't', 'm', 1, 1);"
        "INSERT INTO messages VALUES ('c1', 0, 'user', 'hi', 0, NULL, NULL, 1);"
    )
    old.commit()
    old.close()

    class ReadOnly(sqlite3.Connection):  # as a read-only file is, even for root
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.execute("PRAGMA query_only = ON")

    store = ConversationStore(path)
    store.factory = ReadOnly
    try:
        assert [(m.content, m.parts) for m in store.messages("c1")] == [("hi", None)]
        assert store.blob("a" * 64) is None
        with pytest.raises(StoreError, match="readonly"):
            store.append("c1", [content.stored(asks(CALL))], "m")
    finally:
        store.close()
    writable = ConversationStore(path)
    writable.append("c1", [content.stored(asks(CALL))], "m")  # the tables are made now
    assert writable.messages("c1")[1].parts is not None
    writable.close()


def test_blobs_are_written_once_and_forgotten_with_their_last_message(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    blob = Blob("a" * 64, "image/png", b"png")
    image = json.dumps({"parts": [{"type": "image", "name": "p", "sha256": "a" * 64}]})
    keep = StoredMessage("user", "one", parts=image, blobs=(blob,))
    cid, _ = store.save(None, [keep], "m", title="t")
    _, keys = store.save(cid, [StoredMessage("user", "two", parts=image, blobs=(blob,))], "m")
    assert store._db.execute("SELECT COUNT(*) FROM blobs").fetchone() == (1,)
    store.drop(keys)
    assert store.blob("a" * 64) == blob
    store.prune(-1.0)
    assert store.blob("a" * 64) is None
    store.close()


# ---------------------------------------------------------------- answers, choice by choice


def test_content_pieces_keep_references_and_name_unknown_chunks() -> None:
    pieces = read_content(
        [
            {"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]},
            {"type": "text", "text": "A"},
            {"type": "reference", "reference_ids": [1, "x", None]},
            {"type": "reference", "reference_ids": 3, "url": "https://r.test"},
            {"type": "image_url", "image_url": "…"},
            {"type": 7},
            "tail",
        ]
    )
    assert pieces == [
        Thinking("hm"),
        "A",
        Reference(("1", "x")),
        Reference(("3",), url="https://r.test"),
        Unsupported("image_url"),
        Unsupported("7"),
        "tail",
    ]
    assert Reference(()).shown() == "(no details)"


def test_tool_call_pieces_merge_by_index() -> None:
    pieces = read_tool_calls(
        [
            {"index": 1, "id": "b", "function": {"name": "g", "arguments": '{"x"'}},
            {"id": "a", "function": {"name": "f", "arguments": {"k": 1}}},
            "junk",
            {"index": 1, "function": {"arguments": ": 1}"}},
            {"index": -3, "function": None},
        ]
    )
    assert pieces[:2] == [
        CallPiece(1, "b", "g", '{"x"'),
        CallPiece(1, "a", "f", {"k": 1}),  # no index: its place in the list
    ]
    state = ChoiceState(0)
    state.read(None, [{"index": 0, "id": "a", "function": {"name": "f", "arguments": '{"x"'}}])
    state.read(None, [{"index": 0, "function": {"arguments": ": 1}"}}])
    state.read(None, [{"index": 1, "function": {"arguments": "{}"}}])  # no name: no call
    assert state.tool_calls == (ToolCall("a", "f", '{"x": 1}'),)


def test_a_call_whose_arguments_come_as_an_object_keeps_the_object() -> None:
    call = _Call()
    call.add(CallPiece(0, "a", "f", "{"))
    call.add(CallPiece(0, None, None, {"whole": True}))
    call.add(CallPiece(0, None, None, None))
    assert call.arguments == {"whole": True}


def test_every_readable_choice_is_read_in_place() -> None:
    answer = read_answer(
        {"choices": [None, {"index": "2", "message": {"content": "b"}}, {"message": "x"}]},
        where="w",
        part="message",
    )
    assert [(c.index, c.content) for c in answer.choices] == [(2, "b"), (2, None)]
    assert (answer.content, answer.finish_reason) == ("b", None)
    assert read_answer({}, where="w", part="delta").content is None


# ---------------------------------------------------------------- attachment kinds


@pytest.mark.parametrize(
    ("head", "kind", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image", "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image", "image/jpeg"),
        (b"GIF89a....", "image", "image/gif"),
        (b"GIF87a....", "image", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image", "image/webp"),
        (b"RIFF\x10\x00\x00\x00AVI LIST", None, None),
        (b"junk\n%PDF-1.7\n", "pdf", "application/pdf"),
        ("naïve text".encode()[:-1] + "é".encode()[:1], "text", "text/plain"),  # a cut character
        (b"\xff\xfe\x00t\x00e", None, None),  # UTF-16
        (b"text\x00with NUL", None, None),
    ],
)
def test_kinds_are_read_from_the_first_bytes(
    head: bytes, kind: str | None, mime: str | None
) -> None:
    assert attachments.sniff(head) == (kind, mime)


def test_a_text_file_with_a_bom_and_a_late_nul(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffhello".encode())
    loaded = attachments.load(str(tmp_path / "bom.txt"))
    assert loaded.part == TextPart(str(tmp_path / "bom.txt"), "hello")
    (tmp_path / "late.txt").write_bytes(b"a" * 2000 + b"\x00")
    with pytest.raises(UsageError, match="not an image, a PDF or UTF-8 text"):
        attachments.load(str(tmp_path / "late.txt"))


def test_describe_lists_a_pending_attachment(tmp_path: Path) -> None:
    (tmp_path / "r.pdf").write_bytes(b"%PDF-1.4 << /Type /Page >>" + bytes(1500))
    assert attachments.describe(attachments.load(str(tmp_path / "r.pdf"))) == (
        f"{tmp_path / 'r.pdf'} (PDF, 1.5 kB, 1 pages)"
    )
    assert attachments.describe(attachments.load("https://x.test/a.pdf")) == (
        "https://x.test/a.pdf (PDF URL)"
    )


class Signer:
    """Answers GET /v1/files/{id}/url: a new URL each time, or 404 for `gone` ids."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.gone: set[str] = set()

    def get(self, path: str, *, params: Any = None) -> Any:
        self.calls.append((path, params))
        if path.split("/")[3] in self.gone:
            raise RequestRejected("not found", status=404)
        return {"url": f"https://signed.test/{len(self.calls)}"}


def test_signed_urls_are_kept_until_near_their_end_and_a_gone_file_is_said_once() -> None:
    signer = Signer()
    now = [1000.0]
    said: list[str] = []
    docs = attachments.Documents(
        signer,  # type: ignore[arg-type]  # only get() is used here
        clock=lambda: now[0],
        on_gone=lambda part: said.append(part.name),
    )
    part = DocumentPart("r.pdf", file_id="f1")
    assert docs.link(part) == docs.link(part) == "https://signed.test/1"
    now[0] += 24 * 3600 - attachments.SIGNED_URL_MARGIN - 1
    assert docs.link(part) == "https://signed.test/1"
    now[0] += 2
    assert docs.link(part) == "https://signed.test/2"
    assert signer.calls[0] == ("/v1/files/f1/url", {"expiry": 24})
    signer.gone.add("f2")
    gone = DocumentPart("old.pdf", file_id="f2")
    assert docs.link(gone) is None
    assert docs.link(gone) is None
    assert said == ["old.pdf"]
    assert docs.link(DocumentPart("w", url="https://x.test/w.pdf")) == "https://x.test/w.pdf"


def test_other_refusals_of_a_signed_url_are_errors() -> None:
    class Refusing:
        def get(self, path: str, *, params: Any = None) -> Any:
            raise RequestRejected("forbidden", status=403)

    docs = attachments.Documents(Refusing())  # type: ignore[arg-type]
    with pytest.raises(RequestRejected):
        docs.link(DocumentPart("r.pdf", file_id="f1"))


# ---------------------------------------------------------------- the generated TypedDicts


def test_each_named_shape_has_a_typed_dict_with_the_spec_fields() -> None:
    from tests.fakes.spec import PUBLIC_SPEC, load_spec
    from tests.unit.test_chat_spec import generator

    gen = generator()
    source = (Path(chat_spec.__file__)).read_text(encoding="utf-8")
    components = load_spec(PUBLIC_SPEC)["components"]["schemas"]
    for name in gen.NAMED:
        assert f"    class {name}(TypedDict, total=False):" in source
        body = source.split(f"    class {name}(TypedDict, total=False):")[1].split("\n\n    class")[
            0
        ]
        for field in components[name]["properties"]:
            assert f"        {field}: " in body, (name, field)
    assert (
        "messages: Required[list[SystemMessage | UserMessage | AssistantMessage | ToolMessage]]"
        in source
    )
