"""Batch API wire models: creating a job, the job document, and the job list."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from mistral_cli.api.schemas import Page, Request, Response
from mistral_cli.api.schemas.lenient import Id, Int, Items, Text, Texts

TERMINAL = ("SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED")
# ApiEndpoint in the API spec: the routes a batch job can run (tests/unit/test_batch_schemas.py)
Endpoint = Literal[
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/fim/completions",
    "/v1/moderations",
    "/v1/chat/moderations",
    "/v1/ocr",
    "/v1/classifications",
    "/v1/chat/classifications",
    "/v1/conversations",
    "/v1/audio/transcriptions",
]
ENDPOINTS: tuple[str, ...] = get_args(Endpoint)


class CreateBatchJobRequest(Request):
    """POST /v1/batch/jobs: a JSONL file (uploaded with purpose=batch) run against `endpoint`."""

    input_files: list[str]
    endpoint: Endpoint
    model: str | None = None
    metadata: dict[str, str] | None = None
    timeout_hours: int | None = Field(default=None, ge=1, le=168)


class BatchError(Response):
    """One kind of error a job met, and how often."""

    message: Text = None
    count: Int = None


class BatchJob(Response):
    """A batch job; `status` is an open string (QUEUED, RUNNING, SUCCESS, FAILED, …)."""

    id: Id
    object: Text = "batch"
    input_files: Texts = Field(default_factory=list)
    endpoint: Text = None
    model: Text = None
    status: Text = None
    output_file: Text = None
    error_file: Text = None
    errors: Items[BatchError] = Field(default_factory=list)
    created_at: Int = None
    started_at: Int = None
    completed_at: Int = None
    total_requests: Int = None
    completed_requests: Int = None
    succeeded_requests: Int = None
    failed_requests: Int = None

    @property
    def done(self) -> bool:
        """True once the job can change no more."""
        return self.status in TERMINAL


class BatchJobList(Page):
    """GET /v1/batch/jobs: one page of jobs and the total."""

    data: Items[BatchJob]
    object: Text = "list"
    total: Int = None
