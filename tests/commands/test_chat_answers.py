"""What chat answers hold besides text: tool calls, several choices, references, nothing at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mistral_cli.services.conversations import ConversationStore, StoredMessage
from tests.fakes.chat import FakeCall, Reply
from tests.fakes.router import FakeMistral
from tests.support import Result, invoke, make_context

CHAT = "POST /v1/chat/completions"
WEATHER = FakeCall("get_weather", '{"city": "Paris"}', id="call_1")
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def chat(fake_transport: httpx.MockTransport, *argv: str) -> Result:
    return invoke(["chat", *argv], make_context(fake_transport))


def bodies(fake: FakeMistral) -> list[dict[str, Any]]:
    return [request.json() for request in fake.requests_to(CHAT)]


def saved(tmp_path: Path) -> list[StoredMessage]:
    store = ConversationStore.open(tmp_path / "home" / "data")
    try:
        (conversation,) = store.summaries()
        return store.messages(conversation.id)
    finally:
        store.close()


@pytest.fixture
def tools_file(tmp_path: Path) -> Path:
    path = tmp_path / "work" / "tools.json"
    path.write_text(json.dumps(TOOLS), encoding="utf-8")
    return path


# ---------------------------------------------------------------- tool calls


@pytest.mark.parametrize("piece", [0, 4])
def test_a_tool_call_is_shown_on_stderr_and_exits_0(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tools_file: Path, piece: int
) -> None:
    fake.chat.replies.append(Reply(text="", tool_calls=(WEATHER,), call_piece=piece))
    result = chat(fake_transport, "--tools", "tools.json", "Weather in Paris?")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        'tool call: get_weather({"city": "Paris"}) (id call_1)\n'
        "answer with: mistral chat -c --tool-result 'call_1=<JSON result>'\n"
    )
    assert bodies(fake)[0]["tools"] == TOOLS


@pytest.mark.parametrize("flags", [[], ["--no-stream"]])
def test_json_carries_the_tool_calls_streamed_or_not(
    fake: FakeMistral, fake_transport: httpx.MockTransport, flags: list[str]
) -> None:
    second = FakeCall("get_time", {"zone": "CET"}, id="call_2")
    fake.chat.replies.append(Reply(text="Checking.", tool_calls=(WEATHER, second), call_piece=3))
    result = chat(fake_transport, "--json", *flags, "Weather and time?")
    assert result.exit_code == 0, result.stderr
    (choice,) = json.loads(result.stdout)["choices"]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Checking."
    assert choice["message"]["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            "index": 0,
        },
        {
            "id": "call_2",
            "type": "function",
            "function": {"name": "get_time", "arguments": {"zone": "CET"}},
            "index": 1,
        },
    ]


def test_a_tool_call_turn_is_kept_and_continuing_leaves_the_unanswered_call_out(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text="", tool_calls=(WEATHER,)))
    assert chat(fake_transport, "Weather in Paris?").exit_code == 0
    assert [(m.role, m.content) for m in saved(tmp_path)] == [
        ("user", "Weather in Paris?"),
        ("assistant", ""),
    ]
    assert json.loads(saved(tmp_path)[1].parts or "") == {
        "tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'}]
    }
    result = chat(fake_transport, "-c", "Never mind. Hello!")
    assert (result.exit_code, result.stdout) == (0, "Echo: Never mind. Hello!\n")
    assert result.stderr == (
        "unanswered tool calls left out of the history: get_weather (call_1); "
        "answer them with -c --tool-result ID=JSON before asking on\n"
    )
    assert bodies(fake)[1]["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "user", "content": "Never mind. Hello!"},
    ]
    assert chat(fake_transport, "-c", "Again?").stderr == ""  # said once


def test_tool_results_answer_the_calls_and_the_conversation_goes_on(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    second = FakeCall("get_weather", '{"city": "Lyon"}', id="call_2")
    fake.chat.replies.extend(
        [Reply(text="Let me check.", tool_calls=(WEATHER, second)), Reply(text="21 and 19.")]
    )
    assert chat(fake_transport, "Paris and Lyon?").exit_code == 0
    answered = chat(
        fake_transport, "-c", "--tool-result", 'call_1={"c": 21}', "--tool-result", "call_2=19"
    )
    assert (answered.exit_code, answered.stdout, answered.stderr) == (0, "21 and 19.\n", "")
    calls = [
        {
            "type": "function",
            "function": {"name": name, "arguments": f'{{"city": "{city}"}}'},
            "id": call_id,
        }
        for name, city, call_id in (
            ("get_weather", "Paris", "call_1"),
            ("get_weather", "Lyon", "call_2"),
        )
    ]
    history = [
        {"role": "user", "content": "Paris and Lyon?"},
        {"role": "assistant", "content": "Let me check.", "tool_calls": calls},
        {"role": "tool", "content": '{"c": 21}', "tool_call_id": "call_1", "name": "get_weather"},
        {"role": "tool", "content": "19", "tool_call_id": "call_2", "name": "get_weather"},
    ]
    assert bodies(fake)[1]["messages"] == history
    on = chat(fake_transport, "-c", "Thanks!")
    assert on.exit_code == 0, on.stderr
    assert bodies(fake)[2]["messages"] == [
        *history,
        {"role": "assistant", "content": "21 and 19."},
        {"role": "user", "content": "Thanks!"},
    ]
    assert [m.role for m in saved(tmp_path)] == [
        "user", "assistant", "tool", "tool", "assistant", "user", "assistant",
    ]  # fmt: skip


def test_a_result_for_one_of_two_calls_sends_only_that_call(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    second = FakeCall("get_weather", "{}", id="call_2")
    fake.chat.replies.append(Reply(text="", tool_calls=(WEATHER, second)))
    assert chat(fake_transport, "Two cities?").exit_code == 0
    result = chat(fake_transport, "-c", "--tool-result", "call_2=19")
    assert result.exit_code == 0, result.stderr
    assert [m["role"] for m in bodies(fake)[1]["messages"]] == ["user", "assistant", "tool"]
    assert [c["id"] for c in bodies(fake)[1]["messages"][1]["tool_calls"]] == ["call_2"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["-c", "--tool-result", "call_9=1"],
            "--tool-result call_9: the latest answer has no tool call waiting with that id "
            "(waiting: call_1 (get_weather))",
        ),
        (
            ["-c", "--tool-result", "call_1=1", "--tool-result", "call_1=2"],
            "--tool-result call_1: the latest answer has no tool call waiting with that id "
            "(waiting: none)",
        ),
        (["-c", "--tool-result", "call_1"], "--tool-result 'call_1': expected ID=JSON"),
        (["--tool-result", "call_1=1"], "--tool-result answers a saved conversation's tool"),
        (["-c", "--tool-result", "call_1=1", "and?"], "--tool-result is sent without a prompt"),
    ],
)
def test_tool_results_that_answer_nothing_are_refused(
    fake: FakeMistral, fake_transport: httpx.MockTransport, argv: list[str], message: str
) -> None:
    fake.chat.replies.append(Reply(text="", tool_calls=(WEATHER,)))
    assert chat(fake_transport, "Weather?").exit_code == 0
    result = chat(fake_transport, *argv)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mistral: error: {message}"), result.stderr
    assert len(bodies(fake)) == 1


def test_a_store_holding_an_empty_answer_the_old_way_can_be_continued(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    store = ConversationStore.open(tmp_path / "home" / "data")
    old = [StoredMessage("user", "Weather?"), StoredMessage("assistant", "")]
    store.save(None, old, "mistral-small-latest", title="Weather?")
    store.close()
    result = chat(fake_transport, "-c", "Hello?")
    assert (result.exit_code, result.stdout) == (0, "Echo: Hello?\n")
    assert bodies(fake)[0]["messages"] == [
        {"role": "user", "content": "Weather?"},
        {"role": "user", "content": "Hello?"},
    ]


@pytest.mark.parametrize(
    ("argv", "text", "message"),
    [
        (["--tools", "tools.json"], "{}", "--tools: {} must hold a JSON list of tools"),
        (
            ["--tools", "tools.json"],
            '[{"type": "function", "function": {"parameters": {}}}]',
            '--tools {}[0].function is missing "name"',
        ),
        (
            ["--tools", "tools.json", "--tool-choice", "get_time"],
            json.dumps(TOOLS),
            "--tool-choice get_time: not auto, none, any, required or a function of --tools\n"
            "hint: functions: get_weather",
        ),
    ],
)
def test_tools_are_checked_against_the_spec_before_any_request(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    tmp_path: Path,
    argv: list[str],
    text: str,
    message: str,
) -> None:
    path = tmp_path / "work" / "tools.json"
    path.write_text(text, encoding="utf-8")
    result = chat(fake_transport, *argv, "hi")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mistral: error: {message.format('tools.json')}")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("any", "any"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_tool_choice_reaches_the_body(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    tools_file: Path,
    choice: str,
    sent: object,
) -> None:
    result = chat(fake_transport, "--tools", "tools.json", "--tool-choice", choice, "hi")
    assert result.exit_code == 0, result.stderr
    assert bodies(fake)[0]["tool_choice"] == sent


# ---------------------------------------------------------------- empty answers


@pytest.mark.parametrize("flags", [[], ["--no-stream"]])
@pytest.mark.parametrize(
    ("reply", "warning"),
    [
        (Reply(content=None), "the answer is empty (finish_reason: stop)"),
        (Reply(text=""), "the answer is empty (finish_reason: stop)"),
        (
            Reply(text="", thinking="Let me think", finish_reason="length"),
            "the answer was cut short while the model was thinking (finish_reason: length)",
        ),
    ],
)
def test_an_empty_answer_is_a_warning_and_never_saved(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    tmp_path: Path,
    flags: list[str],
    reply: Reply,
    warning: str,
) -> None:
    fake.chat.replies.append(reply)
    result = chat(fake_transport, "--hide-thinking", *flags, "Hi?")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"mistral: warning: {warning}; it was not saved\n"
    assert ConversationStore.open(tmp_path / "home" / "data").summaries() == []
    assert chat(fake_transport, "-c", "Again?").exit_code == 2  # nothing to continue


def test_an_empty_answer_in_a_conversation_is_not_resent(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.extend([Reply(text="Hello."), Reply(content=None)])
    assert chat(fake_transport, "Hi").exit_code == 0
    assert chat(fake_transport, "-c", "Still there?").exit_code == 0
    result = chat(fake_transport, "-c", "Hello?")
    assert result.exit_code == 0, result.stderr
    assert bodies(fake)[2]["messages"] == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "Hello?"},
    ]


# ---------------------------------------------------------------- several choices


@pytest.mark.parametrize("flags", [[], ["--no-stream"]])
def test_several_choices_are_kept_apart_and_the_first_is_saved(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path, flags: list[str]
) -> None:
    fake.chat.replies.append(
        Reply(text="Red and blue make purple.", choices=("Purple.", ""), chunk_size=4)
    )
    result = chat(fake_transport, "--param", "n=3", *flags, "Red and blue?")
    assert (result.exit_code, result.stderr) == (
        0,
        "mistral: warning: choice 3: the answer is empty (finish_reason: stop)\n",
    )
    assert result.stdout == "Red and blue make purple.\n── choice 2 ──\nPurple.\n"
    assert [(m.role, m.content) for m in saved(tmp_path)] == [
        ("user", "Red and blue?"),
        ("assistant", "Red and blue make purple."),
    ]


@pytest.mark.parametrize("flags", [[], ["--no-stream"]])
def test_extract_prints_the_first_choice_s_code_only(
    fake: FakeMistral, fake_transport: httpx.MockTransport, flags: list[str]
) -> None:
    fake.chat.replies.append(
        Reply(text="Run:\n```sh\nls\n```\n", choices=("```sh\nrm -r x\n```", "No."))
    )
    result = chat(fake_transport, "-x", "--param", "n=3", *flags, "List files")
    assert (result.exit_code, result.stdout) == (0, "ls\n")
    assert result.stderr == "-x printed the first choice only; choices 2-3 not shown\n"


@pytest.mark.parametrize("flags", [[], ["--no-stream"]])
def test_json_keeps_every_choice(
    fake: FakeMistral, fake_transport: httpx.MockTransport, flags: list[str]
) -> None:
    fake.chat.replies.append(Reply(text="One.", choices=("Two.",), chunk_size=2))
    document = json.loads(chat(fake_transport, "--json", "--param", "n=2", *flags, "?").stdout)
    assert [(c["index"], c["message"]["content"]) for c in document["choices"]] == [
        (0, "One."),
        (1, "Two."),
    ]


def test_jsonl_events_carry_each_choice_as_sent(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="ab", choices=("cd",), chunk_size=2))
    lines = chat(fake_transport, "--jsonl", "--param", "n=2", "?").stdout.splitlines()
    deltas = [
        (c["index"], c["delta"].get("content"))
        for e in map(json.loads, lines)
        for c in e["choices"]
    ]
    assert deltas == [(0, ""), (1, ""), (0, "ab"), (1, "cd")]


def test_a_cut_short_second_choice_is_said(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="A", choices=("B",), finish_reason="length"))
    result = chat(fake_transport, "--param", "n=2", "?")
    assert result.stdout == "A\n── choice 2 ──\nB\n"
    assert result.stderr == (
        "mistral: warning: the answer reached --max-tokens and was cut short\n"
        "mistral: warning: choice 2: the answer reached --max-tokens and was cut short\n"
    )


# ---------------------------------------------------------------- references and other chunks


REFERENCED = [
    {"type": "text", "text": "Paris is the capital"},
    {"type": "reference", "reference_ids": [0, 1]},
    {"type": "text", "text": " of France"},
    {"type": "reference", "reference_ids": ["doc-7"], "title": "Atlas", "url": "https://a.test"},
    {"type": "text", "text": "."},
    {"type": "input_audio", "input_audio": "…"},
]


@pytest.mark.parametrize("flags", [[], ["--no-stream"]])
def test_references_become_footnotes_and_unknown_chunks_are_named(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path, flags: list[str]
) -> None:
    fake.chat.replies.append(Reply(content=REFERENCED))
    result = chat(fake_transport, *flags, "Capital of France?")
    assert (result.exit_code, result.stdout) == (0, "Paris is the capital[1] of France[2].\n")
    assert result.stderr == (
        "references:\n"
        "  [1] ids 0, 1\n"
        "  [2] Atlas <https://a.test> ids doc-7\n"
        "[unsupported content: input_audio]\n"
    )
    assert saved(tmp_path)[1].content == "Paris is the capital[1] of France[2]."


def test_show_lists_tool_calls_and_answers(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.chat.replies.extend([Reply(text="", tool_calls=(WEATHER,)), Reply(text="21.")])
    assert chat(fake_transport, "Weather?").exit_code == 0
    assert chat(fake_transport, "-c", "--tool-result", "call_1=21").exit_code == 0
    shown = invoke(["conversations", "show", saved_id(tmp_path)], make_context(fake_transport))
    assert shown.stdout.endswith(
        "## user\n\nWeather?\n\n"
        "## assistant\n\n\n"
        '> tool call: get_weather({"city": "Paris"}) (id call_1)\n\n'
        "## tool\n\n21\n> answers tool call call_1 (get_weather)\n\n"
        "## assistant\n\n21.\n"
    )
    document = json.loads(
        invoke(
            ["conversations", "show", "--json", saved_id(tmp_path)], make_context(fake_transport)
        ).stdout
    )
    assert [m.get("parts") for m in document["messages"]] == [
        None,
        {"tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'}]},
        {"tool_call_id": "call_1", "name": "get_weather"},
        None,
    ]


def saved_id(tmp_path: Path) -> str:
    store = ConversationStore.open(tmp_path / "home" / "data")
    try:
        return store.summaries()[0].id
    finally:
        store.close()
