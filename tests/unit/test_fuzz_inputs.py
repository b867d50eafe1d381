"""Fuzz the parsers that read untrusted bytes: any input → a result or a CliError, never a crash."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistral_cli import config
from mistral_cli.api.errors import parse_error_body
from mistral_cli.api.sse import iter_events
from mistral_cli.errors import CliError

FUZZ = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SSE_BITS = st.lists(
    st.sampled_from(
        [
            b"data: ",
            b"[DONE]",
            b"\n",
            b"\n\n",
            b"{",
            b"}",
            b'"choices":[]',
            b":",
            b"event: x",
            b'{"object":"error","message":"m"}',
            b"\xff",
            b"\r",
            b"retry: 5",
            b"id: 1",
        ]
    )
    | st.binary(max_size=12),
    max_size=20,
)


@FUZZ
@given(status=st.integers(100, 599), ctype=st.text(max_size=30), body=st.binary(max_size=300))
def test_error_body_parser_never_crashes(status: int, ctype: str, body: bytes) -> None:
    parsed = parse_error_body(status, ctype, body)
    assert parsed.message
    assert len(parsed.message) <= 260


@FUZZ
@given(parts=SSE_BITS)
def test_sse_reader_yields_dicts_or_raises_a_cli_error(parts: list[bytes]) -> None:
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=b"".join(parts)
    )
    try:
        events = list(iter_events(response))
    except CliError:
        return
    assert all(isinstance(event, dict) for event in events)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_config_file_loader(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(raw)
    with contextlib.suppress(CliError):
        config.resolve({}, {}, {}, config.read_config_file(path))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_dotenv_loader(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes(raw)
    with contextlib.suppress(CliError):
        config.resolve({}, {}, config.read_dotenv(path), {})


@pytest.mark.parametrize(
    "text",
    ["api_key = 3", 'timeout = "x"', "max_retries = -1", "[profiles]\nx = 1", "aliases = 1"],
)
def test_config_file_type_errors_are_clean(text: str, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(CliError):
        config.resolve({"profile": "x"}, {}, {}, config.read_config_file(path))


@FUZZ
@given(raw=st.binary(max_size=300), id_field=st.sampled_from(["", "id"]))
def test_embed_input_reader(raw: bytes, id_field: str) -> None:
    from mistral_cli.services.embed import inputs

    try:
        lines = list(inputs.utf8_lines(iter(raw.splitlines(keepends=True))))
        list(inputs.read_lines(lines))
        list(inputs.read_jsonl(lines, field="text", id_field=id_field or None))
    except CliError:
        pass
