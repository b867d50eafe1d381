"""Batch API jobs: create, show, list, cancel, and wait (polling with backoff) until they end."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from mistral_cli.api.schemas.batch import BatchJob, BatchJobList, CreateBatchJobRequest
from mistral_cli.errors import ExitCode, JobEnded, UsageError, WaitTimeout

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

REGIONAL_HOSTS = ("api.eu.mistral.ai", "api.us.mistral.ai")
COLUMNS = ("ID", "STATUS", "MODEL", "ENDPOINT", "REQUESTS", "CREATED")
ENDED = {
    "FAILED": ExitCode.JOB_FAILED,
    "TIMEOUT_EXCEEDED": ExitCode.JOB_FAILED,
    "CANCELLED": ExitCode.JOB_CANCELLED,
}


class BatchClient(Protocol):
    """What this service needs from ApiClient."""

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:  # noqa: ANN401  # raw JSON edge
        """GET a JSON document."""
        ...

    def request(self, method: str, path: str, *, json_body: Any = None) -> Any:  # noqa: ANN401  # raw JSON edge
        """Send a request and return the decoded JSON answer."""
        ...


def check_host(base_url: str) -> None:
    """Regional hosts have no Files or Batch API: refuse before uploading anything."""
    host = urlsplit(base_url).hostname or ""
    if host in REGIONAL_HOSTS:
        raise UsageError(
            f"{host} has no Files or Batch API",
            hint="batch jobs run on the global host: --base-url https://api.mistral.ai",
        )


def create(client: BatchClient, body: CreateBatchJobRequest) -> BatchJob:
    """POST /v1/batch/jobs."""
    answer = client.request(
        "POST", "/v1/batch/jobs", json_body=body.model_dump(mode="json", exclude_none=True)
    )
    return BatchJob.model_validate(answer)


def get(client: BatchClient, job_id: str) -> BatchJob:
    """GET /v1/batch/jobs/{id}."""
    return BatchJob.model_validate(client.get(f"/v1/batch/jobs/{job_id}"))


def cancel(client: BatchClient, job_id: str) -> BatchJob:
    """POST /v1/batch/jobs/{id}/cancel: the job moves to CANCELLATION_REQUESTED, then CANCELLED."""
    return BatchJob.model_validate(client.request("POST", f"/v1/batch/jobs/{job_id}/cancel"))


def list_jobs(
    client: BatchClient, *, status: str | None = None, page_size: int = 100
) -> list[BatchJob]:
    """Every job, newest first (pages fetched until `total` is reached)."""
    jobs: list[BatchJob] = []
    page = 0
    while True:
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if status:
            params["status"] = status
        found = BatchJobList.model_validate(client.get("/v1/batch/jobs", params=params))
        jobs.extend(found.data)
        if not found.data or len(jobs) >= found.total:
            return jobs
        page += 1


def wait(
    client: BatchClient,
    job_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float | None = None,
    on_status: Callable[[BatchJob], None] | None = None,
    first: float = 1.0,
    longest: float = 30.0,
) -> BatchJob:
    """Poll until the job ends (backoff x1.5 up to `longest`); a non-success end raises JobEnded.

    `timeout` counts the seconds slept: past it, WaitTimeout (exit 124) — the job runs on.
    """
    delay, slept = first, 0.0
    while True:
        job = get(client, job_id)
        if on_status is not None:
            on_status(job)
        if job.done:
            return ended(job)
        if timeout is not None and slept + delay > timeout:
            raise WaitTimeout(
                f"batch job {job_id} is still {job.status} after {slept:.0f} s",
                hint=f"it runs on; `mistral batch wait {job_id}` continues waiting",
            )
        sleep(delay)
        slept += delay
        delay = min(delay * 1.5, longest)


def ended(job: BatchJob) -> BatchJob:
    """The job if it succeeded; else JobEnded with the status's exit code and its errors."""
    code = ENDED.get(job.status)
    if code is None:
        return job
    reasons = "; ".join(f"{e.message} (x{e.count})" for e in job.errors[:3])
    raise JobEnded(
        f"batch job {job.id} ended {job.status}" + (f": {reasons}" if reasons else ""),
        code,
        hint=f"`mistral batch status {job.id}` shows the counts",
    )


def progress(job: BatchJob) -> str:
    """`120/235` requests done (with failures when there are any)."""
    text = f"{job.completed_requests:,}/{job.total_requests:,}"
    return text + (f" ({job.failed_requests:,} failed)" if job.failed_requests else "")


def row(job: BatchJob) -> list[str]:
    """A `batch list` row."""
    created = time.strftime("%Y-%m-%d %H:%M", time.gmtime(job.created_at)) if job.created_at else ""
    return [job.id, job.status, job.model or "", job.endpoint, progress(job), created]


def details(job: BatchJob) -> list[tuple[str, str]]:
    """`batch status` fields."""
    pairs = [
        ("id", job.id),
        ("status", job.status),
        ("model", job.model or ""),
        ("endpoint", job.endpoint),
        ("requests", progress(job)),
        ("input files", ", ".join(job.input_files)),
        ("output file", job.output_file or ""),
        ("error file", job.error_file or ""),
    ]
    pairs += [("error", f"{e.message} (x{e.count})") for e in job.errors]
    return pairs
