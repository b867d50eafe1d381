"""Budgets in USD, the exit-11 → rerun → --attach flow, named 409s, --since, CI handoff files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tests.fakes.files
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from tests.commands.test_finetune import MODEL, ctx, ft, write_train
from tests.fakes import FakeMistral
from tests.fakes.files import FilesFake
from tests.support import invoke

CREATE = "POST /v1/fine_tuning/jobs"
RUN = ("finetune", "run", "-m", MODEL, "--steps", "10")


@pytest.fixture
def train(tmp_path: Path) -> Path:
    return write_train(tmp_path / "train.jsonl")


def errors(stderr: str) -> list[str]:
    """The error line and its hint (the last two lines of stderr)."""
    return stderr.splitlines()[-2:]


@pytest.mark.parametrize(
    "argv",
    [
        ["finetune", "run", "train.jsonl", "-m", MODEL, "--max-cost", "20EUR"],
        ["finetune", "start", "-m", MODEL, "--train", "train.jsonl", "--max-cost", "20EUR"],
        ["finetune", "start", "00000000-0000-4000-8000-000000000000", "--max-cost", "20EUR"],
        ["finetune", "create", "-m", MODEL, "--train", "train.jsonl", "--max-cost", "20EUR"],
    ],
)
def test_a_budget_in_another_currency_is_exit_2(fake, fake_transport, train, argv):
    result = invoke(argv, ctx(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        "mistral: error: --max-cost '20EUR': estimates are in USD; give the amount in USD\n"
        "hint: e.g. --max-cost 5 or --max-cost 0.50 (US dollars)\n"
    )
    assert fake.requests == []


@pytest.mark.parametrize(
    ("flag", "stderr"),
    [
        (
            ["--max-cost", "20EUR"],
            "mistral: error: --max-cost '20EUR': estimates are in USD; give the amount in USD\n"
            "hint: e.g. --max-cost 5 or --max-cost 0.50 (US dollars)\n",
        ),
        (
            ["--timeout", "soon"],
            "mistral: error: --timeout expects a duration, got 'soon'\n"
            "hint: e.g. --timeout 90s, 15m, 6h, 2d or 1h30m (a bare number is seconds)\n",
        ),
    ],
)
def test_run_checks_its_values_before_anything_else(fake, fake_transport, train, flag, stderr):
    # no --model, and a W&B project without its key: the bad value is still the one error
    argv = ["finetune", "run", str(train), "--wandb-project", "p", *flag]
    result = invoke(argv, ctx(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
    assert fake.requests == []


@pytest.mark.parametrize("amount", ["3", "$3", "3USD", "3 usd", "US$3"])
def test_usd_amounts_in_every_form(fake, fake_transport, train, amount):
    result = invoke([*RUN, str(train), "--max-cost", amount], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr


def test_an_estimate_in_another_currency_is_exit_11_naming_both(fake, fake_transport, train):
    ft(fake).currency = "EUR"
    result = invoke([*RUN, str(train), "--max-cost", "100"], ctx(fake_transport))
    assert result.exit_code == 11
    job = next(iter(ft(fake).jobs.values()))
    assert errors(result.stderr)[0] == (
        "mistral: error: the estimate is in EUR (€2.50), --max-cost in USD: not compared; "
        f"job {job.id} waits at VALIDATED (nothing is spent until it starts)"
    )
    assert not fake.requests_to(f"POST /v1/fine_tuning/jobs/{job.id}/start")


def test_max_cost_setting_is_the_budget_when_no_flag(fake, fake_transport, train):
    result = invoke([*RUN, str(train)], ctx(fake_transport, MISTRAL_MAX_COST="1"))
    assert result.exit_code == 11
    job = next(iter(ft(fake).jobs.values()))
    assert errors(result.stderr) == [
        "mistral: error: estimated cost $2.50 > MISTRAL_MAX_COST $1.00; "
        f"job {job.id} waits at VALIDATED (nothing is spent until it starts)",
        f"hint: start it anyway: mistral finetune start {job.id} --wait; cancel it: mistral "
        f"finetune cancel {job.id}; or rerun with a higher MISTRAL_MAX_COST and --attach to "
        "pick it up",
    ]


def test_the_rerun_after_exit_11_is_named_and_attach_picks_the_job_up(fake, fake_transport, train):
    over = invoke([*RUN, str(train), "--max-cost", "1"], ctx(fake_transport))
    assert over.exit_code == 11
    job = next(iter(ft(fake).jobs.values()))
    assert job.status == "VALIDATED"

    again = invoke([*RUN, str(train), "--max-cost", "1"], ctx(fake_transport))
    assert again.exit_code == 4
    request = fake.requests_to(CREATE)[-1].request_id
    assert errors(again.stderr) == [
        "mistral: error: a similar job is already queued, validated or running: "
        f"{job.id} (VALIDATED) (HTTP 409, request {request})",
        "hint: rerun the same command with --attach to pick it up; start it: mistral finetune "
        f"start {job.id} --wait; cancel it: mistral finetune cancel {job.id}",
    ]

    attached = invoke([*RUN, str(train), "--max-cost", "5", "--attach"], ctx(fake_transport))
    assert attached.exit_code == 0, attached.stderr
    assert attached.stdout == f"{job.model_id()}\n"
    assert f"attached to job {job.id} (VALIDATED)" in attached.stderr
    assert len(ft(fake).jobs) == 1
    assert len(fake.requests_to(CREATE)) == 2  # the first run and the refused rerun


def _live(fake: FakeMistral, status: str, steps: int) -> tuple[str, str]:
    stored = fake.module(FilesFake).add("train.jsonl", b'{"messages": []}\n')
    body = {
        "model": MODEL,
        "training_files": [{"file_id": stored.id, "weight": 1.0}],
        "hyperparameters": {"training_steps": steps},
        "auto_start": True,
    }
    return stored.id, ft(fake).seed(body, status).id


def test_a_409_for_another_request_names_the_job_and_how_to_follow_it(fake, fake_transport):
    file_id, job_id = _live(fake, "RUNNING", steps=10)
    ft(fake).jobs[job_id].same_request = lambda body: True  # type: ignore[method-assign]  # the server's "similar" is broader
    result = invoke([*RUN[:4], "--steps", "20", file_id], ctx(fake_transport))
    assert result.exit_code == 4
    assert errors(result.stderr)[1] == (
        f"hint: follow it: mistral finetune wait {job_id}; "
        f"cancel it: mistral finetune cancel {job_id}"
    )


def test_a_409_when_no_live_job_of_mine_is_found(fake, fake_transport):
    file_id, job_id = _live(fake, "RUNNING", steps=10)
    ft(fake).jobs[job_id].created_by_me = False
    result = invoke([*RUN, file_id], ctx(fake_transport))
    assert result.exit_code == 4
    assert errors(result.stderr)[1] == (
        "hint: find it: mistral finetune list --mine; then follow it (mistral finetune wait JOB) "
        "or cancel it (mistral finetune cancel JOB)"
    )


def test_start_job_checks_an_explicit_budget_first(fake, fake_transport):
    _file_id, job_id = _live(fake, "VALIDATED", steps=10)
    over = invoke(["finetune", "start", job_id, "--max-cost", "2"], ctx(fake_transport))
    assert over.exit_code == 11
    assert errors(over.stderr)[1] == (
        f"hint: start it anyway: mistral finetune start {job_id} --wait; cancel it: mistral "
        f"finetune cancel {job_id}; or raise the budget: mistral finetune start {job_id} "
        "--max-cost AMOUNT"
    )
    assert not fake.requests_to(f"POST /v1/fine_tuning/jobs/{job_id}/start")
    # MISTRAL_MAX_COST guards unattended creation, not an explicit start of a known job
    started = invoke(["finetune", "start", job_id], ctx(fake_transport, MISTRAL_MAX_COST="1"))
    assert started.exit_code == 0, started.stderr
    assert started.stdout == f"{job_id}\n"


def test_create_with_a_budget_waits_for_the_estimate(fake, fake_transport, train):
    argv = ["finetune", "create", "-m", MODEL, "--train", str(train)]
    within = invoke([*argv, "--max-cost", "3"], ctx(fake_transport))
    assert within.exit_code == 0, within.stderr
    job = ft(fake).jobs[within.stdout.strip()]
    assert job.status == "VALIDATED"
    assert "estimate: cost $2.50" in within.stderr
    over = invoke([*argv, "--steps", "5", "--max-cost", "2"], ctx(fake_transport))
    assert over.exit_code == 11
    auto = [*argv, "--steps", "7", "--max-cost", "3", "--auto-start"]
    started = invoke(auto, ctx(fake_transport))
    assert started.exit_code == 0, started.stderr
    body = fake.requests_to(CREATE)[-1].json()
    assert body["auto_start"] is False  # started by /start once the estimate fits
    job_id = started.stdout.strip()
    assert len(fake.requests_to(f"POST /v1/fine_tuning/jobs/{job_id}/start")) == 1


# ---------------------------------------------------------------- --since


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("2025-01-01", "2025-01-01T00:00:00"),
        ("2025-01-01T08:30", "2025-01-01T08:30:00"),
        ("2025-01-01 08:30:15", "2025-01-01T08:30:15"),
        ("2025-01-01T08:30:00+02:00", "2025-01-01T06:30:00"),
        ("2025-01-01T08:30:00Z", "2025-01-01T08:30:00"),
    ],
)
def test_since_sends_an_iso_date_time(fake, fake_transport, given, sent):
    result = invoke(["finetune", "list", "--since", given], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert fake.requests_to("GET /v1/fine_tuning/jobs")[0].query["created_after"] == [sent]


def test_since_an_age(monkeypatch):
    from mistral_cli.services.finetune.jobs import since_param

    now = 1_767_225_600.0  # 2026-01-01T00:00:00Z
    assert since_param("7d", now) == "2025-12-25T00:00:00"
    assert since_param("1h30m", now) == "2025-12-31T22:30:00"


def test_since_filters_on_the_fake(fake, fake_transport):
    _file_id, job_id = _live(fake, "RUNNING", steps=10)
    ft(fake).jobs[job_id].created_at = 1_735_725_600  # 2025-01-01T10:00:00Z
    kept = invoke(["finetune", "list", "--since", "2025-01-01"], ctx(fake_transport))
    assert kept.stdout.startswith(job_id)
    gone = invoke(["finetune", "list", "--since", "2025-01-01T11:00"], ctx(fake_transport))
    assert gone.stdout == ""


def test_since_unreadable_is_exit_2(fake, fake_transport):
    result = invoke(["finetune", "list", "--since", "last week"], ctx(fake_transport))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-2:] == [
        "mistral: error: --since expects a date, a date-time or an age, got 'last week'",
        "hint: e.g. --since 2025-01-01, --since 2025-01-01T12:00 or --since 7d (UTC)",
    ]
    assert not fake.requests_to("GET /v1/fine_tuning/jobs")


# ---------------------------------------------------------------- handoff files


def test_output_model_written_on_success(fake, fake_transport, train, tmp_path):
    target = tmp_path / "model.txt"
    result = invoke([*RUN, str(train), "--output-model", str(target)], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert target.read_text() == f"{job.model_id()}\n"


def test_output_model_existing_is_exit_2_before_any_work(fake, fake_transport, train, tmp_path):
    target = tmp_path / "model.txt"
    target.write_text("old\n")
    result = invoke([*RUN, str(train), "--output-model", str(target)], ctx(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: {target} already exists\nhint: pass --force to overwrite it\n"
    )
    assert fake.requests == []
    forced = [*RUN, str(train), "--output-model", str(target), "--force"]
    assert invoke(forced, ctx(fake_transport)).exit_code == 0
    assert target.read_text().startswith("ft:")


def test_output_model_not_written_when_the_job_fails(fake, fake_transport, train, tmp_path):
    ft(fake).ending = "FAILED"
    target = tmp_path / "model.txt"
    result = invoke([*RUN, str(train), "--output-model", str(target)], ctx(fake_transport))
    assert result.exit_code == 7
    assert not target.exists()


def test_state_file_in_a_missing_folder_is_exit_2_before_any_work(
    fake, fake_transport, train, tmp_path
):
    state = tmp_path / "nowhere" / "state.json"
    result = invoke([*RUN, str(train), "--state-file", str(state)], ctx(fake_transport))
    assert result.exit_code == 2
    assert result.stderr == (
        f"mistral: error: cannot write {state}: there is no folder {state.parent}\n"
    )
    assert fake.requests == []


def test_state_file_write_error_is_exit_1_naming_the_file(fake, fake_transport, train, tmp_path):
    state = tmp_path / "state.json"
    state.mkdir()  # a folder where the file should go: the write fails
    result = invoke([*RUN, str(train), "--state-file", str(state)], ctx(fake_transport))
    assert result.exit_code == 1
    job = next(iter(ft(fake).jobs.values()))
    assert result.stderr.splitlines()[-2:] == [
        f"mistral: error: cannot write {state}: is a directory",
        f"hint: job {job.id} exists (QUEUED): mistral finetune status {job.id}",
    ]


def test_state_file_written(fake, fake_transport, train, tmp_path):
    state = tmp_path / "state.json"
    result = invoke([*RUN, str(train), "--state-file", str(state)], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert json.loads(state.read_text()) == {"job_id": job.id, "status": "QUEUED", "model": MODEL}


def test_github_output_is_multi_line_safe(tmp_path):
    from mistral_cli.api.schemas.finetune import Job
    from mistral_cli.services.finetune.handoff import github_output

    target = tmp_path / "out"
    job = Job.model_validate(
        {"id": "j1", "status": "SUCCESS", "fine_tuned_model": "ft:x\nstatus=FAILED"}
    )
    github_output(str(target), job)
    lines = target.read_text().splitlines()
    assert lines[:2] == ["job_id=j1", "status=SUCCESS"]
    assert lines[2].startswith("fine_tuned_model<<ghadelimiter_")
    assert lines[3:] == ["ft:x", "status=FAILED", lines[2].split("<<")[1]]


def test_github_output_write_error_is_exit_1(tmp_path):
    from mistral_cli.api.schemas.finetune import Job
    from mistral_cli.fsio import WriteFailed
    from mistral_cli.services.finetune.handoff import github_output

    with pytest.raises(WriteFailed) as caught:
        github_output(str(tmp_path), Job.model_validate({"id": "j1"}))
    assert caught.value.message == f"cannot write $GITHUB_OUTPUT ({tmp_path}): is a directory"
    assert caught.value.exit_code == 1


def test_run_takes_wait_explicitly(fake, fake_transport, train):
    result = invoke([*RUN, str(train), "--wait"], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    no_wait = invoke([*RUN, "--steps", "11", str(train), "--no-wait"], ctx(fake_transport))
    assert no_wait.exit_code == 0, no_wait.stderr
    assert ft(fake).jobs[no_wait.stdout.strip()].status == "QUEUED"
