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

from mistral_cli.commands._chat_ui import ChatOptions
from mistral_cli.commands._repl import Repl, help_lines, run_repl, usage_text
from mistral_cli.context import AppContext
from mistral_cli.errors import ExitCode, Interrupted, UsageError
from mistral_cli.services import repl as commands
from mistral_cli.services.chat import ChatSession, Totals
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
        "  /help               list these commands",
        "  /exit               leave (also Ctrl-D)",
        "  /clear              start a new conversation (the system prompt stays)",
        "  /model [NAME]       show or switch the model, e.g. /model mistral-large",
        "  /system [TEXT|off]  show, set or remove the system prompt",
        "  /retry              ask the last question again, replacing its answer",
        "  /undo               forget the last question and its answer",
        "  /usage              tokens used in this conversation so far",
        "  /save FILE          write the conversation to FILE as markdown",
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
        ("/", ["help", "exit", "clear", "model", "system", "retry", "undo", "usage", "save"]),
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


def new_session(actx: AppContext, *, save: bool = True, client: Any = None) -> ChatSession:
    store = ConversationStore.open(actx.data_dir()) if save else None
    return ChatSession(client or actx.client(), model=SMALL, store=store)


def repl(actx: AppContext, session: ChatSession, *items: str | BaseException) -> Lines:
    lines = Lines(list(items))
    assert run_repl(actx, lambda: session, ChatOptions(), read_line=lines) == ExitCode.OK
    return lines


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
    lines = repl(actx, new_session(actx), "hi", "", "again", "/usage", "/exit", "never read")
    assert sent(fake) == [[user("hi")], [user("hi"), bot("Echo: hi"), user("again")]]
    assert lines.items == ["never read"]
    assert set(lines.prompts) == {"› "}
    out, err = capsys.readouterr()
    assert out == "Echo: hi\nEcho: again\n"
    (conversation,) = ConversationStore.open(actx.data_dir()).summaries()
    assert err.splitlines() == [
        f"{SMALL} · new conversation · /help for commands, Ctrl-D to leave",
        "this conversation: 2 turns · 6 in / 5 out tokens",
        f"saved as conversation {conversation.short_id} — continue with `mistral chat -c`",
    ]


def test_model_switches_for_the_next_request(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, new_session(actx), "/model", "/model mistral-large", "hi", "/model nosuchmodel", "x")
    models = [request.json()["model"] for request in fake.requests_to(CHAT)]
    assert models == ["mistral-large-latest", "mistral-large-latest"]
    err = capsys.readouterr().err
    assert f"model: {SMALL}\nmodel: mistral-large-latest\n" in err
    assert "mistral: error: unknown model 'nosuchmodel'" in err


def test_clear_starts_a_new_conversation(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, new_session(actx), "one", "/clear", "two", "/usage")
    assert sent(fake)[-1] == [user("two")]
    assert stored(actx) == [
        [("user", "one", False), ("assistant", "Echo: one", False)],
        [("user", "two", False), ("assistant", "Echo: two", False)],
    ]
    err = capsys.readouterr().err
    assert "new conversation\nthis conversation: 1 turn · 1 in / 3 out tokens\n" in err


def test_usage_counts_from_the_last_clear(
    actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, new_session(actx, save=False), "one", "/clear", "two", "/usage")
    assert "this conversation: 1 turn · 1 in / 3 out tokens" in capsys.readouterr().err


def test_system_prompt_is_set_shown_and_removed(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(
        actx, new_session(actx), "/system", "/system Be terse.", "/system", "a", "/system off", "b"
    )
    system = {"role": "system", "content": "Be terse."}
    assert sent(fake) == [[system, user("a")], [user("a"), bot("Echo: a"), user("b")]]
    err = capsys.readouterr().err
    assert "no system prompt\nsystem prompt set\nsystem prompt: Be terse.\n" in err
    assert "system prompt removed\n" in err


def test_retry_asks_again_replacing_the_answer(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.chat.replies.extend([Reply(text="first"), Reply(text="second")])
    repl(actx, new_session(actx), "/retry", "q", "/retry")
    assert sent(fake) == [[user("q")], [user("q")]]
    assert stored(actx) == [[("user", "q", False), ("assistant", "second", False)]]
    out, err = capsys.readouterr()
    assert out == "first\nsecond\n"
    assert "mistral: error: there is nothing to retry yet\n" in err


def test_undo_forgets_the_last_exchange(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, new_session(actx), "/undo", "keep", "drop this", "/undo", "next")
    assert sent(fake)[-1] == [user("keep"), bot("Echo: keep"), user("next")]
    assert [m[1] for m in stored(actx)[0]] == ["keep", "Echo: keep", "next", "Echo: next"]
    err = capsys.readouterr().err
    assert "nothing to undo\n" in err
    assert "forgot: drop this\n" in err


@pytest.mark.parametrize("save", [True, False])
def test_save_writes_a_markdown_transcript(
    actx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str], save: bool
) -> None:
    target = tmp_path / "talk.md"
    repl(
        actx,
        new_session(actx, save=save),
        "/save",
        f"/save {target}",
        "Hi there",
        f"/save {target}",
    )
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Hi there\n\n")
    assert text.endswith("## user\n\nHi there\n\n## assistant\n\nEcho: Hi there\n")
    err = capsys.readouterr().err
    assert "mistral: error: /save needs a file name\nhint: e.g. /save notes.md\n" in err
    assert "nothing to save yet\n" in err
    assert f"transcript saved to {target}\n" in err


def test_save_reports_an_unwritable_file(
    actx: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, new_session(actx), "hi", f"/save {tmp_path / 'missing' / 'x.md'}", "/exit")
    assert (
        f"mistral: error: cannot write {tmp_path / 'missing' / 'x.md'}: " in capsys.readouterr().err
    )


def test_unknown_commands_and_stray_arguments_send_nothing(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    repl(actx, new_session(actx), "/foo", "/clear now", "/help")
    assert sent(fake) == []
    err = capsys.readouterr().err
    assert "unknown command /foo; /help lists them\n/clear takes no argument\n" in err
    assert "  /retry" in err
    assert "saved as" not in err


def test_ctrl_c_at_the_prompt_and_ctrl_d(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = repl(actx, new_session(actx), KeyboardInterrupt(), Interrupted(), "hi")
    assert sent(fake) == [[user("hi")]]
    assert len(lines.prompts) == 4  # the last one met Ctrl-D
    assert "stopped" not in capsys.readouterr().err


def test_sigterm_at_the_prompt_ends_the_repl(actx: AppContext) -> None:
    session = new_session(actx)
    with pytest.raises(Interrupted) as stop:
        repl(actx, session, Interrupted(ExitCode.TERMINATED))
    assert stop.value.exit_code == ExitCode.TERMINATED
    with pytest.raises(Exception, match="closed"):
        session.store.latest()  # type: ignore[union-attr]


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
    session = new_session(actx, client=CutShort(actx.client(), Interrupted()))
    repl(actx, session, "count", "more")
    assert sent(fake)[-1] == [user("count"), bot("alpha "), user("more")]
    assert stored(actx)[0][:2] == [("user", "count", False), ("assistant", "alpha ", True)]
    out, err = capsys.readouterr()
    assert out == "alpha \nEcho: more\n"
    assert "stopped; the partial answer was kept\n" in err


def test_ctrl_c_before_the_answer_leaves_no_trace(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    session = new_session(actx, client=CutShort(actx.client(), Interrupted(), events=0))
    repl(actx, session, "lost", "kept")
    assert sent(fake)[-1] == [user("kept")]
    assert "stopped\n" in capsys.readouterr().err


def test_sigterm_during_an_answer_ends_the_repl(fake: FakeMistral, actx: AppContext) -> None:
    stop = Interrupted(ExitCode.TERMINATED)
    session = new_session(actx, client=CutShort(actx.client(), stop))
    with pytest.raises(Interrupted):
        repl(actx, session, "count", "never asked")
    assert len(sent(fake)) == 1


def test_api_errors_print_a_line_and_the_repl_goes_on(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject(CHAT, Fault.status(400))
    repl(actx, new_session(actx), "refused", "fine")
    assert sent(fake)[-1] == [user("fine")]
    out, err = capsys.readouterr()
    assert out == "Echo: fine\n"
    assert "mistral: error: Invalid request (HTTP 400" in err


def test_header_of_a_resumed_or_unsaved_conversation(actx: AppContext) -> None:
    store = ConversationStore.open(actx.data_dir())
    first = new_session(actx)
    with first.turn("hello") as turn:
        list(turn)
    assert first.conversation_id is not None
    found = store.find(first.conversation_id)
    resumed = ChatSession.resume(actx.client(), store, found, model=SMALL)
    assert Repl(actx, resumed, ChatOptions()).header() == (
        f"{SMALL} · conversation {found.short_id} (1 turn so far) · "
        "/help for commands, Ctrl-D to leave"
    )
    unsaved = new_session(actx, save=False)
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


def test_session_totals_add_up_cost_with_a_price_table() -> None:
    from mistral_cli.api.chat import Message, Usage
    from mistral_cli.services.chat.turn import Turn
    from mistral_cli.services.pricing import load

    session = ChatSession(client=None, model="mistral-small-latest")  # type: ignore[arg-type]
    session.prices = load(Path("/nowhere"))
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


def open_repl_session(actx: AppContext, opts: ChatOptions) -> Callable[[], ChatSession]:
    from mistral_cli.commands._chat_ui import open_session
    from mistral_cli.services.chat import ChatParams

    return lambda: open_session(actx, opts, ChatParams())


def test_a_broken_store_is_said_once_and_the_repl_goes_on_unsaved(
    fake: FakeMistral, actx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    path = garbage(store_path(actx.data_dir()))
    lines = Lines(["one", "two", "/undo", "/retry"])
    assert (
        run_repl(actx, open_repl_session(actx, ChatOptions()), ChatOptions(), read_line=lines) == 0
    )
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
    assert (
        run_repl(actx, open_repl_session(actx, ChatOptions()), ChatOptions(), read_line=lines) == 0
    )
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
        run_repl(actx, open_repl_session(actx, opts), opts, read_line=Lines([]))
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
            target=self._run, args=(actx, open_repl_session(actx, opts), opts), daemon=True
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
    repl(setup, new_session(setup), "start")
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
