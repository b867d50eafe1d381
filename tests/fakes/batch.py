"""The Batch API: create, get (each GET advances QUEUED → RUNNING → SUCCESS), list, cancel.

Importing this module registers its routes (and the files routes it reads and writes). A job
runs its requests when it reaches SUCCESS: each input-file line's body (with the job's model)
is checked against the spec, then goes through the embeddings fake (same limits and vectors)
or the chat fake (its echoed answers) by the job's endpoint; successes go into an output file
(in reverse order: clients must use custom_id), failures into an error file, both stored in the
files fake. Tests reach the state with `fake.module(BatchFake)`: `jobs` (id → FakeJob),
`outcome` ("SUCCESS", "FAILED" or "TIMEOUT_EXCEEDED" for new jobs), and `failures`
(custom_id → (status, message): requests scripted to fail; a job that runs leaves none unused).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from tests.fakes import spec
from tests.fakes.chat import ChatFake
from tests.fakes.embeddings import EmbeddingsFake
from tests.fakes.files import FilesFake
from tests.fakes.router import FakeMistral, FakeModule, PathParams, now, route
from tests.fakes.wire import FakeRequest, FakeResponse, api_error, json_response

NEXT: Final = {"QUEUED": "RUNNING", "CANCELLATION_REQUESTED": "CANCELLED"}
RUNS: Final = ("/v1/embeddings", "/v1/chat/completions")  # the endpoints this fake can run
TERMINAL: Final = ("SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED")


@dataclass
class FakeJob:
    """One batch job and its counters."""

    id: str
    input_files: list[str]
    endpoint: str
    model: str | None
    metadata: dict[str, Any] | None
    outcome: str
    status: str = "QUEUED"
    created_at: int = field(default_factory=now)
    total_requests: int = 0
    succeeded_requests: int = 0
    failed_requests: int = 0
    output_file: str | None = None
    error_file: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The BatchJob document."""
        done = self.status in TERMINAL
        return {
            "id": self.id,
            "object": "batch",
            "input_files": self.input_files,
            "metadata": self.metadata,
            "endpoint": self.endpoint,
            "model": self.model,
            "agent_id": None,
            "output_file": self.output_file,
            "error_file": self.error_file,
            "errors": self.errors,
            "outputs": None,
            "status": self.status,
            "created_at": self.created_at,
            "total_requests": self.total_requests,
            "completed_requests": self.succeeded_requests + self.failed_requests,
            "succeeded_requests": self.succeeded_requests,
            "failed_requests": self.failed_requests,
            "started_at": self.created_at if self.status != "QUEUED" else None,
            "completed_at": now() if done else None,
        }


class BatchFake(FakeModule):
    """Batch jobs in memory; they run the embeddings fake when they finish."""

    def __init__(self, fake: FakeMistral) -> None:
        super().__init__(fake)
        self.jobs: dict[str, FakeJob] = {}
        self.outcome = "SUCCESS"
        self.failures: dict[str, tuple[int, str]] = {}

    @property
    def files(self) -> FilesFake:
        """The files module holding input and output files."""
        return self.fake.module(FilesFake)

    @route("POST", "/v1/batch/jobs")
    def create(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Queue a job over uploaded input files (404 for an unknown file)."""
        body = request.json()
        assert body["endpoint"] in RUNS, f"the fake runs no {body['endpoint']} batch"
        for file_id in body.get("input_files") or []:
            stored = self.files.files.get(file_id)
            if stored is None or stored.purpose != "batch":
                return api_error(request, 404, f"File {file_id} not found", "not_found")
        job = FakeJob(
            str(uuid.uuid4()),
            list(body.get("input_files") or []),
            body["endpoint"],
            body.get("model"),
            body.get("metadata"),
            self.outcome,
        )
        job.total_requests = sum(len(self._lines(file_id)) for file_id in job.input_files)
        self.jobs[job.id] = job
        return json_response(200, job.document())

    @route("GET", "/v1/batch/jobs")
    def list_jobs(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Newest first, filtered by status; `page`/`page_size` as the API pages."""
        query = {key: values[-1] for key, values in request.query.items() if values}
        jobs = sorted(self.jobs.values(), key=lambda j: j.created_at, reverse=True)
        if query.get("status"):
            jobs = [job for job in jobs if job.status == query["status"]]
        page, size = int(query.get("page", 0)), int(query.get("page_size", 100))
        shown = [job.document() for job in jobs[page * size : (page + 1) * size]]
        return json_response(200, {"data": shown, "object": "list", "total": len(jobs)})

    @route("GET", "/v1/batch/jobs/{job_id}")
    def get(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Return the job, one step further along than last time."""
        job = self.jobs.get(params["job_id"])
        if job is None:
            return api_error(request, 404, f"Batch job {params['job_id']} not found", "not_found")
        self.advance(job)
        return json_response(200, job.document())

    @route("POST", "/v1/batch/jobs/{job_id}/cancel")
    def cancel(self, request: FakeRequest, params: PathParams) -> FakeResponse:
        """Request cancellation (a finished job stays as it is)."""
        job = self.jobs.get(params["job_id"])
        if job is None:
            return api_error(request, 404, f"Batch job {params['job_id']} not found", "not_found")
        if job.status not in TERMINAL:
            job.status = "CANCELLATION_REQUESTED"
        return json_response(200, job.document())

    def advance(self, job: FakeJob) -> None:
        """QUEUED → RUNNING → the outcome (running the requests on SUCCESS)."""
        if job.status in NEXT:
            job.status = NEXT[job.status]
        elif job.status == "RUNNING":
            if job.outcome == "SUCCESS":
                self._run(job)
            else:
                job.errors = [{"message": "The job did not finish", "count": 1}]
            job.status = job.outcome

    def _lines(self, file_id: str) -> list[dict[str, Any]]:
        content = self.files.files[file_id].content.decode("utf-8")
        return [json.loads(line) for line in content.splitlines() if line.strip()]

    def _run(self, job: FakeJob) -> None:
        outputs: list[bytes] = []
        errors: list[bytes] = []
        for file_id in job.input_files:
            for line in self._lines(file_id):
                result = self._one(job, line)
                ok = result["response"]["status_code"] == 200
                (outputs if ok else errors).append(json.dumps(result).encode() + b"\n")
        outputs.reverse()  # results come back in any order: clients must use custom_id
        unused, self.failures = sorted(self.failures), {}
        assert not unused, f"scripted batch failures never met: {unused}"
        job.succeeded_requests, job.failed_requests = len(outputs), len(errors)
        job.output_file = self.files.add(f"{job.id}.jsonl", b"".join(outputs), "batch").id
        if errors:
            job.error_file = self.files.add(f"{job.id}.error.jsonl", b"".join(errors), "batch").id
            job.errors = [{"message": "Some requests failed", "count": len(errors)}]

    def _one(self, job: FakeJob, line: dict[str, Any]) -> dict[str, Any]:
        scripted = self.failures.pop(str(line.get("custom_id")), None)
        if scripted is not None:
            status, message = scripted
            error = {"object": "error", "message": message, "type": "fake_error", "code": None}
            return self._result(line, status, error)
        body = {"model": job.model, **line["body"]}
        violations = spec.validate_request("POST", job.endpoint, body)
        if violations:
            detail = [violation.as_dict() for violation in violations]
            return self._result(line, 422, {"detail": detail})
        inner = FakeRequest(
            "POST",
            job.endpoint,
            headers={"content-type": "application/json"},
            body=json.dumps(body).encode(),
        )
        if job.endpoint == "/v1/chat/completions":
            answer = self.fake.module(ChatFake).complete(inner, {})
        else:
            answer = self.fake.module(EmbeddingsFake).embed(inner, {})
        assert isinstance(answer, FakeResponse), "a batch request cannot stream"
        return self._result(line, answer.status, json.loads(answer.body))

    @staticmethod
    def _result(line: dict[str, Any], status: int, body: object) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "custom_id": line.get("custom_id"),
            "response": {"status_code": status, "body": body},
            "error": None,
        }
