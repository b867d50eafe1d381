"""`mistral tokens` streams: chunked counts equal whole counts, memory stays bounded, caps hold."""

from __future__ import annotations

import importlib.util
import io
import json
import random
from pathlib import Path

import httpx
import pytest

from mistral_cli.services import tokens
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

HAS_EXACT = importlib.util.find_spec("mistral_common") is not None
ROOT = Path(__file__).resolve().parents[2]
PIECES = [
    "def f(x):", "    return x + 1", "\t\tdeep", "", "   ", " \t ", "# Title", "1. item.",
    "Ünïcödé “quotes” …", "日本語のテキスト", "emoji 😀🎉", "a3f9e2c1b0d4", "x = {'a': [1, 2]}",
    "    ", "end.", "\r", "...", "  leading words", "CAPS AND words", "3.14159 2026-11-25",
]  # fmt: skip


def sample(seed: int, lines: int = 400) -> str:
    """A seeded mixture of code, prose, blank and white-space lines (CRLF now and then)."""
    rand = random.Random(seed)
    return "".join(
        rand.choice(PIECES) + ("\r\n" if rand.random() < 0.1 else "\n") for _ in range(lines)
    ) + rand.choice(["", "no newline at the end"])


def counted(counter: tokens.Counter, text: str) -> int:
    return tokens.count_stream(counter, io.BytesIO(text.encode("utf-8")))


@pytest.mark.parametrize("seed", range(8))
def test_chunked_estimate_matches_the_whole_count(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "CHUNK_BYTES", 64)  # many chunks, every kind of cut
    text = sample(seed)
    whole = tokens.estimate(text)
    chunked = counted(tokens.EstimateCounter(), text)
    assert whole <= chunked <= whole + text.count("\n") // 16  # the estimate may only err high
    plain = "".join(line.lstrip() + "\n" for line in text.splitlines() if line.strip())
    assert counted(tokens.EstimateCounter(), plain) == tokens.estimate(plain)


@pytest.mark.skipif(not HAS_EXACT, reason="mistral-common (extra `tokens`) is not installed")
@pytest.mark.parametrize("seed", range(8))
def test_chunked_exact_count_matches_the_whole_count(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "CHUNK_BYTES", 64)
    exact = tokens.exact_counter()
    assert exact is not None
    text = sample(seed)
    assert counted(exact, text) == exact.count(text)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert counted(exact, readme) == exact.count(readme)


def test_per_line_counts_are_numbered_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "CHUNK_BYTES", 16)
    text = "".join(f"line number {i}\n" for i in range(1, 51))
    seen: list[tokens.LineCount] = []
    chunks: list[int] = []

    def collect(lines: list[tokens.LineCount]) -> None:
        chunks.append(len(lines))
        seen.extend(lines)

    tokens.count_stream(tokens.EstimateCounter(), io.BytesIO(text.encode()), on_lines=collect)
    assert [ln.number for ln in seen] == list(range(1, 51))
    assert seen == tokens.count_lines(tokens.EstimateCounter(), text.splitlines())
    assert len(chunks) > 10


def test_a_line_over_the_cap_is_exit_8_after_reading_the_cap() -> None:
    stream = io.BytesIO(b"short\n" + b"z" * 10_000)
    with pytest.raises(tokens.LineTooLongError) as caught:
        tokens.count_stream(tokens.EstimateCounter(), stream, max_line=1024)
    assert caught.value.exit_code == 8
    assert caught.value.message == ("line 2 is longer than 1 KiB, the most `mistral tokens` reads")
    assert stream.tell() <= 6 + 1025


def test_the_command_stops_on_dev_zero(
    fake: FakeMistral, fake_transport: httpx.MockTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "MAX_LINE_BYTES", 64 * 1024)  # /dev/zero: one endless line
    actx = make_context(fake_transport, environ={"MISTRAL_TOKENIZER": "estimate"})
    result = invoke(["tokens", "/dev/zero", "-m", "mistral-small"], actx)
    assert result.exit_code == 8
    assert result.stderr == (
        "mistral: error: line 1 is longer than 64 KiB, the most `mistral tokens` reads\n"
        "hint: no model's context holds that much text; split the line\n"
    )


def test_stdin_bytes_that_are_not_utf8_are_counted_not_a_crash(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    actx = make_context(fake_transport, environ={"MISTRAL_TOKENIZER": "estimate"})
    bad = b"caf\xe9\n"  # CliRunner passes bytes through as they are
    result = invoke(["tokens", "--json", "-m", "mistral-small"], actx, input=bad)  # type: ignore[arg-type]
    assert json.loads(result.stdout)["tokens"] > 0
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("command", [["tokens", "-"], ["chat", "hi"]])
def test_an_empty_model_flag_is_exit_2(
    fake: FakeMistral, fake_transport: httpx.MockTransport, command: list[str]
) -> None:
    result = invoke([*command, "-m", " "], make_context(fake_transport), input="text")
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: -m/--model is empty\n"
        "hint: name a model; `mistral models list` shows them\n"
    )
    assert fake.requests == []
