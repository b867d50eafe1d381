"""Fine-tuning jobs: build JobIn, preflight the model, create (or attach), start, cancel, list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mistral_cli.api import parse
from mistral_cli.api.errors import ApiError, RequestRejected, UnexpectedAnswer
from mistral_cli.api.parse import AnswerClient
from mistral_cli.api.schemas.finetune import (
    DryRunOut,
    HyperparametersIn,
    Job,
    JobIn,
    JobList,
    JobMetadata,
    TrainingFileIn,
    WandbIn,
)
from mistral_cli.api.schemas.models import ModelCard
from mistral_cli.errors import CliError, NotAvailableError, UsageError
from mistral_cli.services.cells import time_text, unknown

if TYPE_CHECKING:
    from collections.abc import Sequence

BASE = "/v1/fine_tuning/jobs"
TERMINAL = frozenset({"SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED"})
NOT_ENTITLED_MARK = "not available for this type of fine-tuning"
HP_KEYS = frozenset(HyperparametersIn.model_fields)


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


@dataclass
class JobSpec:
    """Everything a job request needs, as plain values from flags."""

    model: str
    training_files: list[tuple[str, float]] = field(default_factory=list)
    validation_files: list[str] = field(default_factory=list)
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    suffix: str | None = None
    job_type: str | None = None
    wandb_project: str | None = None
    wandb_key: str | None = None
    auto_start: bool = False


def parse_hp(pairs: Sequence[str]) -> dict[str, Any]:
    """`--hp K=V` pairs → typed values; unknown keys (e.g. OpenAI's n_epochs) are usage errors."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--hp expects KEY=VALUE, got {pair!r}")
        if key not in HP_KEYS:
            known = ", ".join(sorted(HP_KEYS))
            raise UsageError(f"FT703: unknown hyperparameter {key!r}", hint=f"known: {known}")
        try:
            values[key] = float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            raise UsageError(f"--hp {key}: {raw!r} is not a number") from None
    return values


def hyperparameters(
    pairs: Sequence[str],
    *,
    training_steps: int | None = None,
    epochs: float | None = None,
    learning_rate: float | None = None,
    seq_len: int | None = None,
) -> dict[str, Any]:
    """`--hp K=V` pairs, with the named flags (--steps, --epochs, --lr, --seq-len) over them."""
    values = parse_hp(pairs)
    named = {
        "training_steps": training_steps,
        "epochs": epochs,
        "learning_rate": learning_rate,
        "seq_len": seq_len,
    }
    values.update({key: value for key, value in named.items() if value is not None})
    return values


def build_job_in(spec: JobSpec) -> JobIn:
    """Build the strict request body; out-of-range values are usage errors (FT701)."""
    if not spec.training_files:
        raise UsageError("at least one training file is required (--train PATH|ID[@WEIGHT])")
    integrations = None
    if spec.wandb_project:
        if not spec.wandb_key:
            raise UsageError("--wandb-project needs WANDB_API_KEY in the environment")
        integrations = [WandbIn(project=spec.wandb_project, api_key=spec.wandb_key)]
    try:
        return JobIn(
            model=spec.model,
            training_files=[TrainingFileIn(file_id=f, weight=w) for f, w in spec.training_files],
            validation_files=spec.validation_files or None,
            suffix=spec.suffix,
            integrations=integrations,
            auto_start=spec.auto_start,
            job_type=spec.job_type,  # pydantic checks the literal
            hyperparameters=HyperparametersIn(**spec.hyperparameters),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"FT701: {where}: {first['msg']}") from None


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
        candidates = [job.id for job in matching_jobs(client, job_in)]
        named = ", ".join(candidates) if candidates else "see `mistral finetune list`"
        return JobConflict(
            f"a similar job is already queued, validated or running: {named}",
            status=409,
            request_id=exc.request_id,
            hint="follow it with --attach, or cancel it: mistral finetune cancel JOB",
        )
    return exc


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
        params["created_after"] = since
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


def details(job: Job) -> list[tuple[str, str]]:
    """Key/value pairs for `finetune status`."""
    pairs = [
        ("id", job.id),
        ("status", unknown(job.status)),
        ("model", unknown(job.model)),
        ("job type", unknown(job.job_type)),
        ("fine-tuned model", job.fine_tuned_model or ""),
        ("created", time_text(job.created_at)),
        ("training files", ", ".join(job.training_files)),
        ("hyperparameters", ", ".join(f"{k}={v}" for k, v in job.settings.items())),
    ]
    meta = job.metadata
    if meta is not None and meta.cost is not None:
        pairs.append(("estimated cost", f"{meta.cost:g} {meta.cost_currency or ''}".rstrip()))
    if job.checkpoints:
        last = max(job.checkpoints, key=lambda c: c.step_number)
        shown = ", ".join(f"{k} {v:g}" for k, v in last.values().items())
        pairs.append(("last checkpoint", f"step {last.step_number}: {shown}"))
    return pairs
