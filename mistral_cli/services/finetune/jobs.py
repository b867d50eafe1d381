"""Fine-tuning jobs: preflight the model, create (or attach), start, cancel, list; 409s named."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mistral_cli import values
from mistral_cli.api import parse
from mistral_cli.api.errors import ApiError, RequestRejected, UnexpectedAnswer
from mistral_cli.api.parse import AnswerClient
from mistral_cli.api.schemas.finetune import DryRunOut, Job, JobIn, JobList, JobMetadata
from mistral_cli.api.schemas.models import ModelCard
from mistral_cli.errors import CliError, NotAvailableError, UsageError
from mistral_cli.services.cells import time_text, unknown

BASE = "/v1/fine_tuning/jobs"
TERMINAL = frozenset({"SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED"})
NOT_ENTITLED_MARK = "not available for this type of fine-tuning"


JobsClient = AnswerClient


class JobConflict(RequestRejected):
    """409: a similar job is queued, validated or running (exit 4); names the candidates."""


class EstimateNotJob(UnexpectedAnswer):
    """A create answered with the dry-run estimate shape (the spec's anyOf allows it): exit 1."""

    def __init__(self, estimate: DryRunOut) -> None:
        super().__init__(
            f"POST {BASE}",
            f"an estimate (object: {estimate.object or 'none'}) came back instead of a job",
            answer=estimate.wire(),
            hint="no job id was given; `mistral finetune list --mine` shows whether one was made",
        )
        self.estimate = estimate


def preflight(client: JobsClient, model: str) -> ModelCard:
    """GET /v1/models/{id}: refuse (exit 10) when the card says the model cannot be fine-tuned.

    A card that does not say is let through: the API has the last word.
    """
    card = client.send("GET", f"/v1/models/{model}", into=ModelCard)
    if card.caps.fine_tuning is False:
        raise NotAvailableError(
            f"{model} cannot be fine-tuned with this key (capabilities.fine_tuning is false)",
            hint="`mistral models list` marks the models you may fine-tune",
        )
    return card


def _translate(exc: ApiError, client: JobsClient, job_in: JobIn) -> Exception:
    """The not-entitled 422 → exit 10; a 409 → JobConflict naming the candidates."""
    if exc.status == 422 and NOT_ENTITLED_MARK in exc.message.lower():
        return NotAvailableError(
            f"fine-tuning {job_in.model} is not available for this account: {exc.message}",
            hint="not a data problem: check the plan and the model (`mistral models list`)",
        )
    if exc.status == 409:
        return conflict(client, job_in, request_id=exc.request_id)
    return exc


def conflict(client: JobsClient, job_in: JobIn, *, request_id: str | None = None) -> JobConflict:
    """A 409 that names my live jobs on the same model and files, and what to do with them."""
    try:
        live = live_jobs(client, job_in)
    except CliError:  # the list failing must not hide the conflict itself
        live = []
    where = f"(HTTP 409, request {request_id})" if request_id else "(HTTP 409)"
    if not live:
        return JobConflict(
            f"a similar job is already queued, validated or running {where}",
            status=409,
            request_id=request_id,
            hint="find it: mistral finetune list --mine; then follow it (mistral finetune wait "
            "JOB) or cancel it (mistral finetune cancel JOB)",
        )
    named = ", ".join(f"{job.id} ({unknown(job.status)})" for job in live)
    first = live[0]
    steps = ["rerun the same command with --attach to pick it up"]
    if not same_request(first, job_in):
        steps = []
    if first.status == "VALIDATED" and not first.auto_start:
        steps.append(f"start it: mistral finetune start {first.id} --wait")
    else:
        steps.append(f"follow it: mistral finetune wait {first.id}")
    steps.append(f"cancel it: mistral finetune cancel {first.id}")
    return JobConflict(
        f"a similar job is already queued, validated or running: {named} {where}",
        status=409,
        request_id=request_id,
        hint="; ".join(steps),
    )


def live_jobs(client: JobsClient, job_in: JobIn) -> list[Job]:
    """My non-terminal jobs on the same model and training files (what a 409 is about)."""
    files = sorted(f.file_id for f in job_in.training_files)
    listed = list_jobs(client, model=job_in.model, created_by_me=True)
    return [
        job
        for job in listed.data
        if job.status not in TERMINAL and sorted(job.training_files) == files
    ]


def create(client: JobsClient, job_in: JobIn) -> Job:
    """POST the job; typed errors for not-entitled, conflicts and an estimate-shaped answer."""
    try:
        return client.send("POST", BASE, into=Job, body=job_in)
    except UnexpectedAnswer as exc:
        estimate = _estimate_in(exc.answer)
        if estimate is None:
            raise
        raise EstimateNotJob(estimate) from None
    except ApiError as exc:
        raise _translate(exc, client, job_in) from None


def dry_run(client: JobsClient, job_in: JobIn) -> DryRunOut | Job:
    """The legacy dry run (sent with auto_start=false); a job may come back anyway."""
    body = job_in.model_copy(update={"auto_start": False})
    try:
        answer = client.send("POST", BASE, into=DryRunOut, body=body, params={"dry_run": "true"})
    except ApiError as exc:
        raise _translate(exc, client, job_in) from None
    document = answer.wire()
    return parse.answer(Job, document, where=f"POST {BASE}") if "id" in document else answer


def _estimate_in(answer: object) -> DryRunOut | None:
    """The answer as an estimate when it has the dry-run shape (no id; job.metadata or costs)."""
    if not isinstance(answer, dict) or "id" in answer:
        return None
    if answer.get("object") == "job.metadata" or answer.keys() & set(JobMetadata.model_fields):
        return DryRunOut.model_validate(answer)
    return None


def same_request(job: Job, job_in: JobIn) -> bool:
    """Same model, training files, suffix and the hyperparameters we set."""
    files = [f.file_id for f in job_in.training_files]
    wanted = job_in.hyperparameters.model_dump(exclude_none=True)
    return (
        job.model == job_in.model
        and job.training_files == files
        and (job.suffix or None) == job_in.suffix
        and all(job.settings.get(k) == v for k, v in wanted.items())
    )


def matching_jobs(client: JobsClient, job_in: JobIn, *, terminal: bool = False) -> list[Job]:
    """My jobs for the same request: non-terminal ones (or SUCCESS ones with `terminal`)."""
    listed = list_jobs(client, model=job_in.model, created_by_me=True)
    return [
        job
        for job in listed.data
        if same_request(job, job_in)
        and ((job.status == "SUCCESS") if terminal else job.status not in TERMINAL)
    ]


def create_or_attach(client: JobsClient, job_in: JobIn, *, attach: bool) -> tuple[Job, bool]:
    """Create the job, or with `attach` follow a matching live one (before or after a 409)."""
    if attach:
        found = matching_jobs(client, job_in)
        if found:
            return get_job(client, found[0].id), True
    try:
        return create(client, job_in), False
    except JobConflict:
        if not attach:
            raise
        found = matching_jobs(client, job_in)
        if not found:
            raise
        return get_job(client, found[0].id), True


def get_job(client: JobsClient, job_id: str) -> Job:
    """GET one job in detail."""
    return client.send("GET", f"{BASE}/{job_id}", into=Job)


def start_job(client: JobsClient, job_id: str) -> Job:
    """POST …/start (a VALIDATED job)."""
    return client.send("POST", f"{BASE}/{job_id}/start", into=Job)


def cancel_job(client: JobsClient, job_id: str) -> Job:
    """POST …/cancel."""
    return client.send("POST", f"{BASE}/{job_id}/cancel", into=Job)


def list_jobs(
    client: JobsClient,
    *,
    status: str | None = None,
    model: str | None = None,
    since: str | None = None,
    suffix: str | None = None,
    created_by_me: bool = False,
    page_size: int = 100,
) -> JobList:
    """GET the job list with the API's filters."""
    params: dict[str, Any] = {"page": 0, "page_size": page_size}
    for name, value in (("status", status), ("model", model), ("suffix", suffix)):
        if value:
            params[name] = value
    if since:
        params["created_after"] = since_param(since)
    if created_by_me:
        params["created_by_me"] = "true"
    try:
        return client.send("GET", BASE, into=JobList, params=params)
    except RequestRejected as exc:
        if exc.status in (404, 410):
            raise CliError(
                f"the fine-tuning job routes are gone from this server ({exc.message})",
                hint="the API is deprecated upstream; it may have been withdrawn",
            ) from None
        raise


def since_param(text: str, now: float | None = None) -> str:
    """`--since`: a date, a date-time (UTC unless it says) or an age (`7d`) → the wire value.

    The spec's `created_after` is a date-time; like the official SDK, it is sent as ISO 8601
    without an offset: `2025-01-01T00:00:00` (UTC).
    """
    raw = text.strip()
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        when = None
    if when is None:
        try:
            age = values.duration(raw, "--since", units=True)
        except UsageError:
            raise UsageError(
                f"--since expects a date, a date-time or an age, got {raw!r}",
                hint="e.g. --since 2025-01-01, --since 2025-01-01T12:00 or --since 7d (UTC)",
            ) from None
        now = dt.datetime.now(dt.UTC).timestamp() if now is None else now
        when = dt.datetime.fromtimestamp(now - age, dt.UTC)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


COLUMNS = ("ID", "STATUS", "MODEL", "SUFFIX", "CREATED", "FINE-TUNED MODEL")


def row(job: Job) -> list[str]:
    """One table row for `finetune list` (see COLUMNS); `?` where the answer does not say."""
    return [
        job.id,
        unknown(job.status),
        unknown(job.model),
        job.suffix or "",
        time_text(job.created_at),
        job.fine_tuned_model or "",
    ]
