from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from mistral_cli.api.chat import Message, split_content
from mistral_cli.errors import UsageError
from mistral_cli.services.chat import ChatParams, params, parse_params, read_prompt, response_format
from tests.fakes.spec import validate_request


def test_zero_values_are_sent_and_none_left_out() -> None:
    body = ChatParams(temperature=0, random_seed=0, max_tokens=0).request(
        "m", [Message(role="user", content="hi")], stream=False
    )
    assert body == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.0,
        "max_tokens": 0,
        "stream": False,
        "random_seed": 0,
    }


def test_extras_are_merged_last() -> None:
    body = ChatParams(extras={"n": 2}).request("m", [], stream=True)
    assert body["n"] == 2


def test_with_changes_checks_again() -> None:
    params = ChatParams(temperature=0.2)
    assert params.with_changes(temperature=1.0).temperature == 1.0
    with pytest.raises(UsageError, match="--temperature"):
        params.with_changes(temperature=3)


def test_parse_params_decodes_json_else_keeps_strings() -> None:
    warnings: list[str] = []
    extras = parse_params(
        ["n=2", "prompt_cache_key=abc", 'metadata={"a": [1]}', "future_field=x=y"], warnings.append
    )
    assert extras == {
        "n": 2,
        "prompt_cache_key": "abc",
        "metadata": {"a": [1]},
        "future_field": "x=y",
    }
    assert warnings == [
        "--param future_field is not in the API spec this version knows; sending it anyway"
    ]


def test_string_field_given_a_number_needs_quotes() -> None:
    with pytest.raises(UsageError, match="prompt_cache_key must be string, not integer 123"):
        parse_params(["prompt_cache_key=123"], print)
    assert parse_params(['prompt_cache_key="123"'], print) == {"prompt_cache_key": "123"}


def test_schema_name_from_title(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"title": "Book list", "type": "object"}))
    fmt = response_format(json_mode=False, schema_file=path)
    assert fmt == {
        "type": "json_schema",
        "json_schema": {
            "name": "Book_list",
            "schema": {"title": "Book list", "type": "object"},
            "strict": True,
        },
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{nope", "is not valid JSON"), ("[1]", "must hold a JSON object")],
)
def test_schema_file_problems(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "s.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        response_format(json_mode=False, schema_file=path)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_read_prompt_ignores_a_terminal_and_none() -> None:
    assert read_prompt("hi", Tty("ignored")) == "hi"
    assert read_prompt(None, Tty("")) is None
    assert read_prompt(None, None) is None


def test_read_prompt_decodes_bad_bytes() -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"caf\xe9\n"), encoding="utf-8")
    assert read_prompt(None, stdin) == "caf\ufffd"


def test_split_content_handles_chunks_and_unknown_types() -> None:
    content = [
        {"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]},
        {"type": "reference", "reference_ids": [1]},
        {"type": "text", "text": "ok"},
    ]
    assert split_content(content) == ("ok", "hmm")
    assert split_content("plain") == ("plain", "")
    assert split_content(None) == ("", "")


def test_param_json_nested_too_deep_is_refused_before_parsing() -> None:
    deep = "[" * 50_000 + "]" * 50_000
    with pytest.raises(UsageError) as caught:
        parse_params([f"x_deep={deep}"], print)
    assert caught.value.message == "--param x_deep: JSON nested deeper than 64 levels"
    assert caught.value.hint == "the CLI reads JSON up to 64 levels deep"
    ok = "[" * 64 + "]" * 64
    warned: list[str] = []
    assert parse_params([f"x_ok={ok}"], warned.append) == {"x_ok": json.loads(ok)}


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    value = json.dumps({"text": "[" * 200 + '\\"{' * 100})
    assert parse_params([f"x_text={value}"], lambda _w: None) == {"x_text": json.loads(value)}


def test_a_param_value_over_the_size_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(params, "MAX_JSON_BYTES", 1024)
    with pytest.raises(UsageError, match=r"^--param x_big: the value is over 1 KiB$"):
        parse_params(["x_big=" + "a" * 1025], print)


def test_schema_from_a_device_or_fifo_is_refused_without_reading(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        response_format(json_mode=False, schema_file=Path("/dev/zero"))
    assert caught.value.message == "--schema: /dev/zero is not a regular file"
    assert caught.value.hint == "save the schema to a file first (a pipe or device is not read)"
    fifo = tmp_path / "schema.json"
    os.mkfifo(fifo)  # no writer: a blocking read would never return
    with pytest.raises(UsageError, match="is not a regular file"):
        response_format(json_mode=False, schema_file=fifo)


def test_schema_size_and_depth_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' * 100 + "1" + "}" * 100)
    with pytest.raises(UsageError) as caught:
        response_format(json_mode=False, schema_file=deep)
    assert caught.value.message == f"--schema {deep}: JSON nested deeper than 64 levels"
    monkeypatch.setattr(params, "MAX_JSON_BYTES", 100)
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"description": "x" * 200}))
    with pytest.raises(UsageError, match=r"big\.json is over 100 bytes$"):
        response_format(json_mode=False, schema_file=big)


# ---------------------------------------------------------------- checked against the spec


@pytest.mark.parametrize(
    ("values", "message", "hint"),
    [
        ({"temperature": 3}, "--temperature: must be >= 0 and <= 1.5, not 3", "--temperature 0.8"),
        (
            {"temperature": float("nan")},
            "--temperature: must be a finite number, not nan",
            "--temperature 0.8",
        ),
        ({"top_p": 0.0}, "--top-p: must be > 0 and <= 1, not 0", "--top-p 0.5"),
        ({"max_tokens": -1}, "--max-tokens: must be >= 0, not -1", "--max-tokens 1"),
        ({"random_seed": -5}, "--seed: must be >= 0, not -5", "--seed 1"),
        (
            {"presence_penalty": 2.5},
            "--presence-penalty: must be >= -2 and <= 2, not 2.5",
            "--presence-penalty 0.0",
        ),
    ],
)
def test_flag_values_are_checked_with_the_spec(
    values: dict[str, float], message: str, hint: str
) -> None:
    with pytest.raises(UsageError) as caught:
        ChatParams(**values)  # type: ignore[arg-type]
    assert caught.value.message == message
    assert caught.value.hint == f"e.g. {hint}"


def test_good_flag_values_pass_and_reach_the_body() -> None:
    body = ChatParams(
        temperature=1.5,
        top_p=1,
        max_tokens=5,
        stop=("END",),
        random_seed=7,
        safe_prompt=True,
        presence_penalty=-2,
        frequency_penalty=2,
        response_format={"type": "json_object"},
        extras={"metadata": None},
    ).request(
        "m", [Message(role="system", content="s"), Message(role="user", content="u")], stream=True
    )
    assert body == {
        "model": "m",
        "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
        "temperature": 1.5,
        "top_p": 1.0,
        "max_tokens": 5,
        "stream": True,
        "stop": ["END"],
        "random_seed": 7,
        "response_format": {"type": "json_object"},
        "presence_penalty": -2.0,
        "frequency_penalty": 2.0,
        "safe_prompt": True,
        "metadata": None,  # an extra's null is the user's: it is sent
    }
    assert list(body)[-1] == "metadata"  # extras last
    assert validate_request("POST", "/v1/chat/completions", body) == []


@pytest.mark.parametrize(
    ("item", "message", "hint"),
    [
        ("n=0", "--param n must be >= 1, not 0", "e.g. --param n=1"),
        (
            'tools=[{"type": "function", "function": {"name": "f"}}]',
            '--param tools[0].function is missing "parameters"',
            'e.g. --param \'tools=[{"function": {"name": "text", "parameters": {}}}]\'',
        ),
        (
            "tool_choice=sometimes",
            "--param tool_choice must be one of auto, none, any, required, not 'sometimes'",
            "e.g. --param tool_choice=auto",
        ),
        (
            "prompt_cache_key=123",
            "--param prompt_cache_key must be string, not integer 123",
            "e.g. --param prompt_cache_key=text",
        ),
    ],
)
def test_param_values_are_checked_with_the_fields_own_schema(
    item: str, message: str, hint: str
) -> None:
    with pytest.raises(UsageError) as caught:
        parse_params([item], print)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def test_complex_param_values_that_fit_are_sent_as_given() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    extras = parse_params(
        [f"tools={json.dumps(tools)}", 'tool_choice={"function": {"name": "f"}}', "n=1.0"],
        print,
    )
    assert extras == {"tools": tools, "tool_choice": {"function": {"name": "f"}}, "n": 1.0}
    body = ChatParams(extras=extras).request("m", [Message("user", "hi")], stream=False)
    assert validate_request("POST", "/v1/chat/completions", body) == []


def test_nan_and_infinity_are_not_json_so_they_stay_strings() -> None:
    warned: list[str] = []
    assert parse_params(["prompt_cache_key=NaN", "x_new=-Infinity"], warned.append) == {
        "prompt_cache_key": "NaN",
        "x_new": "-Infinity",
    }
    with pytest.raises(UsageError, match=r'^--param n must be integer, not string "NaN"$'):
        parse_params(["n=NaN"], print)


def test_a_schema_file_with_nan_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"type": "number", "maximum": NaN}')
    with pytest.raises(UsageError, match=r"is not valid JSON \(NaN is not JSON\)$"):
        response_format(json_mode=False, schema_file=path)
