"""`mistral finetune` in-process against the fake: run, start, status --wait, list, cancel."""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import pytest

import tests.fakes.files
import tests.fakes.finetune  # noqa: F401  # registers the fine-tuning routes
from mistral_cli.context import AppContext
from mistral_cli.errors import Interrupted
from mistral_cli.output import Output
from tests.fakes import FakeMistral, Fault
from tests.fakes.files import FilesFake
from tests.fakes.finetune import FineTuneFake
from tests.support import Sleeps, invoke, make_context, no_jitter

MODEL = "ministral-8b-latest"
CLOCK = re.compile(r"^\[\d\d:\d\d:\d\d\] ", re.M)


def write_train(path: Path, count: int = 12) -> Path:
    lines = [
        {
            "messages": [
                {"role": "user", "content": f"What is {n} + {n}?"},
                {"role": "assistant", "content": f"{n} + {n} = {2 * n}."},
            ]
        }
        for n in range(count)
    ]
    return write_jsonl(path, lines)


def write_jsonl(path: Path, samples: list[dict[str, object]]) -> Path:
    """Write one JSON object a line (UTF-8) and return the path."""
    path.write_text("".join(json.dumps(sample) + "\n" for sample in samples), encoding="utf-8")
    return path


@pytest.fixture
def train(tmp_path: Path) -> Path:
    return write_train(tmp_path / "train.jsonl")


def ctx(
    transport: object,
    sleep: Sleeps | None = None,
    *,
    rand: Callable[[], float] = no_jitter,
    **env: str,
):
    environ = {**os.environ, "MISTRAL_NO_DEPRECATION_NOTICE": "1", **env}
    return make_context(transport, env=env, environ=environ, sleep=sleep or Sleeps(), rand=rand)


def ft(fake: FakeMistral) -> FineTuneFake:
    return fake.module(FineTuneFake)


def plain(text: str) -> str:
    return CLOCK.sub("", text)


def test_run_success_prints_model_id_last(fake, fake_transport, train):
    result = invoke(
        ["finetune", "run", str(train), "-m", MODEL, "--steps", "10"], ctx(fake_transport)
    )
    assert result.exit_code == 0, result.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert result.stdout == f"{job.model_id()}\n"
    body = fake.requests_to("POST /v1/fine_tuning/jobs")[0].json()
    assert body["auto_start"] is False
    assert body["hyperparameters"] == {"training_steps": 10}
    file_id = fake.module(FilesFake).live()[0].id
    assert plain(result.stderr) == (
        f"{train}: ok (12 examples, ~207 tokens)\n"
        f"uploaded {train} as {file_id}\n"
        f"created job {job.id} (QUEUED)\n"
        "QUEUED → VALIDATING\n"
        "event validation-started\n"
        "VALIDATING → VALIDATED\n"
        "estimate: cost $2.50, ~10 min, 4.29 epochs\n"
        f"started job {job.id} (QUEUED)\n"
        "QUEUED → RUNNING\n"
        "checkpoint step 10: train_loss 0.2\n"
        "checkpoint step 20: train_loss 0.1\n"
        "RUNNING → SUCCESS\n"
        "checkpoint step 30: train_loss 0.0667\n"
        f'next: mistral chat -m {job.model_id()} "Hello!"\n'
    )
    assert not fake.requests_to(f"POST /v1/fine_tuning/jobs/{job.id}/cancel")


class StderrOutput(Output):
    """Output whose stderr survives an exception escaping CliRunner (Interrupted does)."""

    def __init__(self) -> None:
        super().__init__(tty=False)
        self.buffer = io.StringIO()

    @property
    def stderr(self) -> TextIO:
        return self.buffer


def interrupted(argv: list[str], context: AppContext) -> str:
    """Run argv expecting Interrupted; return what went to stderr."""
    out = StderrOutput()
    context.out = out
    with pytest.raises(Interrupted):
        invoke(argv, context)
    return out.buffer.getvalue()


class InterruptAfter(Sleeps):
    """A sleep that raises Interrupted (as the SIGINT handler does) on call number `n`."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def __call__(self, seconds: float) -> None:
        super().__call__(seconds)
        if len(self.calls) >= self.n:
            raise Interrupted


def _running_job(fake: FakeMistral) -> str:
    stored = fake.module(FilesFake).add("t.jsonl", b"{}\n")
    body = {"model": MODEL, "training_files": [{"file_id": stored.id}], "hyperparameters": {}}
    return ft(fake).seed(body, "RUNNING").id


def test_ctrl_c_while_waiting_prints_resume_hint(fake, fake_transport):
    job_id = _running_job(fake)
    stderr = interrupted(["finetune", "wait", job_id], ctx(fake_transport, InterruptAfter(3)))
    assert plain(stderr).splitlines()[-1] == (
        f"job {job_id} is still RUNNING; resume: mistral finetune wait {job_id}; "
        f"cancel: mistral finetune cancel {job_id}"
    )
    assert not fake.requests_to(f"POST /v1/fine_tuning/jobs/{job_id}/cancel")


def test_cancel_on_interrupt_sends_one_cancel(fake, fake_transport):
    job_id = _running_job(fake)
    argv = ["finetune", "status", job_id, "--wait", "--cancel-on-interrupt"]
    stderr = interrupted(argv, ctx(fake_transport, InterruptAfter(1)))
    assert len(fake.requests_to(f"POST /v1/fine_tuning/jobs/{job_id}/cancel")) == 1
    # the last line follows the cancelled job; it no longer says to resume or cancel it
    assert plain(stderr).splitlines()[-1] == (
        f"job {job_id}: cancellation requested (CANCELLATION_REQUESTED); follow it: "
        f"mistral finetune status {job_id}"
    )


def test_cancel_on_interrupt_that_fails_keeps_the_resume_line(fake, fake_transport):
    job_id = _running_job(fake)
    fake.inject(f"POST /v1/fine_tuning/jobs/{job_id}/cancel", Fault.status(404))
    argv = ["finetune", "status", job_id, "--wait", "--cancel-on-interrupt"]
    stderr = interrupted(argv, ctx(fake_transport, InterruptAfter(1)))
    assert plain(stderr).splitlines()[-1] == (
        f"job {job_id} is still RUNNING; resume: mistral finetune wait {job_id}; "
        f"cancel: mistral finetune cancel {job_id}"
    )


def test_wait_polls_with_backoff_and_env_interval(fake, fake_transport):
    job_id = _running_job(fake)
    ft(fake).jobs[job_id].script = ("RUNNING",) * 4 + ("SUCCESS",)
    sleeps = Sleeps()
    jitter = iter([0.0, 1.0, 0.5])  # rand() at the bottom, the top, the middle of its range
    result = invoke(["finetune", "wait", job_id], ctx(fake_transport, sleeps, rand=jitter.__next__))
    assert result.exit_code == 0, result.stderr
    # four polls (each GET advances one step): 5 s x1.5 each time, then ±20 % jitter
    assert sleeps.calls == [5.0 * 0.8, 7.5 * 1.2, 11.25]
    fast = Sleeps()
    job_id = _running_job(fake)
    ft(fake).jobs[job_id].script = ("RUNNING", "RUNNING", "SUCCESS")
    result = invoke(
        ["finetune", "wait", job_id], ctx(fake_transport, fast, MISTRAL_POLL_INTERVAL="0.5")
    )
    assert fast.calls == [0.5]


def test_timeout_counts_slept_time(fake, fake_transport):
    job_id = _running_job(fake)
    argv = ["finetune", "wait", job_id, "--timeout", "30s", "--cancel-on-timeout"]
    result = invoke(argv, ctx(fake_transport))
    assert (result.exit_code, result.stdout, plain(result.stderr)) == (
        124,
        "",
        f"job {job_id} is RUNNING\n"
        f"job {job_id}: cancellation requested (CANCELLATION_REQUESTED); follow it: "
        f"mistral finetune status {job_id}\n"
        f"mistral: error: job {job_id} is still RUNNING after 30 s\n",
    )
    assert len(fake.requests_to(f"POST /v1/fine_tuning/jobs/{job_id}/cancel")) == 1


def test_unknown_status_warns_once_and_keeps_polling(fake, fake_transport, train):
    ft(fake).ending = "PAUSED"
    result = invoke(["finetune", "run", str(train), "-m", MODEL], ctx(fake_transport))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("unknown job status 'PAUSED'; still polling") == 1


def test_lost_contact_after_ten_failed_polls(fake, fake_transport):
    job_id = _running_job(fake)
    fake.inject(f"GET /v1/fine_tuning/jobs/{job_id}", Fault.status(503), times=10)
    result = invoke(["finetune", "wait", job_id], ctx(fake_transport, MISTRAL_MAX_RETRIES="0"))
    failed = [f"Service unavailable (HTTP 503, request {r.request_id})" for r in fake.requests]
    assert (result.exit_code, result.stdout, result.stderr) == (
        6,
        "",
        "".join(
            f"mistral: poll failed ({failure}); {n} in a row, still trying\n"
            for n, failure in enumerate(failed[:9], start=1)
        )
        + f"mistral: error: lost contact with the API after 10 failed polls: {failed[9]}\n"
        + f"hint: the job may still run; resume: mistral finetune wait {job_id}\n",
    )


def test_estimate_only_and_dry_run(fake, fake_transport, train):
    result = invoke(
        ["finetune", "run", str(train), "-m", MODEL, "--estimate-only"], ctx(fake_transport)
    )
    assert result.exit_code == 0, result.stderr
    job = next(iter(ft(fake).jobs.values()))
    assert result.stdout == f"{job.id}\n"
    assert job.status == "VALIDATED"
    dry = invoke(
        ["finetune", "run", str(train), "-m", MODEL, "--dry-run", "--steps", "20"],
        ctx(fake_transport),
    )
    assert dry.exit_code == 0, dry.stderr
    assert "estimate: cost $2.50, ~20 min, 8.58 epochs" in plain(dry.stderr)
    assert fake.requests_to("POST /v1/fine_tuning/jobs")[-1].query == {"dry_run": ["true"]}
    assert len(ft(fake).jobs) == 1


def test_cancel_if_over_budget(fake, fake_transport, train):
    argv = [
        "finetune",
        "run",
        str(train),
        "-m",
        MODEL,
        "--max-cost",
        "2",
        "--cancel-if-over-budget",
    ]
    result = invoke(argv, ctx(fake_transport))
    assert result.exit_code == 11
    job = next(iter(ft(fake).jobs.values()))
    assert len(fake.requests_to(f"POST /v1/fine_tuning/jobs/{job.id}/cancel")) == 1


def test_invalid_data_exit_8_before_any_request(fake, fake_transport, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n' * 12)
    result = invoke(["finetune", "run", str(bad), "-m", MODEL], ctx(fake_transport))
    assert result.exit_code == 8
    assert fake.requests == []


def test_request_checks_before_upload(fake, fake_transport, train):
    result = invoke(
        ["finetune", "run", str(train), "-m", MODEL, "--hp", "n_epochs=3"], ctx(fake_transport)
    )
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "mistral: error: FT703: unknown hyperparameter 'n_epochs'\n"
        "hint: known: epochs, fim_ratio, learning_rate, seq_len, training_steps, "
        "warmup_fraction, weight_decay\n",
    )
    assert not fake.requests_to("POST /v1/files")


def test_create_and_start_job(fake, fake_transport, train):
    created = invoke(
        ["finetune", "create", "-m", MODEL, "--train", str(train)], ctx(fake_transport)
    )
    assert created.exit_code == 0, created.stderr
    job_id = created.stdout.strip()
    assert fake.requests_to("POST /v1/fine_tuning/jobs")[0].json()["auto_start"] is False
    for _ in range(2):
        invoke(["finetune", "status", job_id, "--json"], ctx(fake_transport))
    started = invoke(["finetune", "start", job_id, "--wait"], ctx(fake_transport))
    assert started.exit_code == 0, started.stderr
    assert started.stdout == f"{ft(fake).jobs[job_id].model_id()}\n"


def test_list_and_status_tables(fake, fake_transport):
    job_id = _running_job(fake)
    job = ft(fake).jobs[job_id]
    job.created_at = 1_780_000_000
    created = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
    listed = invoke(["finetune", "list", "--status", "running"], ctx(fake_transport))
    assert (listed.exit_code, listed.stdout, listed.stderr) == (
        0,
        f"{job_id}\tRUNNING\t{MODEL}\t\t{created}\n",
        "",
    )
    shown = invoke(["finetune", "status", job_id], ctx(fake_transport))
    files = job.body["training_files"][0]["file_id"]
    assert (shown.exit_code, shown.stdout, shown.stderr) == (
        0,
        f"id\t{job_id}\nstatus\tRUNNING\nmodel\t{MODEL}\njob type\tcompletion\n"
        f"fine-tuned model\t-\ncreated\t{created}\ntraining files\t{files}\n"
        "hyperparameters\ttraining_steps: -, learning_rate: 0.0001, weight_decay: 0.1, "
        "warmup_fraction: 0.05, epochs: -, seq_len: -, fim_ratio: 0.9\n"
        "estimated cost\t$2.50\n",
        "",
    )


def test_list_route_gone_exit_1(fake, fake_transport):
    fake.inject("GET /v1/fine_tuning/jobs", Fault.status(404))
    result = invoke(["finetune", "list"], ctx(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "mistral: error: the fine-tuning job routes are gone from this server "
        f"(Not found (HTTP 404, request {fake.requests[-1].request_id}))\n"
        "hint: the API is deprecated upstream; it may have been withdrawn\n",
    )


def test_validate_github_format(tmp_path, fake, fake_transport):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    result = invoke(["finetune", "validate", str(bad), "--format", "github"], ctx(fake_transport))
    assert result.exit_code == 8
    assert result.stdout.startswith(f"::error file={bad},line=1,title=FT204::")
    assert fake.requests == []
