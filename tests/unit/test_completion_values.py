"""Option values are completed from the choices the options are checked against (one source)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mistral_cli.commands import completion
from mistral_cli.services import batch
from mistral_cli.services.chat import batchresults
from mistral_cli.services.embed import backend, job
from mistral_cli.services.ftdata import validate
from tests.support import invoke
from tests.unit.test_completions import complete_bash

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


@needs_bash
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("mistral embed --format ", ["jsonl", "json", "csv", "npy"]),
        ("mistral embed --output-dtype u", ["uint8", "ubinary"]),
        ("mistral embed --encoding ", ["float", "base64"]),
        ("mistral batch download --format j", ["jsonl", "json"]),
        ("mistral finetune validate --format g", ["github"]),
        ("mistral finetune run --job-type c", ["completion", "classifier"]),
        ("mistral files list --purpose ", ["fine-tune", "batch", "ocr"]),
        ("mistral batch list --status CANCEL", ["CANCELLATION_REQUESTED", "CANCELLED"]),
        ("mistral usage --by ", ["model", "day"]),
        ("mistral completion show ", ["bash", "zsh", "fish"]),
        ("mistral config set no_", ["no_save", "no_deprecation_notice"]),
        ("mistral embed --f", ["--field", "--force", "--format"]),
    ],
)
def test_bash_completes_option_values(line: str, expected: list[str], tmp_path: Path) -> None:
    assert complete_bash(line, tmp_path) == expected


def test_the_values_are_the_ones_the_options_are_checked_against() -> None:
    choices = completion.value_choices()
    assert choices[("embed", "--format")] is job.FORMATS
    assert choices[("batch create", "--format")] is batchresults.FORMATS
    assert choices[("batch create", "--endpoint")] is batch.CREATABLE
    assert choices[("batch download", "--format")] == (*job.FORMATS, "text")
    assert set(batchresults.FORMATS) <= set(choices[("batch download", "--format")])
    assert choices[("embed", "--output-dtype")] is backend.DTYPES
    assert choices[("embed", "--encoding")] is backend.ENCODINGS
    assert choices[("finetune validate", "--format")] is validate.FORMATS


def test_fish_completes_option_and_argument_values() -> None:
    script = invoke(["completion", "show", "fish"]).stdout
    assert (
        "complete -c mistral -n 'test (__mistral_path) = \"embed\"' -l format -x -a "
        "'jsonl json csv npy'\n"
    ) in script
    assert "complete -c mistral -n 'test (__mistral_path) = \"completion show\"' -a " in script


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return tmp_path


def test_install_bash_without_bash_completion_says_how_to_enable_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(completion, "BASH_COMPLETION", (str(home / "nowhere"),))
    result = invoke(["completion", "install", "bash"])
    target = home / ".local/share/bash-completion/completions/mistral"
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{target}\n"
    assert result.stderr == (
        "bash-completion is not installed, so bash will not load this file by itself; "
        f"add to ~/.bashrc: source {target}\n"
    )
    assert target.read_text(encoding="utf-8").startswith("# bash completion for mistral")


def test_install_bash_with_bash_completion_names_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loader = home / "bash_completion"
    loader.write_text("# stand-in\n")
    monkeypatch.setattr(completion, "BASH_COMPLETION", (str(home / "nowhere"), str(loader)))
    result = invoke(["completion", "install", "bash"])
    target = home / ".local/share/bash-completion/completions/mistral"
    assert result.stderr == (
        f"new shells load it through bash-completion ({loader}); "
        f"if TAB does nothing there, add to ~/.bashrc: source {target}\n"
    )
