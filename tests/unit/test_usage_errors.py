"""main(): a usage error is one line in the house style plus a suggestion, exit 2."""

from __future__ import annotations

import pytest

from mistral_cli.cli import main
from tests.unit.test_argv import restored_signals  # noqa: F401  # autouse: pytest's handlers back


@pytest.mark.parametrize(
    ("argv", "stderr"),
    [
        (
            ["chat", "--modle", "x", "hi"],
            "mistral: error: no such option: --modle\n"
            "hint: did you mean --model? (mistral chat --help)\n",
        ),
        (
            ["chta", "hi"],
            "mistral: error: no such command: chta\nhint: did you mean chat? (mistral --help)\n",
        ),
        (
            ["models", "lst"],
            "mistral: error: no such command: lst\n"
            "hint: did you mean list? (mistral models --help)\n",
        ),
        (
            ["completion", "show"],
            "mistral: error: missing argument 'shell'\nhint: see mistral completion show --help\n",
        ),
        (
            ["chat", "--temperature", "warm", "hi"],
            "mistral: error: invalid value for '--temperature': 'warm' is not a valid float\n"
            "hint: see mistral chat --help\n",
        ),
        (
            ["models", "list", "extra"],
            "mistral: error: got unexpected extra argument(s) (extra)\n"
            "hint: see mistral models list --help\n",
        ),
        (
            ["--profile"],
            "mistral: error: option '--profile' requires an argument\nhint: see mistral --help\n",
        ),
        (["frobnicate"], "mistral: error: no such command: frobnicate\nhint: see mistral --help\n"),
    ],
)
def test_usage_errors_are_one_line_and_a_hint(
    argv: list[str], stderr: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", stderr)


def test_a_noun_alone_still_shows_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: mistral config [OPTIONS] COMMAND [ARGS]...\n")
    assert "  show " in err


def test_success_and_typer_exit_keep_their_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "path"]) == 0
    assert main(["completion", "show", "tcsh"]) == 2
    assert capsys.readouterr().err == (
        "mistral: error: unknown shell 'tcsh'\nhint: choose one of: bash, zsh, fish\n"
    )
