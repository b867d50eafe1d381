"""mistral_cli/help.json is what Typer prints; the launcher serves it without importing Typer."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mistral_cli import launch
from mistral_cli.cli import app
from mistral_cli.commands.completion import help_pages
from tests.support import invoke

PAGES = json.loads(launch.HELP_FILE.read_text(encoding="utf-8"))


def test_help_json_is_current() -> None:
    import typer

    assert help_pages(typer.main.get_command(app)) == PAGES, "run scripts/gen-completions"


@pytest.mark.parametrize("path", sorted(PAGES))
def test_static_page_equals_typer_output(path: str) -> None:
    argv = [*path.split(), "--help"] if path else ["--help"]
    live = CliRunner().invoke(
        app, argv, prog_name="mistral", env={"COLUMNS": "80"}, terminal_width=80
    )
    assert live.exit_code == 0
    assert launch.static_answer(argv) == live.stdout


def test_version_and_unknown_paths() -> None:
    assert launch.static_answer(["--version"]) == launch.version_text()
    assert launch.static_answer(["-V"]).startswith("mistral-cli ")  # type: ignore[union-attr]
    assert launch.static_answer(["nope", "--help"]) is None
    assert launch.static_answer(["--debug", "--help"]) is None
    assert launch.static_answer(["models", "list"]) is None
    assert launch.static_answer([]) is None


def test_version_flag_through_typer_matches() -> None:
    result = invoke(["--version"])
    assert result.stdout == launch.version_text()
