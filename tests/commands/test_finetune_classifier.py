"""Classifier jobs send classifier_targets from the data; W&B integrations; validate's targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tests.fakes.files
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from tests.commands.test_finetune import ctx, ft, plain, write_jsonl
from tests.fakes import FakeMistral
from tests.fakes.files import FilesFake
from tests.support import invoke

CLASSIFIER_MODEL = "ministral-3b-latest"
MODEL = "ministral-8b-latest"
WANDB_KEY = "w" * 40
CREATE = "POST /v1/fine_tuning/jobs"


def write_classifier(path: Path, count: int = 12) -> Path:
    moods, topics = ("happy", "sad", "angry"), ("billing", "shipping")
    samples = [
        {
            "text": f"ticket {n}",
            "labels": {"mood": moods[n % 3], "topics": [topics[n % 2], "other"][: 1 + n % 2]},
        }
        for n in range(count)
    ]
    return write_jsonl(path, samples)


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    return write_classifier(tmp_path / "tickets.jsonl")


def run_classifier(fake_transport: object, labelled: Path, *extra: str, **env: str):
    argv = ["finetune", "run", str(labelled), "-m", CLASSIFIER_MODEL, "--job-type", "classifier"]
    return invoke([*argv, *extra], ctx(fake_transport, **env))


def test_classifier_run_sends_the_targets_the_data_shows(fake, fake_transport, labelled):
    result = run_classifier(fake_transport, labelled, "--steps", "10")
    assert result.exit_code == 0, result.stderr
    body = fake.requests_to(CREATE)[0].json()
    assert body["job_type"] == "classifier"
    assert body["classifier_targets"] == [
        {
            "name": "mood",
            "labels": ["angry", "happy", "sad"],
            "weight": 1.0,
            "loss_function": "single_class",
        },
        {
            "name": "topics",
            "labels": ["billing", "other", "shipping"],
            "weight": 1.0,
            "loss_function": "multi_class",
        },
    ]
    job = next(iter(ft(fake).jobs.values()))
    err = plain(result.stderr).splitlines()
    assert err[1] == (
        "classifier targets: mood (single-label, 3 labels); topics (multi-label, 3 labels)"
    )
    assert err[-1] == f'next: mistral classify -m {job.model_id()} "text to classify"'


def test_named_target_only_and_multi_on_request(fake, fake_transport, labelled):
    result = run_classifier(fake_transport, labelled, "--target", "mood:multi")
    assert result.exit_code == 0, result.stderr
    assert fake.requests_to(CREATE)[0].json()["classifier_targets"] == [
        {
            "name": "mood",
            "labels": ["angry", "happy", "sad"],
            "weight": 1.0,
            "loss_function": "multi_class",
        }
    ]


def test_a_target_the_data_lacks_is_exit_8_before_any_request(fake, fake_transport, labelled):
    result = run_classifier(fake_transport, labelled, "--target", "intent")
    assert result.exit_code == 8
    assert result.stderr.splitlines()[-2:] == [
        "mistral: error: --target 'intent': the training data has no such target "
        "(it has: 'mood', 'topics')",
        "hint: name a key of the samples' 'labels' object",
    ]
    assert fake.requests == []


def test_target_without_classifier_job_type_is_exit_2(fake, fake_transport, labelled):
    argv = ["finetune", "run", str(labelled), "-m", MODEL, "--target", "mood"]
    result = invoke(argv, ctx(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: --target is for classifier jobs\nhint: add --job-type classifier\n"
    )
    assert fake.requests == []


def test_classifier_data_sent_as_completion_is_exit_2(fake, fake_transport, labelled):
    result = invoke(["finetune", "run", str(labelled), "-m", MODEL], ctx(fake_transport))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-2:] == [
        f"mistral: error: {labelled} holds classifier samples (labels); this is a completion job",
        "hint: add --job-type classifier (and a classifier model: ministral-3b-latest)",
    ]
    assert fake.requests == []


def test_classifier_job_on_chat_data_is_exit_8(fake, fake_transport, tmp_path):
    from tests.commands.test_finetune import write_train

    chat = write_train(tmp_path / "chat.jsonl")
    result = run_classifier(fake_transport, chat)
    assert result.exit_code == 8
    assert f"mistral: error: --job-type classifier: {chat} has no labelled samples" in (
        result.stderr
    )
    assert fake.requests == []


def test_no_validate_still_reads_the_labels(fake, fake_transport, labelled):
    result = run_classifier(fake_transport, labelled, "--no-validate", "--target", "topics")
    assert result.exit_code == 0, result.stderr
    body = fake.requests_to(CREATE)[0].json()
    assert [t["name"] for t in body["classifier_targets"]] == ["topics"]
    assert f"{labelled}: ok" not in result.stderr


def _uploaded(fake: FakeMistral, labelled: Path) -> str:
    return fake.module(FilesFake).add("tickets.jsonl", labelled.read_bytes()).id


def test_training_file_by_id_leaves_the_targets_to_the_server(fake, fake_transport, labelled):
    file_id = _uploaded(fake, labelled)
    result = run_classifier(fake_transport, Path(file_id))
    assert result.exit_code == 0, result.stderr
    assert "classifier_targets" not in fake.requests_to(CREATE)[0].json()
    lines = plain(result.stderr).splitlines()
    assert lines[0] == "classifier targets: inferred by the server (training files given by id)"


def test_target_with_a_file_id_is_exit_2(fake, fake_transport, labelled):
    file_id = _uploaded(fake, labelled)
    result = run_classifier(fake_transport, Path(file_id), "--target", "mood")
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: --target needs the training data as local files: the labels are read "
        "from them\nhint: pass the .jsonl path instead of the file id, or leave --target out\n"
    )
    assert fake.requests == []


def test_classifier_status_shows_the_targets_the_job_reports(fake, fake_transport, labelled):
    created = invoke(
        [
            "finetune",
            "create",
            "-m",
            CLASSIFIER_MODEL,
            "--job-type",
            "classifier",
            "--train",
            str(labelled),
            "--target",
            "mood",
        ],
        ctx(fake_transport),
    )
    assert created.exit_code == 0, created.stderr
    job_id = created.stdout.strip()
    shown = invoke(["finetune", "status", job_id], ctx(fake_transport))
    assert "classifier target\tmood: single_class, weight 1.0, labels angry, happy, sad\n" in (
        shown.stdout
    )


def test_validate_reports_the_targets(fake, fake_transport, tmp_path):
    labelled = write_classifier(tmp_path / "tickets.jsonl", count=30)
    text = invoke(["finetune", "validate", str(labelled)], ctx(fake_transport))
    assert text.exit_code == 0, text.stderr
    lines = text.stderr.splitlines()
    assert lines[:-1] == [
        f"{labelled}: FT007 info: only 30 examples; 200–1,000 is a usual start",
        "target mood: single-label, 3 labels (angry, happy, sad)",
        "target topics: multi-label, 3 labels (billing, other, shipping)",
    ]
    assert lines[-1].startswith("30 samples · ")
    document = json.loads(
        invoke(["finetune", "validate", str(labelled), "--json"], ctx(fake_transport)).stdout
    )
    assert document["targets"] == [
        {
            "name": "mood",
            "labels": ["angry", "happy", "sad"],
            "multi_label": False,
            "loss_function": "single_class",
            "complete": True,
        },
        {
            "name": "topics",
            "labels": ["billing", "other", "shipping"],
            "multi_label": True,
            "loss_function": "multi_class",
            "complete": True,
        },
    ]
    assert fake.requests == []


# ---------------------------------------------------------------- W&B


def test_wandb_integration_sent_and_echoed_without_the_key(fake, fake_transport, tmp_path):
    from tests.commands.test_finetune import write_train

    train = write_train(tmp_path / "train.jsonl")
    argv = [
        "finetune",
        "run",
        str(train),
        "-m",
        MODEL,
        "--wandb-project",
        "tickets",
        "--wandb-name",
        "nightly",
        "--wandb-run-name",
        "run-7",
        "--json",
    ]
    result = invoke(argv, ctx(fake_transport, WANDB_API_KEY=WANDB_KEY))
    assert result.exit_code == 0, result.stderr
    body = fake.requests_to(CREATE)[0].json()
    assert body["integrations"] == [
        {
            "type": "wandb",
            "project": "tickets",
            "api_key": WANDB_KEY,
            "name": "nightly",
            "run_name": "run-7",
        }
    ]
    job = next(iter(ft(fake).jobs.values()))
    assert json.loads(result.stdout)["integrations"] == [
        {
            "type": "wandb",
            "project": "tickets",
            "name": "nightly",
            "run_name": "run-7",
            "url": f"https://wandb.ai/tickets/runs/{job.id[:8]}",
        }
    ]
    assert WANDB_KEY not in result.stdout + result.stderr
    shown = invoke(["finetune", "status", job.id], ctx(fake_transport))
    assert (
        "integration\twandb: project tickets, name nightly, run run-7, "
        f"https://wandb.ai/tickets/runs/{job.id[:8]}\n"
    ) in shown.stdout


def test_wandb_without_key_is_exit_2_naming_the_variable(fake, fake_transport, labelled):
    argv = ["finetune", "run", str(labelled), "-m", MODEL, "--wandb-project", "p"]
    result = invoke(argv, ctx(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: --wandb-project needs WANDB_API_KEY in the environment\n"
        "hint: export WANDB_API_KEY=… (your key from wandb.ai/authorize); it is never saved\n"
    )
    assert fake.requests == []


@pytest.mark.parametrize("flag", ["--wandb-name", "--wandb-run-name"])
def test_wandb_names_without_project_are_exit_2(fake, fake_transport, labelled, flag):
    result = invoke(
        ["finetune", "create", "-m", MODEL, "--train", str(labelled), flag, "x"],
        ctx(fake_transport, WANDB_API_KEY=WANDB_KEY),
    )
    assert result.exit_code == 2
    assert result.stderr == f"mistral: error: {flag} needs --wandb-project\n"


def test_wandb_key_of_another_length_warns_ft704(fake, fake_transport, tmp_path):
    from tests.commands.test_finetune import write_train

    train = write_train(tmp_path / "train.jsonl")
    argv = ["finetune", "create", "-m", MODEL, "--train", str(train), "--wandb-project", "p"]
    result = invoke(argv, ctx(fake_transport, WANDB_API_KEY="k" * 86))
    assert result.stderr.startswith(
        "mistral: warning: FT704 warning: W&B API key is 86 characters; the API expects 40 "
        "[/integrations/0/api_key]\n"
    )
    assert result.exit_code == 4  # the spec wants exactly 40: the API answers 422
    assert "k" * 86 not in result.stderr
