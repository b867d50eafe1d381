"""The installed `mistral moderate`, `classify` and `models rm` against the loopback fake."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Run
from tests.fakes.catalog import CLASSIFIER_ID, FINE_TUNED_ID
from tests.fakes.classifiers import classification, moderation
from tests.fakes.router import FakeMistral
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.e2e


def test_moderate_as_a_ci_gate(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    posts = "".join(f"post {n}\n" for n in range(1, 120)) + "I will kill you\n"
    gate = ("moderate", "--fail-on", "violence_and_threats")
    done = run_mistral(*gate, input=posts, server=fake_server, key=fake.api_key)
    assert done.returncode == 12
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["line"] for r in records] == list(range(1, 121))
    assert records[-1] == {"line": 120, **moderation("I will kill you")}
    assert done.stderr == (
        "mistral: error: 1 of 120 inputs flagged: violence_and_threats (1)\n"
        "hint: the results name each input's line and the categories it was flagged in\n"
    )
    calm = run_mistral(*gate, input="hello\n", server=fake_server, key=fake.api_key)
    assert (calm.returncode, calm.stderr) == (0, "0 of 1 input flagged\n")


def test_classify_with_a_prefix_piped(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    done = run_mistral(
        "classify",
        "-m",
        "ft:ministral-3b",
        input="great\nlate\n",
        server=fake_server,
        key=fake.api_key,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        json.dumps({"line": 1, **classification("great")}),
        json.dumps({"line": 2, **classification("late")}),
    ]
    assert fake.requests_to("POST /v1/classifications")[0].json()["model"] == CLASSIFIER_ID


def test_models_rm_needs_yes_without_a_terminal(
    run_mistral: Run, fake: FakeMistral, fake_server: FakeServer
) -> None:
    refused = run_mistral("models", "rm", FINE_TUNED_ID, server=fake_server, key=fake.api_key)
    assert refused.returncode == 2
    assert refused.stderr.startswith("mistral: error: deleting a model needs --yes")
    assert fake.requests == []
    done = run_mistral("models", "rm", "--yes", FINE_TUNED_ID, server=fake_server, key=fake.api_key)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", f"deleted {FINE_TUNED_ID}\n")
    assert fake.models.find(FINE_TUNED_ID) is None
