"""The small promises of a gh-style CLI: clean TSV, plain words when piped, helpful hints."""

from __future__ import annotations

import httpx
import pytest

from mistral_cli.output import Output
from tests.fakes import Fault
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

MODELS_PIPED = (
    "codestral-embed\t8k\tfalse\tfalse\tfalse\tfalse\ttrue\n"
    "codestral-latest\t128k\ttrue\ttrue\tfalse\tfalse\tfalse\n"
    "ft:ministral-3b-latest:7d1e40aa:20260802:c1a55f13\t128k\tfalse\tfalse\tfalse\tfalse\tfalse\t"
    "fine-tuned\n"
    "ft:ministral-8b-latest:7d1e40aa:20260801:a1b2c3d4\t128k\ttrue\ttrue\tfalse\tfalse\tfalse\t"
    "fine-tuned\n"
    "ministral-3b-latest\t128k\ttrue\ttrue\tfalse\ttrue\tfalse\n"
    "ministral-8b-latest\t128k\ttrue\ttrue\tfalse\ttrue\tfalse\n"
    "mistral-embed\t8k\tfalse\tfalse\tfalse\tfalse\ttrue\n"
    "mistral-large-latest\t256k\ttrue\ttrue\ttrue\tfalse\tfalse\n"
    "mistral-medium-2508\t256k\ttrue\ttrue\ttrue\tfalse\tfalse\t"
    "deprecated 2026-08-31 → mistral-medium-latest\n"
    "mistral-medium-3-5\t256k\ttrue\ttrue\ttrue\tfalse\tfalse\n"
    "mistral-medium-latest\t256k\ttrue\ttrue\ttrue\tfalse\tfalse\n"
    "mistral-moderation-2411\t8k\tfalse\tfalse\tfalse\tfalse\tfalse\n"
    "mistral-moderation-latest\t8k\tfalse\tfalse\tfalse\tfalse\tfalse\n"
    "mistral-small-2506\t128k\ttrue\ttrue\ttrue\ttrue\tfalse\n"
    "mistral-small-latest\t256k\ttrue\ttrue\ttrue\ttrue\tfalse\n"
)


def test_piped_models_list_says_true_and_false_without_trailing_tabs(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "list"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == MODELS_PIPED


def test_models_list_on_a_terminal_keeps_its_glyphs(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["models", "list"], make_context(fake_transport, tty=True))
    assert "✓" in result.stdout
    assert "·" in result.stdout
    assert "true" not in result.stdout


def test_a_tsv_line_never_ends_in_a_separator(capsys: pytest.CaptureFixture[str]) -> None:
    Output(tty=False).table(("A", "B", "C"), [["x", "", ""], ["", "y", ""], ["1", "2", "3"]])
    assert capsys.readouterr().out == "x\n\ty\n1\t2\t3\n"


def test_config_show_piped_ends_no_line_with_a_tab(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["config", "show"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines(keepends=True)
    assert len(lines) == 21  # a line a setting
    assert [line for line in lines if line.endswith("\t\n")] == []


@pytest.mark.parametrize(
    ("argv", "route", "hint"),
    [
        (
            ["batch", "status", "job-x"],
            "GET /v1/batch/jobs/{job_id}",
            "check the id: `mistral batch list` shows what exists",
        ),
        (
            ["batch", "list"],
            "GET /v1/batch/jobs",
            "check MISTRAL_BASE_URL: the server does not know this route",
        ),
        (
            ["files", "list"],
            "GET /v1/files",
            "check MISTRAL_BASE_URL: the server does not know this route",
        ),
    ],
)
def test_a_404_hint_never_suggests_the_command_that_failed(
    fake: FakeMistral, fake_transport: httpx.MockTransport, argv: list[str], route: str, hint: str
) -> None:
    fake.inject(route, Fault.status(404))
    result = invoke(argv, make_context(fake_transport))
    assert result.exit_code == 4
    assert result.stderr.splitlines()[-1] == f"hint: {hint}"
    fake.assert_clean()


def test_one_of_a_thing_is_never_plural(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    result = invoke(["embed", "--batch", "a"], make_context(fake_transport))
    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    assert result.stderr.startswith(f"batch job {job_id} created: 1 input in 1 request (")
