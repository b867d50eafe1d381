"""Batch API jobs: create, show, list, cancel, and wait (polling with backoff) until they end."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mistral_cli.api.errors import ApiError, UnexpectedAnswer, unreadable
from mistral_cli.api.parse import AnswerClient, PollTolerance
from mistral_cli.api.schemas.batch import (
    ENDPOINTS,
    BatchError,
    BatchJob,
    BatchJobList,
    CreateBatchJobRequest,
)
from mistral_cli.errors import CliError, ExitCode, JobEnded, UsageError, WaitTimeout
from mistral_cli.services.cells import time_text, unknown

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

REGIONAL_HOSTS = ("api.eu.mistral.ai", "api.us.mistral.ai")
COLUMNS = ("ID", "STATUS", "MODEL", "ENDPOINT", "REQUESTS", "CREATED")
# BatchJobStatus in the API spec: what `batch list --status` completes
STATUSES = (
    "QUEUED",
    "RUNNING",
    "SUCCESS",
    "FAILED",
    "TIMEOUT_EXCEEDED",
    "CANCELLATION_REQUESTED",
    "CANCELLED",
)
ENDED = {
    "FAILED": ExitCode.JOB_FAILED,
    "TIMEOUT_EXCEEDED": ExitCode.JOB_FAILED,
    "CANCELLED": ExitCode.JOB_CANCELLED,
}


# The endpoints whose requests `batch create` checks locally (the spec's request description)
CREATABLE = ("/v1/chat/completions",)
ELSEWHERE = {"/v1/embeddings": "`mistral embed --batch` builds embedding batch jobs"}
# CreateBatchJobRequest.metadata in the API spec: keys of 1-32 characters, values of 1-512
METADATA_KEY, METADATA_VALUE = 32, 512

BatchClient = AnswerClient


@dataclass(frozen=True)
class JobOptions:
    """What a new job is created with, besides its input file and model."""

    endpoint: str
    metadata: dict[str, str] = field(default_factory=dict)
    timeout_hours: int | None = None  # None: the API's default (24)


def check_endpoint(endpoint: str) -> str:
    """An endpoint `batch create` can run (exit 2 for one the API lacks, or not checked here)."""
    if endpoint not in ENDPOINTS:
        raise UsageError(
            f"--endpoint {endpoint!r} is not a Batch API endpoint",
            hint=f"the API runs {', '.join(ENDPOINTS)}",
        )
    if endpoint not in CREATABLE:
        raise UsageError(
            f"--endpoint {endpoint}: batch create checks and sends "
            f"{' and '.join(CREATABLE)} requests only",
            hint=ELSEWHERE.get(endpoint, "its requests cannot be checked here yet"),
        )
    return endpoint


def metadata(items: Iterable[str], source: str) -> dict[str, str]:
    """--metadata KEY=VALUE items as the job's metadata, after {"source": `source`} (exit 2)."""
    found = {"source": source}
    given: set[str] = set()
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(
                f"--metadata {item!r}: expected KEY=VALUE", hint="e.g. --metadata project=faq"
            )
        if key in given:
            raise UsageError(f"--metadata {key!r} is given twice")
        if len(key) > METADATA_KEY or not 1 <= len(value) <= METADATA_VALUE:
            raise UsageError(
                f"--metadata {key!r}: keys are 1-{METADATA_KEY} characters, "
                f"values 1-{METADATA_VALUE}",
            )
        given.add(key)
        found[key] = value
    return found


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
    return client.send("POST", "/v1/batch/jobs", into=BatchJob, body=body)


def get(client: BatchClient, job_id: str) -> BatchJob:
    """GET /v1/batch/jobs/{id}."""
    return client.send("GET", f"/v1/batch/jobs/{job_id}", into=BatchJob)


def cancel(client: BatchClient, job_id: str) -> BatchJob:
    """POST /v1/batch/jobs/{id}/cancel: the job moves to CANCELLATION_REQUESTED, then CANCELLED."""
    return client.send("POST", f"/v1/batch/jobs/{job_id}/cancel", into=BatchJob)


def list_jobs(
    client: BatchClient, *, status: str | None = None, page_size: int = 100
) -> list[BatchJob]:
    """Every job, newest first: pages until `total` (else a short page), or one with no new job."""
    jobs: dict[str, BatchJob] = {}
    page = 0
    while True:
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if status:
            params["status"] = status
        found = client.send("GET", "/v1/batch/jobs", into=BatchJobList, params=params)
        new = {job.id: job for job in found.data if job.id not in jobs}
        jobs.update(new)
        more = len(jobs) < found.total if found.total is not None else len(found.data) >= page_size
        if not new or not more:
            return list(jobs.values())
        page += 1


def wait(
    client: BatchClient,
    job_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float | None = None,
    on_status: Callable[[BatchJob], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    first: float = 1.0,
    longest: float = 30.0,
) -> BatchJob:
    """Poll until the job ends (backoff x1.5 up to `longest`); a non-success end raises JobEnded.

    `timeout` counts the seconds slept: past it, WaitTimeout (exit 124) — the job runs on. Up
    to 3 unreadable answers in a row are noted (`on_note`) and polled past; the 4th ends it.
    """
    delay, slept, last = first, 0.0, "unknown"
    tolerance = PollTolerance()
    while True:
        try:
            job = _polled(client, job_id)
        except ApiError as exc:
            if not unreadable(exc):
                raise
            tolerance.failed(
                exc, where=f"GET /v1/batch/jobs/{job_id}", resume=f"mistral batch wait {job_id}"
            )
            if on_note is not None:
                on_note(tolerance.note(exc))
        else:
            tolerance.ok()
            last = job.status or last
            if on_status is not None:
                on_status(job)
            if job.done:
                return ended(job)
        if timeout is not None and slept + delay > timeout:
            raise WaitTimeout(
                f"batch job {job_id} is still {last} after {slept:.0f} s",
                hint=f"it runs on; `mistral batch wait {job_id}` continues waiting",
            )
        sleep(delay)
        slept += delay
        delay = min(delay * 1.5, longest)


def _polled(client: BatchClient, job_id: str) -> BatchJob:
    """One poll; a job without a status cannot be followed (an unreadable answer)."""
    job = get(client, job_id)
    if not job.status:
        raise UnexpectedAnswer(
            f"GET /v1/batch/jobs/{job_id}", "status is missing", answer=job.wire()
        )
    return job


def ended(job: BatchJob) -> BatchJob:
    """The job if it succeeded; else JobEnded with the status's exit code and its errors."""
    code = ENDED.get(job.status or "")
    if code is None:
        return job
    reasons = "; ".join(_error(e) for e in job.errors[:3])
    raise JobEnded(
        f"batch job {job.id} ended {job.status}" + (f": {reasons}" if reasons else ""),
        code,
        hint=f"`mistral batch status {job.id}` shows the counts",
    )


def finished(job: BatchJob) -> BatchJob:
    """The job once it succeeded: JobEnded for another end, CliError while it still runs."""
    ended(job)
    if not job.done:
        raise CliError(
            f"batch job {job.id} is still {job.status or 'running'}: it has no results yet",
            hint=f"`mistral batch wait {job.id}` waits for it to end",
        )
    return job


def _error(error: BatchError) -> str:
    return f"{error.message or '?'} (x{unknown(error.count)})"


def progress(job: BatchJob) -> str:
    """`120/235` requests done (with failures when there are any); `?` for unknown counts."""
    text = f"{unknown(job.completed_requests, ',')}/{unknown(job.total_requests, ',')}"
    return text + (f" ({job.failed_requests:,} failed)" if job.failed_requests else "")


def row(job: BatchJob) -> list[str]:
    """A `batch list` row."""
    return [
        job.id,
        unknown(job.status),
        job.model or "",
        unknown(job.endpoint),
        progress(job),
        time_text(job.created_at),
    ]


def details(job: BatchJob) -> list[tuple[str, str]]:
    """`batch status` fields."""
    pairs = [
        ("id", job.id),
        ("status", unknown(job.status)),
        ("model", job.model or ""),
        ("endpoint", unknown(job.endpoint)),
        ("requests", progress(job)),
        ("input files", ", ".join(job.input_files)),
        ("output file", job.output_file or ""),
        ("error file", job.error_file or ""),
    ]
    pairs += [("error", _error(e)) for e in job.errors]
    return pairs
