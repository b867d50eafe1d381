from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.fakes.batch import BatchFake
from tests.fakes.embeddings import embedding_vector
from tests.fakes.files import FilesFake
from tests.fakes.router import FakeMistral
from tests.support import Sleeps, invoke, make_context

TEXT = "alpha\n\nbeta\ngamma\ndelta\n"


def vec(text: str) -> list[float]:
    return list(embedding_vector(text, 1024))


def records(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def uploaded_lines(fake: FakeMistral) -> list[dict[str, object]]:
    (stored,) = [
        f for f in fake.module(FilesFake).files.values() if f.filename.startswith("embed-")
    ]
    return [json.loads(line) for line in stored.content.decode().splitlines()]


def submit(fake_transport: httpx.MockTransport, *argv: str) -> str:
    result = invoke(
        ["embed", "--batch", "--batch-size", "2", *argv], make_context(fake_transport), input=TEXT
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_embed_batch_uploads_requests_creates_the_job_and_prints_its_id(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    argv = ["embed", "--batch", "--batch-size", "2"]
    result = invoke(argv, make_context(fake_transport), input=TEXT)
    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    job = fake.module(BatchFake).jobs[job_id]
    assert (job.endpoint, job.model, job.status, job.total_requests) == (
        "/v1/embeddings",
        "mistral-embed",
        "QUEUED",
        2,
    )
    assert uploaded_lines(fake) == [
        {"custom_id": "1", "body": {"input": ["alpha", "beta"]}},
        {"custom_id": "4", "body": {"input": ["gamma", "delta"]}},
    ]
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"batch job {job_id} created: 4 inputs in 2 requests (")
    assert lines[0].endswith(" · 1 blank line skipped")
    assert lines[1] == (
        f"follow it with `mistral batch wait {job_id}`, then `mistral batch download {job_id}`"
    )
    assert not list(Path.cwd().glob("*.jsonl"))  # the request file is not left behind


def test_embed_batch_wait_writes_results_in_input_order(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    sleeps = Sleeps()
    actx = make_context(fake_transport, sleep=sleeps)
    argv = ["embed", "--batch", "--wait", "--batch-size", "2"]
    result = invoke(argv, actx, input=TEXT)
    assert result.exit_code == 0, result.stderr
    got = [(r["line"], r["embedding"]) for r in records(result.stdout)]
    assert got == [(1, vec("alpha")), (3, vec("beta")), (4, vec("gamma")), (5, vec("delta"))]
    assert sleeps.calls == [1.0]  # the fake moves one step per GET: RUNNING, then SUCCESS
    statuses = [line.split(": ")[1].split(" ·")[0] for line in result.stderr.splitlines()[1:3]]
    assert statuses == ["RUNNING", "SUCCESS"]
    assert result.stderr.endswith("4 inputs from 2 requests written\n")


def test_status_wait_download_and_list(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    job_id = submit(fake_transport, "--input-format", "text")
    status = invoke(["batch", "status", job_id], make_context(fake_transport))
    fields = dict(line.split("\t") for line in status.stdout.splitlines())
    assert fields["status"] == "RUNNING"  # every GET moves the fake one step
    assert fields["requests"] == "0/2"
    waited = invoke(["batch", "wait", job_id, "--json"], make_context(fake_transport))
    assert waited.exit_code == 0, waited.stderr
    assert json.loads(waited.stdout)["status"] == "SUCCESS"
    target = tmp_path / "v.csv"
    done = invoke(["batch", "download", job_id, "-o", str(target)], make_context(fake_transport))
    assert done.exit_code == 0, done.stderr
    rows = target.read_text().splitlines()
    assert [row.split(",")[0] for row in rows] == ["line", "1", "3", "4", "5"]
    raw = invoke(["batch", "download", job_id, "--raw"], make_context(fake_transport))
    assert sorted(r["custom_id"] for r in records(raw.stdout)) == ["1", "4"]
    listed = invoke(["batch", "list"], make_context(fake_transport))
    assert listed.stdout.split("\t")[:5] == [
        job_id,
        "SUCCESS",
        "mistral-embed",
        "/v1/embeddings",
        "2/2",
    ]


@pytest.mark.parametrize(("outcome", "code"), [("FAILED", 7), ("TIMEOUT_EXCEEDED", 7)])
def test_wait_exits_with_the_jobs_end(
    fake: FakeMistral, fake_transport: httpx.MockTransport, outcome: str, code: int
) -> None:
    fake.module(BatchFake).outcome = outcome
    job_id = submit(fake_transport)
    result = invoke(["batch", "wait", job_id], make_context(fake_transport))
    assert result.exit_code == code
    assert result.stderr.splitlines()[-2:] == [
        f"mistral: error: batch job {job_id} ended {outcome}: The job did not finish (x1)",
        f"hint: `mistral batch status {job_id}` shows the counts",
    ]


def test_cancel_then_wait_exits_9(fake: FakeMistral, fake_transport: httpx.MockTransport) -> None:
    job_id = submit(fake_transport)
    cancelled = invoke(["batch", "cancel", job_id, "--json"], make_context(fake_transport))
    assert json.loads(cancelled.stdout)["status"] == "CANCELLATION_REQUESTED"
    result = invoke(["batch", "wait", job_id], make_context(fake_transport))
    assert result.exit_code == 9


def test_wait_timeout_exits_124_and_the_job_runs_on(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = submit(fake_transport)
    result = invoke(["batch", "wait", job_id, "--timeout", "0.5"], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        124,
        "",
        f"batch job {job_id}: RUNNING · 0/2 requests\n"
        f"mistral: error: batch job {job_id} is still RUNNING after 0 s\n"
        f"hint: it runs on; `mistral batch wait {job_id}` continues waiting\n",
    )
    assert fake.module(BatchFake).jobs[job_id].status == "RUNNING"


def test_a_failed_request_names_the_first_line_not_embedded(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    fake.embeddings.max_inputs = 1  # the second request (two inputs) fails inside the job
    argv = ["embed", "--batch", "--wait", "--batch-size", "2"]
    result = invoke(argv, make_context(fake_transport), input="one\ntwo\nthree\n")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2] == (
        "mistral: error: line 1 and the lines after it were not embedded: the job's request "
        "failed (HTTP 400: Too many inputs in request, split into more batches.)"
    )
    fake.embeddings.max_inputs = 512


def test_download_without_manifest_points_to_raw(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    job_id = submit(fake_transport)
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    for manifest in (tmp_path / "home" / "data" / "batch").glob("*.manifest.jsonl"):
        manifest.unlink()
    result = invoke(["batch", "download", job_id], make_context(fake_transport))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"mistral: error: no manifest for batch job {job_id} in {tmp_path / 'home/data/batch'}\n"
        "hint: it was not created by `mistral embed --batch` or `mistral batch create` here; "
        "`mistral batch download JOB --raw` writes the output file as it is\n",
    )


@pytest.mark.parametrize("host", ["https://api.eu.mistral.ai", "https://api.us.mistral.ai/"])
def test_regional_hosts_are_refused_locally(
    fake: FakeMistral, fake_transport: httpx.MockTransport, host: str
) -> None:
    actx = make_context(fake_transport, env={"MISTRAL_BASE_URL": host})
    result = invoke(["embed", "--batch", "x"], actx)
    assert result.exit_code == 2
    name = host.split("//")[1].rstrip("/")
    assert result.stderr == (
        f"mistral: error: {name} has no Files or Batch API\n"
        "hint: batch jobs run on the global host: --base-url https://api.mistral.ai\n"
    )
    listed = invoke(["batch", "list"], make_context(fake_transport, env={"MISTRAL_BASE_URL": host}))
    assert listed.exit_code == 2
    assert fake.requests == []


def test_embed_batch_over_max_cost_uploads_nothing(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    text = "".join(f"a fairly long input line number {i} for the budget\n" for i in range(2000))
    argv = ["embed", "--batch", "--max-cost", "0.0000001"]
    result = invoke(argv, make_context(fake_transport), input=text)
    assert (result.exit_code, result.stdout, result.stderr) == (
        11,
        "",
        "mistral: error: this batch job would cost about $0.0018 (35990 in / 0 out tokens), "
        "more than --max-cost $0.0000001\n"
        "hint: raise --max-cost (or MISTRAL_MAX_COST), or shorten the input\n",
    )
    assert fake.requests_to("POST /v1/files") == []
    assert fake.module(BatchFake).jobs == {}


def test_embed_batch_within_max_cost_is_submitted(
    fake: FakeMistral, fake_transport: httpx.MockTransport
) -> None:
    job_id = submit(fake_transport, "--max-cost", "5")
    assert job_id in fake.module(BatchFake).jobs


def test_download_outputs_need_force_and_are_written_whole(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    job_id = submit(fake_transport)
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    target = tmp_path / "v.jsonl"
    target.write_text("mine\n")
    for extra in ([], ["--raw"]):
        asked = len(fake.requests)
        argv = ["batch", "download", job_id, "-o", str(target), *extra]
        refused = invoke(argv, make_context(fake_transport))
        assert refused.exit_code == 2
        assert refused.stderr == (
            f"mistral: error: {target} already exists\nhint: pass --force to overwrite it\n"
        )
        assert len(fake.requests) == asked  # refused before asking the API anything
    assert target.read_text() == "mine\n"

    argv = ["batch", "download", job_id, "-o", str(target), "--force"]
    done = invoke(argv, make_context(fake_transport))
    assert done.exit_code == 0, done.stderr
    assert [r["line"] for r in records(target.read_text())] == [1, 3, 4, 5]
    raw = tmp_path / "raw.jsonl"
    argv = ["batch", "download", job_id, "--raw", "-o", str(raw)]
    assert invoke(argv, make_context(fake_transport)).exit_code == 0
    assert sorted(r["custom_id"] for r in records(raw.read_text())) == ["1", "4"]
    dash = invoke(["batch", "download", job_id, "-o", "-"], make_context(fake_transport))
    assert [r["line"] for r in records(dash.stdout)] == [1, 3, 4, 5]
    assert not Path("-").exists()


def test_a_download_that_fails_leaves_no_file(
    fake: FakeMistral, fake_transport: httpx.MockTransport, tmp_path: Path
) -> None:
    fake.embeddings.max_inputs = 1  # the job's requests (two inputs each) fail
    job_id = submit(fake_transport)
    invoke(["batch", "wait", job_id], make_context(fake_transport))
    fake.embeddings.max_inputs = 512
    target = tmp_path / "v.jsonl"
    result = invoke(["batch", "download", job_id, "-o", str(target)], make_context(fake_transport))
    assert result.exit_code == 1
    assert not target.exists()  # written whole or not at all
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "work"]
