"""The installed `mistral finetune` against the loopback fake: the exit-code matrix and CI flow."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

import tests.fakes.files
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from tests.commands.test_finetune import MODEL, plain, write_train
from tests.e2e.conftest import mistral_executable, search_path
from tests.fakes import FakeMistral, Fault
from tests.fakes.files import FilesFake
from tests.fakes.finetune import FineTuneFake

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(fake, fake_server, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    return {
        "PATH": search_path(),
        "HOME": str(home),
        "MISTRAL_API_KEY": fake.api_key,
        "MISTRAL_BASE_URL": fake_server.base_url,
        "MISTRAL_CONFIG_DIR": str(home / "config"),
        "MISTRAL_CACHE_DIR": str(home / "cache"),
        "MISTRAL_DATA_DIR": str(home / "data"),
        "MISTRAL_POLL_INTERVAL": "0.01",
        "NO_COLOR": "1",
    }


@pytest.fixture
def train(tmp_path: Path) -> Path:
    return write_train(tmp_path / "train.jsonl")


def mistral(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [mistral_executable(), *args],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def ft(fake: FakeMistral) -> FineTuneFake:
    return fake.module(FineTuneFake)


RUN = ("finetune", "run", "-m", MODEL, "--steps", "10")
DEPRECATED = "mistral: note: the fine-tuning API is deprecated upstream\n"


def test_full_run_exit_0_model_id_last_and_github_output(fake, env, train, tmp_path):
    github = tmp_path / "github_output"
    done = mistral(env, *RUN, str(train), GITHUB_OUTPUT=str(github))
    assert done.returncode == 0, done.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert done.stdout.splitlines()[-1] == job.model_id()
    assert done.stderr.startswith("mistral: note: the fine-tuning API is deprecated upstream\n")
    assert done.stderr.count("deprecated upstream") == 1
    assert github.read_text() == (
        f"job_id={job.id}\nstatus=SUCCESS\nfine_tuned_model={job.model_id()}\n"
    )
    assert "\x1b[" not in done.stdout + done.stderr


def test_deprecation_notice_silenced(env, train):
    done = mistral(env, *RUN, str(train), MISTRAL_NO_DEPRECATION_NOTICE="1")
    assert done.returncode == 0, done.stderr
    assert "deprecated" not in done.stderr


def test_bad_flags_exit_2(env, train):
    assert mistral(env, *RUN, str(train), "--steps", "many").returncode == 2
    missing = mistral(env, "finetune", "run", str(train))
    assert missing.returncode == 2
    assert "--model is required" in missing.stderr


def test_wrong_key_exit_3(env, train):
    done = mistral(env, "finetune", "list", MISTRAL_API_KEY="sk-wrong")
    assert done.returncode == 3
    assert "sk-wrong" not in done.stdout + done.stderr


def _twin(fake: FakeMistral) -> tuple[str, str]:
    stored = fake.module(FilesFake).add("train.jsonl", b'{"messages": []}\n')
    body = {
        "model": MODEL,
        "training_files": [{"file_id": stored.id, "weight": 1.0}],
        "hyperparameters": {"training_steps": 10},
        "auto_start": True,
    }
    job = ft(fake).seed(body, "RUNNING")
    job.script = ("RUNNING", "SUCCESS")
    return stored.id, job.id


def test_conflict_exit_4_names_the_job(fake, env):
    file_id, job_id = _twin(fake)
    done = mistral(env, *RUN, file_id)
    (conflict,) = fake.requests_to("POST /v1/fine_tuning/jobs")
    assert (done.returncode, done.stdout, done.stderr) == (
        4,
        "",
        f"{DEPRECATED}mistral: error: a similar job is already queued, validated or running: "
        f"{job_id} (RUNNING) (HTTP 409, request {conflict.request_id})\n"
        "hint: rerun the same command with --attach to pick it up; follow it: mistral finetune "
        f"wait {job_id}; cancel it: mistral finetune cancel {job_id}\n",
    )


def test_conflict_with_attach_follows_the_job(fake, env):
    file_id, job_id = _twin(fake)
    done = mistral(env, *RUN, file_id, "--attach")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == ft(fake).jobs[job_id].model_id()
    assert f"attached to job {job_id}" in done.stderr
    assert not fake.requests_to("POST /v1/fine_tuning/jobs")


def test_unknown_job_exit_4(fake, env):
    done = mistral(env, "finetune", "status", "00000000-0000-4000-8000-000000000000")
    assert (done.returncode, done.stdout, done.stderr) == (
        4,
        "",
        f"{DEPRECATED}mistral: error: Job with id 00000000-0000-4000-8000-000000000000 not found "
        f"(HTTP 404, request {fake.requests[-1].request_id})\n"
        "hint: check the id: `mistral finetune list` shows what exists\n",
    )


def test_rate_limited_forever_exit_5(fake, env):
    fake.inject("GET /v1/fine_tuning/jobs", Fault.rate_limited("0"), times=2)
    done = mistral(env, "finetune", "list", MISTRAL_MAX_RETRIES="1")
    assert done.returncode == 5, done.stderr


@pytest.mark.parametrize(
    ("ending", "code"), [("FAILED", 7), ("FAILED_VALIDATION", 8), ("CANCELLED", 9)]
)
def test_job_endings(fake, env, train, ending, code):
    ft(fake).ending = ending
    done = mistral(env, *RUN, str(train))
    assert done.returncode == code, done.stderr
    assert f"ended {ending}" in done.stderr
    assert done.stdout == ""


def test_model_without_fine_tuning_exit_10(fake, env, train):
    done = mistral(env, *RUN[:2], "-m", "mistral-large-latest", str(train))
    assert done.returncode == 10
    assert not fake.requests_to("POST /v1/files")


def test_not_entitled_422_exit_10(fake, env, train):
    ft(fake).entitled = False
    done = mistral(env, *RUN, str(train))
    (stored,) = fake.module(FilesFake).files.values()
    assert (done.returncode, done.stdout, plain(done.stderr)) == (
        10,
        "",
        f"{DEPRECATED}{train}: ok (12 examples, ~207 tokens)\n"
        f"uploaded {train} as {stored.id}\n"
        f"mistral: error: fine-tuning {MODEL} is not available for this account: "
        "Model not available for this type of fine-tuning (completion). Available model(s):  "
        f"(HTTP 422, request {fake.requests[-1].request_id})\n"
        "hint: not a data problem: check the plan and the model (`mistral models list`)\n",
    )


def test_over_budget_exit_11_job_stays_validated(fake, env, train):
    done = mistral(env, *RUN, str(train), "--max-cost", "$1")
    assert done.returncode == 11, done.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert job.status == "VALIDATED"
    (stored,) = fake.module(FilesFake).files.values()
    assert (done.stdout, plain(done.stderr)) == (
        "",
        f"{DEPRECATED}{train}: ok (12 examples, ~207 tokens)\n"
        f"uploaded {train} as {stored.id}\n"
        f"created job {job.id} (QUEUED)\n"
        "QUEUED → VALIDATING\nevent validation-started\nVALIDATING → VALIDATED\n"
        "estimate: cost $2.50, ~10 min, 4.29 epochs\n"
        f"mistral: error: estimated cost $2.50 > --max-cost $1.00; job {job.id} waits at "
        "VALIDATED (nothing is spent until it starts)\n"
        f"hint: start it anyway: mistral finetune start {job.id} --wait; cancel it: mistral "
        f"finetune cancel {job.id}; or rerun with a higher --max-cost and --attach to pick it up\n",
    )
    assert not fake.requests_to(f"POST /v1/fine_tuning/jobs/{job.id}/cancel")


def test_timeout_exit_124_no_cancel(fake, env, train):
    ft(fake).ending = "RUNNING"
    done = mistral(env, *RUN, str(train), "--timeout", "0.5s")
    assert done.returncode == 124, done.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert job.status == "RUNNING"
    assert not fake.requests_to(f"POST /v1/fine_tuning/jobs/{job.id}/cancel")


def test_sigint_while_waiting_exit_130_with_resume_hint(fake, env, train):
    ft(fake).ending = "RUNNING"
    process = subprocess.Popen(
        [mistral_executable(), *RUN, str(train)],
        env={**env, "MISTRAL_POLL_INTERVAL": "0.05"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen = []  # until the CLI itself says the job runs: then it is polling, the hint known
    for line in process.stderr:
        seen.append(line)
        if line.rstrip().endswith("→ RUNNING"):
            break
    else:
        pytest.fail(f"the run ended without reaching RUNNING: {''.join(seen)}")
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    job_id = next(iter(ft(fake).jobs))
    assert (
        f"job {job_id} is still RUNNING; resume: mistral finetune wait {job_id}; "
        f"cancel: mistral finetune cancel {job_id}"
    ) in err
    assert not fake.requests_to(f"POST /v1/fine_tuning/jobs/{job_id}/cancel")


CI_SCRIPT = """set -e
mistral finetune validate train.jsonl
mistral finetune upload train.jsonl
mistral finetune start -m {model} --train train.jsonl --steps 10 --wait
"""


@pytest.mark.parametrize(("ending", "code"), [("SUCCESS", 0), ("FAILED", 7)])
def test_three_line_ci_script(fake, env, train, ending, code):
    ft(fake).ending = ending
    done = subprocess.run(
        ["bash", "-c", CI_SCRIPT.format(model=MODEL)],
        check=False,
        env=env,
        cwd=train.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code, done.stderr
    assert fake.module(FilesFake).uploads == 1  # the start step reused the upload
    if code == 0:
        assert done.stdout.splitlines()[-1] == next(iter(ft(fake).jobs.values())).model_id()


def test_status_jsonl_events(fake, env, train):
    ft(fake).ending = "SUCCESS"
    done = mistral(env, *RUN, str(train), "--jsonl")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(e["schema_version"] == 1 for e in events)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "file.validated"
    assert "file.uploaded" in kinds
    assert "job.estimate" in kinds
    assert "job.checkpoint" in kinds
    assert events[-1]["type"] == "job.final"
    assert events[-1]["status"] == "SUCCESS"
    assert events[-1]["exit_code"] == 0


def test_wandb_key_never_shown_even_with_debug(fake, env, train):
    key = "wandb0" + "k" * 34
    done = mistral(
        env,
        "--debug",
        "finetune",
        "create",
        "-m",
        MODEL,
        "--train",
        str(train),
        "--wandb-project",
        "tickets",
        "--json",
        WANDB_API_KEY=key,
    )
    assert done.returncode == 0, done.stderr
    sent = fake.requests_to("POST /v1/fine_tuning/jobs")[0].json()
    assert sent["integrations"][0]["api_key"] == key
    assert '"api_key":"****"' in done.stderr  # the traced request body
    assert key not in done.stdout + done.stderr
    assert json.loads(done.stdout)["integrations"][0]["project"] == "tickets"


def test_rerun_after_over_budget_attaches_and_trains(fake, env, train, tmp_path):
    github = tmp_path / "github_output"
    over = mistral(env, *RUN, str(train), "--max-cost", "1")
    assert over.returncode == 11, over.stderr
    refused = mistral(env, *RUN, str(train), "--max-cost", "1")
    assert refused.returncode == 4
    assert "rerun the same command with --attach" in refused.stderr
    done = mistral(
        env, *RUN, str(train), "--max-cost", "3", "--attach", "--json", GITHUB_OUTPUT=str(github)
    )
    assert done.returncode == 0, done.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert json.loads(done.stdout)["fine_tuned_model"] == job.model_id()
    assert github.read_text() == (
        f"job_id={job.id}\nstatus=SUCCESS\nfine_tuned_model={job.model_id()}\n"
    )
