"""`mistral chat -x` / `--extract-last`: only the answer's fenced code on stdout."""

from __future__ import annotations

import io
from types import SimpleNamespace

import httpx
import pytest

import mistral_cli.commands.chat as chat_cmd
from tests.fakes.chat import Reply
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

CHAT = "POST /v1/chat/completions"
ANSWER = (
    "Here is a one-liner:\n\n"
    "```bash\n"
    "find . -name '*.log' -mtime +7 -delete\n"
    "```\n\n"
    "Or, to see first:\n\n"
    "```\n"
    "find . -name '*.log' -mtime +7\n"
    "```\n"
    "Careful with `-delete`.\n"
)
FIRST = "find . -name '*.log' -mtime +7 -delete\n"
SECOND = "find . -name '*.log' -mtime +7\n"


@pytest.mark.parametrize("stream", [[], ["--no-stream"]], ids=["streamed", "whole"])
@pytest.mark.parametrize(
    ("flag", "expected"),
    [("-x", FIRST + SECOND), ("--extract", FIRST + SECOND), ("--extract-last", SECOND)],
)
def test_only_the_code_is_printed(
    fake: FakeMistral,
    fake_transport: httpx.MockTransport,
    stream: list[str],
    flag: str,
    expected: str,
) -> None:
    fake.chat.replies.append(Reply(text=ANSWER, chunk_size=5))
    result = invoke(["chat", flag, *stream, "delete old logs"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def test_on_a_terminal_the_code_is_plain(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text=ANSWER, chunk_size=5))
    result = invoke(["chat", "-x", "--no-save", "q"], make_context(fake_transport, tty=True))
    assert result.exit_code == 0
    assert result.stdout == FIRST + SECOND  # no label, no colour, no live area


def test_an_answer_without_code_prints_nothing_and_exits_1(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="I would rather not.", chunk_size=5))
    result = invoke(["chat", "-x", "--no-save", "rm everything"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "mistral: error: the answer has no code block, so nothing was printed\n"
        "hint: drop -x to see it\n",
    )


def test_a_saved_answer_without_code_names_its_conversation(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(Reply(text="No code here."))
    result = invoke(["chat", "--extract-last", "q"], make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stdout == ""
    message, hint = result.stderr.splitlines()
    assert message == "mistral: error: the answer has no code block, so nothing was printed"
    assert hint.startswith("hint: read it: mistral conversations show ")


def test_a_code_block_cut_by_max_tokens_is_never_printed(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.chat.replies.append(
        Reply(text="```sh\necho ok\n```\n```sh\nrm -rf bu", finish_reason="length")
    )
    result = invoke(["chat", "-x", "--no-save", "q"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "echo ok\n",
        "mistral: warning: a code block without its closing fence was not printed\n"
        "mistral: warning: the answer reached --max-tokens and was cut short\n",
    )


@pytest.mark.parametrize("flag", ["-x", "--extract-last"])
@pytest.mark.parametrize("json_flag", ["--json", "--jsonl"])
def test_extract_with_json_is_a_usage_error(
    fake: FakeMistral, fake_transport: httpx.MockTransport, flag: str, json_flag: str
) -> None:
    result = invoke(["chat", flag, json_flag, "q"], make_context(fake_transport))
    name = "--extract-last" if flag == "--extract-last" else "-x/--extract"
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"mistral: error: {name} cannot be used with --json or --jsonl\n"
    assert fake.requests_to(CHAT) == []


def test_extract_needs_a_prompt(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(chat_cmd, "sys", SimpleNamespace(stdin=Terminal()))
    result = invoke(["chat", "-x"], make_context(fake_transport, tty=True))  # not the REPL
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        'mistral: error: -x and --extract-last need a prompt\nhint: e.g. mistral chat -x "…"\n'
    )
