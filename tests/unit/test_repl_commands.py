"""The chat REPL without a terminal: slash-command parsing, and the loop over the fake API."""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from mistral_cli.commands._chat_ui import ChatOptions, open_session
from mistral_cli.commands._repl import Repl, help_lines, run_repl, usage_text
from mistral_cli.context import AppContext
from mistral_cli.errors import ExitCode, Interrupted, UsageError
from mistral_cli.services import repl as commands
from mistral_cli.services.chat import ChatParams, ChatSession, Totals
from mistral_cli.services.conversations import ConversationStore
from mistral_cli.services.store_errors import StoreUnreadable
from tests.fakes.chat import Reply
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.store_faults import FULL, Faults, failing, garbage, store_path
from tests.support import make_context

CHAT = "POST /v1/chat/completions"
SMALL = "mistral-small-latest"


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", None),
        ("   \n ", None),
        ("hello", "hello"),
        ("  two\nlines \n", "two\nlines"),
        ("/help", commands.Slash("help")),
        ("/?", commands.Slash("help")),
        ("/model mistral-large", commands.Slash("model", "mistral-large")),
        ("  /MODEL   large  ", commands.Slash("model", "large")),
        ("/quit", commands.Slash("exit")),
        ("/q", commands.Slash("exit")),
        ("/system be terse\nand kind", commands.Slash("system", "be terse\nand kind")),
        ("/foo bar", commands.Slash("foo", "bar")),
        ("//help me", "/help me"),
        ("/etc/hosts lists names", "/etc/hosts lists names"),
        ("/ alone", "/ alone"),
    ],
)
def test_parse_tells_commands_from_prompts(line: str, expected: object) -> None:
    assert commands.parse(line) == expected


def test_known_commands() -> None:
    assert commands.Slash("usage").known
    assert not commands.Slash("foo").known


def test_help_lists_every_command_aligned() -> None:
    assert help_lines() == [
        "  /help                 list these commands",
        "  /exit                 leave (also Ctrl-D)",
        "  /clear                start a new conversation (the system prompt stays)",
        "  /model [NAME]         show or switch the model, e.g. /model mistral-large",
        "  /system [TEXT|off]    show, set or remove the system prompt",
        "  /retry                ask the last question again, replacing its answer",
        "  /undo                 forget the last question and its answer",
        "  /usage                tokens used in this conversation so far",
        "  /attach [PATH]        add a file or URL to your next message (alone: list them)",
        "  /save FILE [--force]  write the conversation to FILE as markdown",
        "Enter sends; Alt-Enter (or Esc then Enter) adds a line; pasted lines stay one message.",
        "Ctrl-C stops an answer (what arrived is kept); Up recalls earlier inputs; "
        "//text sends /text.",
    ]


def test_every_command_of_the_table_has_a_handler(actx: AppContext) -> None:
    session = ChatSession(actx.client(), model=SMALL)
    handlers = Repl(actx, session, ChatOptions()).handlers
    assert list(handlers) == [command.name for command in commands.COMMANDS]


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("/", [c.name for c in commands.COMMANDS]),
        ("/a", ["attach"]),
        ("/u", ["undo", "usage"]),
        ("/US", ["usage"]),
        ("/s", ["system", "save"]),
        ("/usage", ["usage"]),
        ("/x", []),
        ("/model ", []),
        ("hello /", []),
        ("//he", []),
        ("", []),
    ],
)
def test_tab_completes_the_commands_of_the_table(typed: str, offered: list[str]) -> None:
    assert [command.name for command in commands.completions(typed)] == offered


def test_the_editor_completer_replaces_the_typed_word() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from mistral_cli.commands._editor import slash_completer

    found = list(slash_completer().get_completions(Document("/us"), CompleteEvent()))
    assert [(c.text, c.start_position, c.display_meta_text) for c in found] == [
        ("usage", -2, "tokens used in this conversation so far")
    ]


@pytest.mark.parametrize(
    ("totals", "text"),
    [
        (Totals(180, 42, 4), "this conversation: 4 turns · 180 in / 42 out tokens"),
        (
            Totals(180, 42, 4, cost_missing=4),
            "this conversation: 4 turns · 180 in / 42 out tokens · cost n/a",
        ),
        (
            Totals(3, 2, 1, cost=0.0000011, currency="USD"),
            "this conversation: 1 turn · 3 in / 2 out tokens · $0.0000011",
        ),
        (
            Totals(3, 2, 2, cost=0.5, currency="EUR", cost_missing=1),
            "this conversation: 2 turns · 3 in / 2 out tokens · €0.5 (cost n/a for 1 of them)",
        ),
        (
            Totals(3, 2, 2, usage_missing=1),
            "this conversation: 2 turns · 3 in / 2 out tokens · usage missing for 1 of them",
        ),
    ],
)
def test_usage_text(totals: Totals, text: str) -> None:
    assert usage_text(totals) == text


def test_since_subtracts_a_snapshot() -> None:
    assert commands.since(Totals(10, 5, 3, 1), Totals(4, 2, 1, 1)) == Totals(6, 3, 2, 0)


# ---------------------------------------------------------------- the loop


@dataclass
class Lines:
    """A scripted line editor: each item is typed, or raised (EOFError when the script ends)."""

    items: list[str | BaseException]
    prompts: list[str] = field(default_factory=list)

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.items:
            raise EOFError
        item = self.items.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


@pytest.fixture
def actx(fake_transport: httpx.MockTransport) -> AppContext:
    return make_context(fake_transport)


def opener(
    actx: AppContext,
    opts: ChatOptions | None = None,
    *,
    client: Callable[[Any], Any] | None = None,
    opened: list[ChatSession] | None = None,
) -> Callable[[], ChatSession]:
    """The REPL's real session opening (`chat`'s open_session); `client` wraps its API client."""

    def open_repl_session() -> ChatSession:
        session = open_session(actx, opts or ChatOptions(), ChatParams())
        if client is not None:
            session.client = client(session.client)
        if opened is not None:
            opened.append(session)
        return session

    return open_repl_session


def repl(
    actx: AppContext,
    *items: str | BaseException,
    opts: ChatOptions | None = None,
    client: Callable[[Any], Any] | None = None,
    opened: list[ChatSession] | None = None,
) -> Lines:
    """Run the REPL through its entry, run_repl, typing `items`, with the session chat opens."""
    lines = Lines(list(items))
    session = opener(actx, opts, client=client, opened=opened)
    assert run_repl(actx, session, opts or ChatOptions(), read_line=lines) == ExitCode.OK
    return lines


UNSAVED = ChatOptions(no_save=True)


HEADER = f"{SMALL} · new conversation · /help for commands, Ctrl-D to leave\n"


def saved(actx: AppContext) -> str:
    """The line the REPL ends with when its one conversation was saved."""
    (conversation,) = ConversationStore.open(actx.data_dir()).summaries()
    return f"saved as conversation {conversation.short_id} — continue with `mistral chat -c`\n"


def sent(fake: FakeMistral) -> list[list[dict[str, str]]]:
    return [request.json()["messages"] for request in fake.requests_to(CHAT)]


def stored(actx: AppContext) -> list[list[tuple[str, str, bool]]]:
    store = ConversationStore.open(actx.data_dir())
    try:
        return [
            [(m.role, m.content, m.partial) for m in store.messages(c.id)]
            for c in reversed(store.summaries())
        ]
    finally:
        store.close()


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def bot(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


def test_turns_carry_the_conversation_and_exit_ends_it(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = repl(actx, "hi", "", "again", "/usage", "/exit", "never read")
    assert sent(fake) == [[user("hi")], [user("hi"), bot("Echo: hi"), user("again")]]
    assert lines.items == ["never read"]
    assert set(lines.prompts) == {"› "}
    out, err = capsys.readouterr()
    assert out == "Echo: hi\nEcho: again\n"
    (conversation,) = ConversationStore.open(actx.data_dir()).summaries()
    assert err.splitlines() == [
        f"{SMALL} · new conversation · /help for commands, Ctrl-D to leave",
        "this conversation: 2 turns · 6 in / 5 out tokens · $0.0000021",
        f"saved as conversation {conversation.short_id} — continue with `mistral chat -c`",
    ]


def test_model_switches_for_the_next_request(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "/model", "/model mistral-large", "hi", "/model nosuchmodel", "x")
    models = [request.json()["model"] for request in fake.requests_to(CHAT)]
    assert models == ["mistral-large-latest", "mistral-large-latest"]
    assert capsys.readouterr() == (
        "Echo: hi\nEcho: x\n",
        f"{HEADER}model: {SMALL}\nmodel: mistral-large-latest\n"
        "mistral: error: unknown model 'nosuchmodel'.\n"
        "hint: `mistral models list` shows the models your key can use\n" + saved(actx),
    )


def test_clear_starts_a_new_conversation(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "one", "/clear", "two", "/usage")
    assert sent(fake)[-1] == [user("two")]
    assert stored(actx) == [
        [("user", "one", False), ("assistant", "Echo: one", False)],
        [("user", "two", False), ("assistant", "Echo: two", False)],
    ]
    (second,) = [c for c in ConversationStore.open(actx.data_dir()).summaries() if c.title == "two"]
    assert capsys.readouterr() == (
        "Echo: one\nEcho: two\n",
        f"{SMALL} · new conversation · /help for commands, Ctrl-D to leave\n"
        "new conversation\n"
        "this conversation: 1 turn · 1 in / 3 out tokens · $0.000001\n"
        f"saved as conversation {second.short_id} — continue with `mistral chat -c`\n",
    )


def test_usage_counts_from_the_last_clear(
    actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "one", "/clear", "two", "/usage", opts=UNSAVED)
    assert capsys.readouterr().err == (
        f"{SMALL} · new conversation (not saved) · /help for commands, Ctrl-D to leave\n"
        "new conversation\n"
        "this conversation: 1 turn · 1 in / 3 out tokens · $0.000001\n"
    )


def test_system_prompt_is_set_shown_and_removed(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "/system", "/system Be terse.", "/system", "a", "/system off", "b")
    system = {"role": "system", "content": "Be terse."}
    assert sent(fake) == [[system, user("a")], [user("a"), bot("Echo: a"), user("b")]]
    assert capsys.readouterr() == (
        "Echo: a\nEcho: b\n",
        f"{HEADER}no system prompt\nsystem prompt set\nsystem prompt: Be terse.\n"
        "system prompt removed\n" + saved(actx),
    )


def test_retry_asks_again_replacing_the_answer(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.chat.replies.extend([Reply(text="first"), Reply(text="second")])
    repl(actx, "/retry", "q", "/retry")
    assert sent(fake) == [[user("q")], [user("q")]]
    assert stored(actx) == [[("user", "q", False), ("assistant", "second", False)]]
    out, err = capsys.readouterr()
    assert out == "first\nsecond\n"
    assert "mistral: error: there is nothing to retry yet\n" in err


def test_undo_forgets_the_last_exchange(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "/undo", "keep", "drop this", "/undo", "next")
    assert sent(fake)[-1] == [user("keep"), bot("Echo: keep"), user("next")]
    assert [m[1] for m in stored(actx)[0]] == ["keep", "Echo: keep", "next", "Echo: next"]
    assert capsys.readouterr() == (
        "Echo: keep\nEcho: drop this\nEcho: next\n",
        f"{HEADER}nothing to undo\nforgot: drop this\n" + saved(actx),
    )


@pytest.mark.parametrize("save", [True, False])
def test_save_writes_a_markdown_transcript(
    actx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str], save: bool
) -> None:
    target = tmp_path / "talk.md"
    repl(
        actx,
        "/save",
        f"/save {target}",
        "Hi there",
        f"/save {target}",
        opts=ChatOptions(no_save=not save),
    )
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Hi there\n\n")
    assert text.endswith("## user\n\nHi there\n\n## assistant\n\nEcho: Hi there\n")
    header = HEADER if save else HEADER.replace("conversation", "conversation (not saved)")
    assert capsys.readouterr() == (
        "Echo: Hi there\n",
        f"{header}mistral: error: /save needs a file name\nhint: e.g. /save notes.md\n"
        f"nothing to save yet\ntranscript saved to {target}\n" + (saved(actx) if save else ""),
    )


def test_save_reports_an_unwritable_file(
    actx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "hi", f"/save {tmp_path / 'missing' / 'x.md'}", "/exit")
    assert capsys.readouterr() == (
        "Echo: hi\n",
        f"{HEADER}mistral: error: cannot write {tmp_path / 'missing' / 'x.md'}: "
        f"there is no folder {tmp_path / 'missing'}\n" + saved(actx),
    )


def test_unknown_commands_and_stray_arguments_send_nothing(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "/foo", "/clear now", "/help")
    assert sent(fake) == []
    out, err = capsys.readouterr()
    assert out == ""
    # the /help table after them is the slash-command table's to describe
    assert err.startswith(
        f"{HEADER}unknown command /foo; /help lists them\n/clear takes no argument\n  /help "
    )
    assert "  /retry" in err
    assert "saved as" not in err


def test_ctrl_c_at_the_prompt_and_ctrl_d(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = repl(actx, KeyboardInterrupt(), Interrupted(), "hi")
    assert sent(fake) == [[user("hi")]]
    assert len(lines.prompts) == 4  # the last one met Ctrl-D
    assert capsys.readouterr() == ("Echo: hi\n", HEADER + saved(actx))


def test_sigterm_at_the_prompt_ends_the_repl(actx: AppContext) -> None:
    opened: list[ChatSession] = []
    with pytest.raises(Interrupted) as stop:
        repl(actx, Interrupted(ExitCode.TERMINATED), opened=opened)
    assert stop.value.exit_code == ExitCode.TERMINATED
    with pytest.raises(Exception, match="closed"):
        opened[0].store.latest()  # type: ignore[union-attr]


class CutShort:
    """The real client, except that a stream raises `stop` after `events` events."""

    def __init__(self, client: Any, stop: BaseException, events: int = 2) -> None:
        self.client = client
        self.stop: BaseException | None = stop
        self.events = events

    def request(self, method: str, path: str, *, json_body: Any = None) -> Any:
        return self.client.request(method, path, json_body=json_body)

    def stream_events(self, path: str, body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        for n, event in enumerate(self.client.stream_events(path, body)):
            if n == self.events and self.stop is not None:
                stop, self.stop = self.stop, None
                raise stop
            yield event


def test_ctrl_c_during_an_answer_keeps_the_partial_answer(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.chat.replies.append(Reply(text="alpha beta gamma", chunk_size=6))
    repl(actx, "count", "more", client=lambda real: CutShort(real, Interrupted()))
    assert sent(fake)[-1] == [user("count"), bot("alpha "), user("more")]
    assert stored(actx)[0][:2] == [("user", "count", False), ("assistant", "alpha ", True)]
    assert capsys.readouterr() == (
        "alpha \nEcho: more\n",
        f"{HEADER}stopped; the partial answer was kept\n" + saved(actx),
    )


def test_ctrl_c_before_the_answer_leaves_no_trace(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, "lost", "kept", client=lambda real: CutShort(real, Interrupted(), events=0))
    assert sent(fake)[-1] == [user("kept")]
    assert capsys.readouterr() == ("Echo: kept\n", f"{HEADER}stopped\n" + saved(actx))


def test_sigterm_during_an_answer_ends_the_repl(fake: FakeMistral, actx: AppContext) -> None:
    stop = Interrupted(ExitCode.TERMINATED)
    with pytest.raises(Interrupted):
        repl(actx, "count", "never asked", client=lambda real: CutShort(real, stop))
    assert len(sent(fake)) == 1


def test_api_errors_print_a_line_and_the_repl_goes_on(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject(CHAT, Fault.status(400))
    repl(actx, "refused", "fine")
    assert sent(fake)[-1] == [user("fine")]
    refused = fake.requests_to(CHAT)[0].request_id
    assert capsys.readouterr() == (
        "Echo: fine\n",
        f"{HEADER}mistral: error: Invalid request (HTTP 400, request {refused})\n"
        "hint: check the request's parameters (rerun with --debug to see the request)\n"
        + saved(actx),
    )


def test_header_of_a_resumed_or_unsaved_conversation(actx: AppContext) -> None:
    first = opener(actx)()
    with first.turn("hello") as turn:
        list(turn)
    assert first.conversation_id is not None
    found = ConversationStore.open(actx.data_dir()).find(first.conversation_id)
    resumed = opener(actx, ChatOptions(continue_last=True))()
    assert Repl(actx, resumed, ChatOptions()).header() == (
        f"{SMALL} · conversation {found.short_id} (1 turn so far) · "
        "/help for commands, Ctrl-D to leave"
    )
    unsaved = opener(actx, UNSAVED)()
    assert "· new conversation (not saved) ·" in Repl(actx, unsaved, ChatOptions()).header()


def test_no_terminal_is_a_usage_error_before_any_request(
    fake: FakeMistral, actx: AppContext
) -> None:
    def never() -> ChatSession:
        raise AssertionError("the session is built only for a terminal")

    with pytest.raises(UsageError, match="no prompt given") as error:
        run_repl(actx, never, ChatOptions())
    assert error.value.hint is not None
    assert "the REPL needs a terminal for input and output" in error.value.hint
    assert fake.requests == []


def test_session_totals_add_up_cost_with_a_price_table(tmp_path: Path) -> None:
    from mistral_cli.api.chat import Message, Usage
    from mistral_cli.services.chat.turn import Turn
    from mistral_cli.services.pricing import load

    session = ChatSession(client=None, model="mistral-small-latest")  # type: ignore[arg-type]
    session.prices = load(tmp_path)  # no prices.toml there: the shipped table
    for model in ("mistral-small-latest", "ft:unknown"):
        turn = Turn(None, model, "hi", {}, stream=True)  # type: ignore[arg-type]
        turn.usage = Usage(prompt_tokens=10, completion_tokens=10)
        turn.completed, turn.text = True, "x"
        session.messages.append(Message(role="user", content="hi"))
        session._settle(turn)
    assert usage_text(session.totals) == (
        "this conversation: 2 turns · 20 in / 20 out tokens · $0.000004 (cost n/a for 1 of them)"
    )


# ---------------------------------------------------------------- a store that fails


def test_a_broken_store_is_said_once_and_the_repl_goes_on_unsaved(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    path = garbage(store_path(actx.data_dir()))
    lines = Lines(["one", "two", "/undo", "/retry"])
    assert run_repl(actx, opener(actx), ChatOptions(), read_line=lines) == 0
    assert sent(fake) == [
        [user("one")],
        [user("one"), bot("Echo: one"), user("two")],
        [user("one")],  # /undo, then /retry: the first question again
    ]
    out, err = capsys.readouterr()
    assert out == "Echo: one\nEcho: two\nEcho: one\n"
    assert err.splitlines() == [
        f"mistral: warning: not saved: file is not a database ({path})",
        f"{SMALL} · new conversation (not saved) · /help for commands, Ctrl-D to leave",
        "forgot: two",
    ]


def test_a_store_that_fails_mid_session_costs_a_warning_per_unsaved_turn(
    fake: FakeMistral,
    actx: AppContext,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = store_path(actx.data_dir())
    faults = Faults(sqlite3.OperationalError(FULL), times=2)
    monkeypatch.setattr(ConversationStore, "factory", failing(faults))
    lines = Lines(["one", "two", "three"])
    assert run_repl(actx, opener(actx), ChatOptions(), read_line=lines) == 0
    out, err = capsys.readouterr()
    assert out == "Echo: one\nEcho: two\nEcho: three\n"
    warning = f"mistral: warning: not saved: {FULL} ({path})"
    assert err.splitlines()[1:3] == [warning, warning]
    assert stored(actx) == [
        [(role, text, False) for text in ("one", "two", "three") for role, text in
         (("user", text), ("assistant", f"Echo: {text}"))]
    ]  # fmt: skip


def test_continuing_a_broken_store_stops_before_any_request(
    fake: FakeMistral, actx: AppContext
) -> None:
    path = garbage(store_path(actx.data_dir()))
    opts = ChatOptions(continue_last=True)
    with pytest.raises(StoreUnreadable) as raised:
        run_repl(actx, opener(actx, opts), opts, read_line=Lines([]))
    assert raised.value.exit_code == ExitCode.USAGE
    assert str(path) in raised.value.message
    assert "mistral conversations doctor" in str(raised.value.hint)
    assert fake.requests == []


# ---------------------------------------------------------------- two REPLs, one conversation


class Lockstep:
    """A REPL in a thread of its own, typed into one line at a time.

    `type()` hands the REPL a line and returns once it asks for the next one (the line is then
    handled, answer and store writes included), so two of them interleave as two terminals would.
    """

    def __init__(self, actx: AppContext, opts: ChatOptions) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.asked: queue.Queue[bool] = queue.Queue()
        self.code: int | None = None
        self.thread = threading.Thread(
            target=self._run, args=(actx, opener(actx, opts), opts), daemon=True
        )
        self.thread.start()
        assert self.asked.get(timeout=30), "the REPL ended before its first prompt"

    def _run(self, actx: AppContext, session: Callable[[], ChatSession], opts: ChatOptions) -> None:
        try:
            self.code = run_repl(actx, session, opts, read_line=self._read_line)
        finally:
            self.asked.put(False)

    def _read_line(self, prompt: str) -> str:
        self.asked.put(True)
        line = self.lines.get(timeout=30)
        if line is None:
            raise EOFError
        return line

    def type(self, line: str) -> None:
        self.lines.put(line)
        assert self.asked.get(timeout=30), "the REPL ended"

    def leave(self) -> int | None:
        self.lines.put(None)
        self.thread.join(timeout=30)
        return self.code


def test_two_repls_on_one_conversation_undo_and_retry_only_their_own_turns(
    fake: FakeMistral, fake_transport: httpx.MockTransport, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.chat.replies.extend(
        Reply(text=t) for t in ("S", "A1", "B1", "A2", "B1 again", "B1 once more")
    )
    setup = make_context(fake_transport)
    repl(setup, "start")
    capsys.readouterr()
    again = ChatOptions(continue_last=True)
    a = Lockstep(make_context(fake_transport), again)
    b = Lockstep(make_context(fake_transport), again)
    a.type("a1")
    b.type("b1")
    capsys.readouterr()
    a.type("/undo")  # B's turn is the latest; A's own goes
    assert capsys.readouterr().err == (
        "forgot: a1\n1 turn was added by another session; /undo removes only yours\n"
    )
    a.type("a2")
    assert capsys.readouterr().out == "A2\n"
    b.type("/retry")  # A's turn is the latest; B's own answer is replaced
    assert capsys.readouterr() == (
        "B1 again\n",
        "1 turn was added by another session; /retry replaces only yours\n",
    )
    b.type("/retry")
    assert (a.leave(), b.leave()) == (0, 0)
    assert sent(fake)[3:] == [
        [user("start"), bot("S"), user("a2")],
        [user("start"), bot("S"), user("b1")],
        [user("start"), bot("S"), user("b1")],
    ]
    assert [m[1] for m in stored(setup)[0]] == ["start", "S", "a2", "A2", "b1", "B1 once more"]
