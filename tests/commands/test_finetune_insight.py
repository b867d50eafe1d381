"""`finetune status` and `finetune checkpoints`: values as the server gave them, `-` for null."""

from __future__ import annotations

import json
import re

import tests.fakes.files
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from mistral_cli.api.schemas.finetune import Job
from tests.commands.test_finetune import MODEL, ctx, ft
from tests.fakes import FakeMistral
from tests.fakes.files import FilesFake
from tests.fakes.finetune import FakeJob
from tests.support import invoke, make_context

NONE = re.compile(r"\bNone\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _job(fake: FakeMistral, status: str, *, validation: bool = False, **body: object) -> FakeJob:
    files = fake.module(FilesFake)
    train = files.add("train.jsonl", b'{"messages": []}\n')
    document: dict[str, object] = {
        "model": MODEL,
        "training_files": [{"file_id": train.id, "weight": 1.0}],
        "hyperparameters": {"training_steps": 10, "epochs": None, "seq_len": None},
        "auto_start": True,
        **body,
    }
    if validation:
        document["validation_files"] = [files.add("val.jsonl", b'{"messages": []}\n').id]
    job = ft(fake).seed(document, status)
    job.created_at = 1_767_225_600  # 2026-01-01 00:00 UTC
    return job


def test_status_prints_hyperparameters_as_returned(fake, fake_transport):
    job = _job(fake, "RUNNING")
    result = invoke(["finetune", "status", job.id], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    train = job.body["training_files"][0]["file_id"]  # type: ignore[index]  # seeded above
    assert result.stdout == (
        f"id\t{job.id}\n"
        "status\tRUNNING\n"
        f"model\t{MODEL}\n"
        "job type\tcompletion\n"
        "fine-tuned model\t-\n"
        "created\t2026-01-01 00:00\n"
        f"training files\t{train}\n"
        "hyperparameters\ttraining_steps: 10, learning_rate: 0.0001, weight_decay: 0.1, "
        "warmup_fraction: 0.05, epochs: -, seq_len: -, fim_ratio: 0.9\n"
        "estimated cost\t$2.50\n"
    )
    assert result.stderr == ""
    assert not NONE.search(result.stdout + result.stderr)


def test_status_on_success_names_the_model_and_the_next_command(fake, fake_transport):
    job = _job(fake, "SUCCESS")
    result = invoke(["finetune", "status", job.id], ctx(fake_transport))
    assert f"fine-tuned model\t{job.model_id()}\n" in result.stdout
    assert result.stderr == f'next: mistral chat -m {job.model_id()} "Hello!"\n'


def test_classifier_status_on_success_suggests_classify(fake, fake_transport):
    target = {"name": "mood", "labels": ["sad", "happy"], "loss_function": "single_class"}
    job = _job(fake, "SUCCESS", job_type="classifier", classifier_targets=[target])
    job.body["hyperparameters"] = {"training_steps": 10}
    result = invoke(["finetune", "status", job.id], ctx(fake_transport))
    assert "classifier target\tmood: single_class, weight 1.0, labels sad, happy\n" in (
        result.stdout
    )
    assert result.stderr == f'next: mistral classify -m {job.model_id()} "text to classify"\n'


def test_status_events_show_data_as_json(fake, fake_transport):
    job = _job(fake, "RUNNING")
    job.events = [
        {"name": "status-updated", "data": {"status": "RUNNING", "error": None}, "created_at": 0},
        {"name": "validation-started", "created_at": 60},
    ]
    result = invoke(["finetune", "status", job.id, "--events"], ctx(fake_transport))
    assert result.stdout.endswith(
        '1970-01-01 00:00\tstatus-updated\t{"status": "RUNNING", "error": null}\n'
        "1970-01-01 00:01\tvalidation-started\n"
    )
    assert not NONE.search(result.stdout)


def test_checkpoints_piped_are_tsv_by_step(fake, fake_transport):
    job = _job(fake, "RUNNING", validation=True)
    job.checkpoints = [
        {"metrics": {"train_loss": 0.1, "valid_loss": 0.11, "valid_mean_token_accuracy": 0.9},
         "step_number": 20, "created_at": 1_767_225_720},
        {"metrics": {"train_loss": 0.2, "valid_loss": None, "valid_mean_token_accuracy": None},
         "step_number": 10, "created_at": 1_767_225_660},
    ]  # fmt: skip
    result = invoke(["finetune", "checkpoints", job.id], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "10\t0.2\t-\t-\t2026-01-01 00:01\n20\t0.1\t0.11\t0.9\t2026-01-01 00:02\n"
    )
    assert result.stderr == ""


def test_checkpoints_table_on_a_terminal(fake, fake_transport):
    job = _job(fake, "RUNNING", validation=True)
    job.advance()
    job.follow(("RUNNING", "RUNNING"))  # one checkpoint now, one at the next GET
    actx = make_context(fake_transport, tty=True, environ={"MISTRAL_NO_DEPRECATION_NOTICE": "1"})
    result = invoke(["finetune", "checkpoints", job.id], actx)
    shown = ANSI.sub("", result.stdout).splitlines()
    header = shown[0].split()
    assert header == ["STEP", "TRAIN", "LOSS", "VALID", "LOSS", "VALID", "MEAN", "TOKEN",
                      "ACCURACY", "CREATED"]  # fmt: skip
    assert shown[2].split()[:4] == ["10", "0.2", "0.22", "0.9"]


def test_checkpoints_json_is_the_api_list(fake, fake_transport):
    job = _job(fake, "RUNNING")
    job.checkpoints = [
        {"metrics": {"train_loss": 0.1}, "step_number": 20, "created_at": 2},
        {"metrics": {"train_loss": 0.2}, "step_number": 10, "created_at": 1},
    ]
    result = invoke(["finetune", "checkpoints", job.id, "--json"], ctx(fake_transport))
    assert json.loads(result.stdout) == {
        "object": "list",
        "job_id": job.id,
        "data": [
            {"metrics": {"train_loss": 0.2}, "step_number": 10, "created_at": 1},
            {"metrics": {"train_loss": 0.1}, "step_number": 20, "created_at": 2},
        ],
    }


def test_no_checkpoints_yet(fake, fake_transport):
    job = _job(fake, "QUEUED")
    result = invoke(["finetune", "checkpoints", job.id], ctx(fake_transport))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"job {job.id} has no checkpoints yet (QUEUED)\n"


def test_unknown_job_checkpoints_exit_4(fake, fake_transport):
    result = invoke(
        ["finetune", "checkpoints", "00000000-0000-4000-8000-000000000000"], ctx(fake_transport)
    )
    assert result.exit_code == 4


def test_json_never_shows_an_integration_key_a_server_echoes():
    job = Job.model_validate(
        {
            "id": "j1",
            "integrations": [{"type": "wandb", "project": "p", "api_key": "k" * 40}, "odd"],
        }
    )
    assert job.wire()["integrations"] == [{"type": "wandb", "project": "p"}, "odd"]
    assert job.integrations[0].project == "p"


def test_waiting_on_a_parked_job_says_how_to_start_it(fake, fake_transport):
    job = _job(fake, "VALIDATED", auto_start=False)
    job.script = ("VALIDATED", "VALIDATED", "CANCELLED")
    result = invoke(["finetune", "wait", job.id], ctx(fake_transport))
    assert result.exit_code == 9
    assert result.stderr.count("waits at VALIDATED") == 1
    assert (
        f"mistral: warning: job {job.id} waits at VALIDATED until it is started: mistral finetune "
        f"start {job.id} --wait (or cancel it: mistral finetune cancel {job.id})\n"
    ) in result.stderr
