from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from mistral_cli.services.conversations import ConversationStore
from tests.fakes.chat import Reply
from tests.fakes.faults import Fault
from tests.fakes.router import FakeMistral
from tests.fakes.spec import validate_request
from tests.support import Sleeps, invoke, make_context

CHAT = "POST /v1/chat/completions"


def bodies(fake: FakeMistral) -> list[dict[str, object]]:
    return [request.json() for request in fake.requests_to(CHAT)]


def store_in(tmp_path: Path) -> ConversationStore:
    return ConversationStore.open(tmp_path / "home" / "data")


def test_piped_one_shot_prints_exactly_the_answer(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="2, 3 and 5.", chunk_size=3))
    result = invoke(
        ["chat", "-m", "mistral-small", "Name three primes."], make_context(fake_transport)
    )
    assert (result.exit_code, result.stdout, result.stderr) == (0, "2, 3 and 5.\n", "")
    (body,) = bodies(fake)
    assert body == {
        "model": "mistral-small-latest",
        "messages": [{"role": "user", "content": "Name three primes."}],
        "stream": True,
    }


def test_answer_ending_in_a_newline_gets_no_second_one(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="line one\nline two\n"))
    result = invoke(["chat", "hi"], make_context(fake_transport))
    assert result.stdout == "line one\nline two\n"


@pytest.mark.parametrize(
    ("argv", "stdin", "expected"),
    [
        (["write a commit message"], "", "write a commit message"),
        ([], "diff --git a b\n+x\n", "diff --git a b\n+x"),
        (
            ["write a commit message"],
            "diff --git a b\n",
            "write a commit message\n\ndiff --git a b",
        ),
        (["two", "words"], "", "two words"),
    ],
)
def test_prompt_from_argument_stdin_or_both(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    argv: list[str],
    stdin: str,
    expected: str,
) -> None:
    result = invoke(["chat", *argv], make_context(fake_transport), input=stdin)
    assert result.exit_code == 0, result.stderr
    assert bodies(fake)[0]["messages"] == [{"role": "user", "content": expected}]
    assert result.stdout == f"Echo: {expected}\n"


def test_empty_stdin_and_no_prompt_is_a_usage_error(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["chat"], make_context(fake_transport), input="  \n")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        'mistral: error: the prompt is empty\nhint: e.g. mistral chat "Name three primes."\n',
    )
    assert fake.requests == []


def test_terminal_stdin_without_prompt_is_never_read(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

        def read(self, *_: object) -> str:
            raise AssertionError("a terminal stdin must not be read")

    from types import SimpleNamespace

    import mistral_cli.commands.chat as chat_cmd

    monkeypatch.setattr(chat_cmd, "sys", SimpleNamespace(stdin=Terminal()))
    result = invoke(["chat"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: no prompt given\n"
        'hint: pass one (mistral chat "…") or pipe text in; '
        "the REPL needs a terminal for input and output\n",
    )
    assert fake.requests == []


def test_every_flag_reaches_the_body_and_the_body_passes_the_spec(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    argv = [
        "chat", "-m", "mistral-large-latest", "-s", "Be brief.", "--temperature", "0",
        "--top-p", "0.9", "--max-tokens", "64", "--stop", "END", "--stop", "STOP",
        "--seed", "0", "--safe-prompt", "--presence-penalty", "-2", "--frequency-penalty", "1.5",
        "--json-mode", "--param", "n=1", "--param", "reasoning_effort=high",
        "--param", 'metadata={"run": "7"}', "--no-stream", "Give JSON.",
    ]  # fmt: skip
    result = invoke(argv, make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    (body,) = bodies(fake)
    assert body == {
        "model": "mistral-large-latest",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Give JSON."},
        ],
        "temperature": 0.0,
        "top_p": 0.9,
        "max_tokens": 64,
        "stream": False,
        "stop": ["END", "STOP"],
        "random_seed": 0,
        "response_format": {"type": "json_object"},
        "presence_penalty": -2.0,
        "frequency_penalty": 1.5,
        "safe_prompt": True,
        "n": 1,
        "reasoning_effort": "high",
        "metadata": {"run": "7"},
    }
    assert validate_request("POST", "/v1/chat/completions", body) == []


def test_schema_file_becomes_a_strict_json_schema(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    schema = {"type": "object", "properties": {"primes": {"type": "array"}}}
    path = tmp_path / "primes.schema.json"
    path.write_text(json.dumps(schema))
    result = invoke(["chat", "--schema", str(path), "primes"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert bodies(fake)[0]["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "primes_schema", "schema": schema, "strict": True},
    }


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--temperature", "1.6"], "--temperature: must be >= 0 and <= 1.5, not 1.6"),
        (["--temperature", "-0.1"], "--temperature: must be >= 0 and <= 1.5, not -0.1"),
        (["--top-p", "0"], "--top-p: must be > 0 and <= 1, not 0"),
        (["--frequency-penalty", "2.5"], "--frequency-penalty: must be >= -2 and <= 2, not 2.5"),
        (["--param", "n=0"], "--param n must be >= 1, not 0"),
        (["--param", "reasoning_effort=max"], "--param reasoning_effort must be one of"),
        (["--param", "parallel_tool_calls=yes"], "--param parallel_tool_calls must be boolean"),
        (["--param", "temperature=0.2"], "--param temperature: use --temperature instead"),
        (["--param", "seed=3"], "--param seed: the Mistral API does not accept this OpenAI"),
        (["--param", "novalue"], "--param 'novalue': expected NAME=VALUE"),
        (["--json", "--jsonl"], "--json and --jsonl cannot be used together"),
        (["--json-mode", "--schema", "x.json"], "--json-mode and --schema cannot be used"),
        (["-c", "--conversation", "ab"], "use either --continue or --conversation"),
    ],
)
def test_bad_values_fail_before_any_request(
    fake: FakeMistral, fake_transport: httpx.MockTransport, flags: list[str], message: str
) -> None:
    result = invoke(["chat", *flags, "hi"], make_context(fake_transport))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"mistral: error: {message}"), result.stderr
    assert fake.requests == []


def test_unknown_param_is_sent_with_a_warning_and_the_api_decides(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["chat", "--param", "shiny_new=1", "hi"], make_context(fake_transport))
    assert bodies(fake)[0]["shiny_new"] == 1
    # the fake, like the API, answers 422 extra_forbidden: exit 4
    assert (result.exit_code, result.stdout, result.stderr) == (
        4,
        "",
        "mistral: warning: --param shiny_new is not in the API spec this version knows; "
        "sending it anyway\n"
        "mistral: error: shiny_new: Extra inputs are not permitted "
        f"(HTTP 422, request {fake.requests[-1].request_id})\n"
        "hint: check the request's parameters (rerun with --debug to see the request)\n",
    )


def test_json_is_the_same_shape_streamed_or_not(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.extend([Reply(text="Paris."), Reply(text="Paris.")])
    streamed = json.loads(
        invoke(["chat", "--json", "capital?"], make_context(fake_transport)).stdout
    )
    whole = json.loads(
        invoke(["chat", "--json", "--no-stream", "capital?"], make_context(fake_transport)).stdout
    )
    for document in (streamed, whole):
        assert document["object"] == "chat.completion"
        assert document["model"] == "mistral-small-latest"
        assert document["choices"][0]["message"]["content"] == "Paris."
        assert document["choices"][0]["finish_reason"] == "stop"
        assert document["usage"]["completion_tokens"] > 0
    assert streamed["usage"] == whole["usage"]


def test_jsonl_prints_each_event(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    fake.chat.replies.append(Reply(text="abcdefgh", chunk_size=4))
    result = invoke(["chat", "--jsonl", "x"], make_context(fake_transport))
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["object"] for e in events] == ["chat.completion.chunk"] * 3
    assert [e["choices"][0]["delta"]["content"] for e in events] == ["", "abcd", "efgh"]
    assert "usage" in events[-1]


def test_usage_line_on_request(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    result = invoke(["chat", "--usage", "hello"], make_context(fake_transport))
    assert re.fullmatch(
        r"mistral-small-latest · \d+ in / \d+ out tokens · \$0\.\d+ · \d+\.\d\d s\n",
        result.stderr,
    ), result.stderr


def test_usage_na_when_the_stream_has_none(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="ok", include_usage=False))
    result = invoke(["chat", "--usage", "hello"], make_context(fake_transport))
    assert re.fullmatch(r"mistral-small-latest · usage n/a · \d+\.\d\d s\n", result.stderr)


def test_terminal_renders_markdown_and_shows_usage(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="Some **bold** text.\n"))
    result = invoke(["chat", "hi"], make_context(fake_transport, tty=True))
    assert result.exit_code == 0
    assert "Some \x1b[1mbold\x1b[0m text." in result.stdout  # rendered, not raw (the repaints vary)
    assert re.fullmatch(
        r"mistral-small-latest · 1 in / 5 out tokens · \$0\.0000016 · \d+\.\d\d s\n", result.stderr
    )


def test_thinking_goes_to_stderr_or_nowhere(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.extend(
        [Reply(text="42", thinking="Let me think."), Reply(text="42", thinking="Let me think.")]
    )
    shown = invoke(["chat", "q"], make_context(fake_transport))
    assert (shown.stdout, shown.stderr) == ("42\n", "Let me think.\n")
    hidden = invoke(["chat", "--hide-thinking", "q"], make_context(fake_transport))
    assert (hidden.stdout, hidden.stderr) == ("42\n", "")


def test_length_finish_warns(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    fake.chat.replies.append(Reply(text="Once upon", finish_reason="length"))
    result = invoke(["chat", "--max-tokens", "2", "story"], make_context(fake_transport))
    assert result.exit_code == 0
    assert result.stdout == "Once upon\n"
    assert result.stderr == "mistral: warning: the answer reached --max-tokens and was cut short\n"


def test_error_finish_exits_1(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    fake.chat.replies.append(Reply(text="Half", finish_reason="error"))
    result = invoke(["chat", "q"], make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stdout == "Half\n"
    assert "mistral: error: the model stopped with an error (finish_reason: error)" in result.stderr


def test_stream_cut_midway_keeps_the_partial_answer_and_exits_6(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.chat.replies.append(Reply(text="one two three four", chunk_size=4))
    fake.inject(CHAT, Fault.drop_stream(after_events=3))
    result = invoke(["chat", "count"], make_context(fake_transport))
    assert result.exit_code == 6
    assert result.stdout == "one two \n"
    assert re.search(
        r"the stream broke after 3 events \(.*\); the partial answer was kept", result.stderr
    )
    (saved,) = store_in(tmp_path).summaries()
    messages = store_in(tmp_path).messages(saved.id)
    assert [(m.role, m.content, m.partial) for m in messages] == [
        ("user", "count", False),
        ("assistant", "one two ", True),
    ]


def test_error_event_mid_stream_exits_1(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="abcdefgh", chunk_size=4))
    fake.inject(CHAT, Fault.error_event(after_events=2))
    result = invoke(["chat", "q"], make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stdout == "abcd\n"
    assert "mid-stream" in result.stderr


def test_rate_limit_before_the_first_token_is_retried(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.inject(CHAT, Fault.rate_limited(retry_after="0"))
    sleeps = Sleeps()
    result = invoke(["chat", "hi"], make_context(fake_transport, sleep=sleeps))
    assert (result.exit_code, result.stdout) == (0, "Echo: hi\n")
    assert "retrying in 0.0 s (HTTP 429, retry 1 of 4)" in result.stderr
    assert sleeps.calls == [0.0]
    assert len(bodies(fake)) == 2


def test_unknown_model_fails_before_chatting(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["chat", "-m", "mistral-smal", "hi"], make_context(fake_transport))
    assert result.exit_code == 2
    assert bodies(fake) == []


def test_conversation_is_saved_and_continued(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.chat.replies.extend([Reply(text="Canberra."), Reply(text="About 470,000.")])
    first = invoke(
        ["chat", "-s", "Be brief.", "Capital of Australia?"], make_context(fake_transport)
    )
    assert first.exit_code == 0
    second = invoke(["chat", "-c", "And its population?"], make_context(fake_transport))
    assert (second.exit_code, second.stdout) == (0, "About 470,000.\n")
    assert bodies(fake)[1]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of Australia?"},
        {"role": "assistant", "content": "Canberra."},
        {"role": "user", "content": "And its population?"},
    ]
    (saved,) = store_in(tmp_path).summaries()
    assert (saved.title, saved.model, saved.turns) == (
        "Capital of Australia?",
        "mistral-small-latest",
        2,
    )


def test_continue_by_id_prefix_and_keep_its_model(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    invoke(["chat", "-m", "codestral-latest", "first"], make_context(fake_transport))
    invoke(["chat", "second"], make_context(fake_transport))
    older = store_in(tmp_path).summaries()[-1]
    result = invoke(["chat", "--conversation", older.id[:6], "more"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    last = bodies(fake)[-1]
    assert last["model"] == "codestral-latest"
    assert [m["content"] for m in last["messages"]] == ["first", "Echo: first", "more"]


def test_ambiguous_conversation_prefix_lists_the_matches(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    store = store_in(tmp_path)
    store._db.execute("INSERT INTO conversations VALUES ('ab12', 'one', 'm', 1, 1)")
    store._db.execute("INSERT INTO conversations VALUES ('ab34', 'two', 'm', 2, 2)")
    result = invoke(["chat", "--conversation", "ab", "hi"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: the id 'ab' is ambiguous: ab34 (two), ab12 (one)\nhint: give more of it\n",
    )
    assert bodies(fake) == []


def test_continue_without_any_conversation_is_a_usage_error(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["chat", "-c", "hi"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: there is no saved conversation to continue\nhint: start one first\n",
    )


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_save(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path, how: str
) -> None:
    import os

    environ = {**os.environ, "MISTRAL_NO_SAVE": "1"} if how == "env" else None
    argv = ["chat", "--no-save", "hi"] if how == "flag" else ["chat", "hi"]
    result = invoke(argv, make_context(fake_transport, environ=environ))
    assert result.exit_code == 0
    assert store_in(tmp_path).summaries() == []


def test_terminal_stream_cut_keeps_the_rendered_part(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(
        Reply(text="First paragraph.\n\nSecond one.", thinking="Hm.", chunk_size=9)
    )
    fake.inject(CHAT, Fault.drop_stream(after_events=5))
    result = invoke(["chat", "q"], make_context(fake_transport, tty=True))
    assert result.exit_code == 6
    assert "First paragraph." in result.stdout  # rendered (the live repaints vary)
    assert result.stderr == (
        "\x1b[2mHm.\x1b[0m\n"  # thinking, dim
        "mistral: error: the stream broke after 5 events (connection closed by the server); "
        "the partial answer was kept\n"
        "hint: try again; a flaky network or proxy can cut long streams\n"
    )


def test_ctrl_c_mid_answer_saves_it_partial(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mistral_cli.errors import Interrupted
    from mistral_cli.services.chat import turn as turn_module

    fake.chat.replies.append(Reply(text="abcdefghijkl", chunk_size=4))
    real = turn_module.read_answer
    seen: list[object] = []

    def interrupt_on_the_fourth(payload: object, **options: Any) -> object:
        seen.append(payload)
        if len(seen) == 4:
            raise Interrupted
        return real(payload, **options)

    monkeypatch.setattr(turn_module, "read_answer", interrupt_on_the_fourth)
    with pytest.raises(Interrupted):
        invoke(["chat", "letters"], make_context(fake_transport))
    store = store_in(tmp_path)
    (saved,) = store.summaries()
    assert [(m.content, m.partial) for m in store.messages(saved.id)] == [
        ("letters", False),
        ("abcdefgh", True),
    ]
