"""main(): arguments that are not UTF-8 are a usage error naming the byte, checked once."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from mistral_cli.cli import main


@pytest.fixture(autouse=True)
def restored_signals() -> Iterator[None]:
    """main() installs its own SIGINT/SIGTERM handlers: put pytest's back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def undecodable(raw: bytes) -> str:
    """What Python makes of an argv byte string that is not UTF-8 (surrogate escapes)."""
    return os.fsdecode(raw)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["chat", undecodable(b"caf\xe9")],
            "argument 2 is not valid UTF-8 (byte 4): caf\\xe9",
        ),
        (
            ["embed", "ok", undecodable("é ".encode() + b"\xff\xfe rest")],
            "argument 3 is not valid UTF-8 (byte 4): é \\xff\\xfe rest",
        ),
        (
            ["--base-url", undecodable(b"\x80"), "models", "list"],
            "argument 2 is not valid UTF-8 (byte 1): \\x80",
        ),
    ],
)
def test_non_utf8_arguments_exit_2_naming_argument_and_byte(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"mistral: error: {message}\n"
        "hint: pass text as UTF-8 (e.g. iconv -f latin1 -t utf-8), or pipe it on stdin\n"
    )


def test_a_long_argument_is_shown_cut_short(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "x" * 500 + undecodable(b"\xe9")]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == "mistral: error: argument 2 is not valid UTF-8 (byte 501): " + "x" * 80
