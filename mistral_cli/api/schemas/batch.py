"""Batch API wire models: creating a job, the job document, and the job list."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mistral_cli.api.schemas import Request, Response

TERMINAL = ("SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED")


class CreateBatchJobRequest(Request):
    """POST /v1/batch/jobs: a JSONL file (uploaded with purpose=batch) run against `endpoint`."""

    input_files: list[str]
    endpoint: Literal["/v1/embeddings", "/v1/chat/completions", "/v1/fim/completions"]
    model: str | None = None
    metadata: dict[str, str] | None = None
    timeout_hours: int | None = Field(default=None, ge=1, le=168)


class BatchError(Response):
    """One kind of error a job met, and how often."""

    message: str = ""
    count: int = 1


class BatchJob(Response):
    """A batch job; `status` is an open string (QUEUED, RUNNING, SUCCESS, FAILED, …)."""

    id: str
    object: str = "batch"
    input_files: list[str] = Field(default_factory=list)
    endpoint: str = ""
    model: str | None = None
    status: str = "QUEUED"
    output_file: str | None = None
    error_file: str | None = None
    errors: list[BatchError] = Field(default_factory=list)
    created_at: int = 0
    started_at: int | None = None
    completed_at: int | None = None
    total_requests: int = 0
    completed_requests: int = 0
    succeeded_requests: int = 0
    failed_requests: int = 0

    @property
    def done(self) -> bool:
        """True once the job can change no more."""
        return self.status in TERMINAL


class BatchJobList(Response):
    """GET /v1/batch/jobs: one page of jobs and the total."""

    data: list[BatchJob] = Field(default_factory=list)
    object: str = "list"
    total: int = 0
