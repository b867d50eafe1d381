"""With the `tokens` extra, `mistral embed` loads the tokenizer only for an input near a limit."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Run
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

pytest.importorskip("mistral_common", reason="the `tokens` extra is not installed")

PROFILE = {"PYTHONPROFILEIMPORTTIME": "1"}


def loaded_tokenizer(stderr: str) -> bool:
    """Whether any mistral_common module was imported (from PYTHONPROFILEIMPORTTIME's lines)."""
    return any(
        line.rsplit("|", 1)[1].strip().startswith("mistral_common")
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    )


def test_ordinary_lines_are_estimated_without_loading_the_tokenizer(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    lines = "".join(f"sentence number {i}, of ordinary length\n" for i in range(1, 2001))
    done = run_mistral("embed", input=lines, server=fake_server, key=fake.api_key, env=PROFILE)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout.splitlines()) == 2000
    assert not loaded_tokenizer(done.stderr)
    assert all(batch.status == 200 for batch in fake.embeddings.batches)


def test_a_line_that_could_be_over_the_limit_is_counted_by_the_tokenizer(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    lines = "a short line\n" + "word " * 2_000 + "\nanother short line\n"  # 10,000 bytes
    done = run_mistral("embed", input=lines, server=fake_server, key=fake.api_key, env=PROFILE)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [json.loads(line)["line"] for line in done.stdout.splitlines()] == [1, 2, 3]
    assert loaded_tokenizer(done.stderr)


def test_an_input_over_the_limit_is_refused_by_its_exact_count(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    lines = "fine\n" + "z9 " * 9_000 + "\n"  # ~18,000 tokens: over the 8,192 per input
    done = run_mistral("embed", input=lines, server=fake_server, key=fake.api_key)
    assert done.returncode == 8, done.stderr
    assert "line 2: input has ~" in done.stderr
    assert "over the per-input limit of 8,192" in done.stderr
    assert fake.embeddings.batches == [] or all(b.inputs == 1 for b in fake.embeddings.batches)
