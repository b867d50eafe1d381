"""`finetune run`: validate → preflight → upload → create → estimate and budget → start → wait."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mistral_cli import values
from mistral_cli.api.schemas.finetune import DryRunOut, Job, JobIn, JobMetadata
from mistral_cli.errors import BudgetExceeded, DataValidationError, UsageError
from mistral_cli.services import files as files_svc
from mistral_cli.services.finetune import jobs
from mistral_cli.services.finetune.wait import Finished, PollPolicy, Seen, WaitEvent, watch
from mistral_cli.services.ftdata.report import Report

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Budget:
    """--max-cost: an amount and, optionally, the currency it is in (the estimate's: EUR)."""

    amount: float
    currency: str | None = None

    @classmethod
    def parse(cls, text: str) -> Budget:
        """'20', '20EUR', '€20', '$20' (the one money grammar: mistral_cli.values.amount)."""
        return cls(*values.amount(text, "--max-cost"))

    def check(self, meta: JobMetadata | None) -> str | None:
        """Why the estimate breaks the budget, or None when it fits."""
        if meta is None or meta.cost is None:
            return "the API gave no cost estimate to check --max-cost against"
        currency = (meta.cost_currency or "").upper()
        if self.currency and currency and currency != self.currency:
            return f"the estimate is in {currency}, the budget in {self.currency}"
        if meta.cost > self.amount:
            return f"estimated cost {meta.cost:g} {currency} > --max-cost {self.amount:g}"
        return None


@dataclass(frozen=True, kw_only=True)
class RunPlan:
    """What `run` (and `start` with create flags) does; `train` holds (PATH|ID, weight)."""

    spec: jobs.JobSpec
    train: list[tuple[str, float]] = field(default_factory=list)
    val: list[str] = field(default_factory=list)
    validate: bool = True
    strict: bool = False
    reuse: bool = True
    attach: bool = False
    reuse_succeeded: bool = False
    budget: Budget | None = None
    cancel_if_over_budget: bool = False
    estimate_only: bool = False
    dry_run: bool = False
    wait: bool = True
    timeout: float | None = None
    create_only: bool = False  # `create`: stop once the job exists (auto_start as given)


@dataclass(frozen=True)
class Checked:
    """A local file passed validation."""

    path: Path
    report: Report


@dataclass(frozen=True)
class FileReady:
    """A local file is uploaded (or an identical upload reused)."""

    path: Path
    uploaded: files_svc.Uploaded


@dataclass(frozen=True)
class JobReady:
    """The job exists: created now, or an existing one attached to."""

    job: Job
    attached: bool


@dataclass(frozen=True)
class Estimate:
    """The server's estimate at VALIDATED (or from a dry run)."""

    job_id: str | None
    meta: JobMetadata
    epochs: float | None


@dataclass(frozen=True)
class Started:
    """The job was started."""

    job: Job


@dataclass(frozen=True)
class Parked:
    """Stopped on purpose before the end (--estimate-only, --no-wait, --dry-run)."""

    job: Job | None
    reason: str


RunEvent = Checked | FileReady | JobReady | Estimate | Started | Parked | WaitEvent
Validator = Callable[[Path, Path | None], Report]


def epochs(meta: JobMetadata, steps: int | None) -> float | None:
    """Epochs = steps × tokens per step ÷ data tokens, when all are known."""
    if isinstance(meta, DryRunOut) and meta.epochs:
        return meta.epochs
    per_step, data = meta.train_tokens_per_step, meta.data_tokens
    if not per_step or not data:
        return None
    if not steps and meta.train_tokens:
        steps = meta.train_tokens // per_step
    return steps * per_step / data if steps else None


def parse_weighted(entry: str) -> tuple[str, float]:
    """`PATH|ID[@WEIGHT]` → (PATH|ID, weight); `@` because `:` is in Windows paths."""
    source, sep, weight = entry.rpartition("@")
    if not sep or not source:
        return entry, 1.0
    try:
        value = float(weight)
    except ValueError:
        return entry, 1.0  # an @ that is part of the name
    if value <= 0:
        raise UsageError(f"FT701: weight must be > 0, got {weight} in {entry!r}")
    return source, value


def split_source(entry: str) -> tuple[Path | None, str | None]:
    """A --train/--val value: an existing local path, or a file id; else a usage error."""
    path = Path(entry).expanduser()
    if path.is_file():
        return path, None
    if UUID.match(entry):
        return None, entry
    raise UsageError(f"no such file: {entry}", hint="give a .jsonl path or an uploaded file id")


def local_validator(strict: bool) -> Validator:
    """The offline validator (FT001–FT602) as a (train, val) → Report function."""
    from mistral_cli.services.ftdata.validate import validate

    def check(train: Path, val: Path | None) -> Report:
        return validate(train, val=val, strict=strict)

    return check


def _check_local(plan: RunPlan, validator: Validator) -> Iterator[Checked]:
    paths = [p for p, _ in (split_source(t) for t, _ in plan.train) if p is not None]
    vals = [p for p, _ in (split_source(v) for v in plan.val) if p is not None]
    for index, path in enumerate(paths):
        report = validator(path, vals[0] if index == 0 and vals else None)
        if not report.ok:
            raise DataValidationError(
                f"{path}: {report.errors} error(s), {report.warnings} warning(s)",
                hint=f"details: mistral finetune validate {path}",
            )
        yield Checked(path, report)


def upload_sources(
    client: files_svc.FilesClient,
    plan: RunPlan,
    cache: files_svc.UploadCache | None,
    on_progress: files_svc.Progress,
) -> Iterator[FileReady]:
    """Upload every local --train/--val path; fill the spec's file ids in order."""
    plan.spec.training_files, plan.spec.validation_files = [], []
    for entry, weight in plan.train:
        path, file_id = split_source(entry)
        if path is not None:
            ready = FileReady(path, _upload(client, path, plan, cache, on_progress))
            file_id = ready.uploaded.file.id
            yield ready
        plan.spec.training_files.append((str(file_id), weight))
    for entry in plan.val:
        path, file_id = split_source(entry)
        if path is not None:
            ready = FileReady(path, _upload(client, path, plan, cache, on_progress))
            file_id = ready.uploaded.file.id
            yield ready
        plan.spec.validation_files.append(str(file_id))


def _upload(
    client: files_svc.FilesClient,
    path: Path,
    plan: RunPlan,
    cache: files_svc.UploadCache | None,
    on_progress: files_svc.Progress,
) -> files_svc.Uploaded:
    return files_svc.upload(client, path, cache=cache, reuse=plan.reuse, on_progress=on_progress)


@dataclass
class Runner:
    """Runs a plan against a client; sleep, rand, clock and policy are the test seams."""

    client: jobs.JobsClient
    files_client: files_svc.FilesClient
    cache: files_svc.UploadCache | None = None
    policy: PollPolicy = field(default_factory=PollPolicy)
    sleep: Callable[[float], None] | None = None
    rand: Callable[[], float] = random.random  # the poll interval's jitter
    clock: Callable[[], float] = time.monotonic  # a wait's elapsed time (for its timeout)
    validator: Validator | None = None
    on_progress: files_svc.Progress = files_svc._quiet  # the shared no-op
    seen: Seen = field(default_factory=Seen)
    resolve_model: Callable[[str], str] | None = None  # after validation: no request before it

    def run(self, plan: RunPlan) -> Iterator[RunEvent]:
        """Yield what happens, step by step; the last event is Finished or Parked."""
        if plan.validate:
            yield from _check_local(plan, self.validator or local_validator(plan.strict))
        if self.resolve_model is not None:
            plan.spec.model = self.resolve_model(plan.spec.model)
        jobs.preflight(self.client, plan.spec.model)
        yield from upload_sources(self.files_client, plan, self.cache, self.on_progress)
        if not plan.create_only:
            plan.spec.auto_start = False  # start only after the estimate and budget check
        job_in = jobs.build_job_in(plan.spec)
        if plan.dry_run:
            yield from self._dry_run(job_in)
            return
        if plan.reuse_succeeded:
            done = jobs.matching_jobs(self.client, job_in, terminal=True)
            if done:
                yield JobReady(done[0], attached=True)
                yield Finished(jobs.get_job(self.client, done[0].id))
                return
        try:
            job, attached = jobs.create_or_attach(self.client, job_in, attach=plan.attach)
        except jobs.EstimateNotJob as odd:  # shown, then exit 1: no job id to follow
            yield Estimate(None, odd.estimate, epochs(odd.estimate, odd.estimate.training_steps))
            raise
        yield JobReady(job, attached)
        self.seen.status = job.status
        if plan.create_only:
            yield Parked(job, "created")
            return
        yield from self.follow(job, plan)

    def _dry_run(self, job_in: JobIn) -> Iterator[RunEvent]:
        answer = jobs.dry_run(self.client, job_in)
        if isinstance(answer, Job):  # the legacy route created a job anyway
            yield JobReady(answer, attached=False)
            meta = answer.metadata or JobMetadata()
            yield Estimate(answer.id, meta, epochs(meta, None))
            yield Parked(answer, "dry run: a job was created anyway; it waits at VALIDATED")
            return
        yield Estimate(None, answer, epochs(answer, answer.training_steps))
        yield Parked(None, "dry run")

    def follow(self, job: Job, plan: RunPlan) -> Iterator[RunEvent]:
        """From a created (or attached) job: estimate, budget, start, wait."""
        if not job.auto_start and job.status not in jobs.TERMINAL:
            job = yield from self._until_validated(job, plan)
            if job.status in jobs.TERMINAL:
                yield Finished(job)
                return
            yield from self._estimate(job, plan)
            if plan.estimate_only:
                yield Parked(job, "estimate only: the job waits at VALIDATED")
                return
            job = jobs.start_job(self.client, job.id)
            self.seen.status = job.status
            yield Started(job)
        if not plan.wait:
            yield Parked(job, "not waiting")
            return
        yield from self.wait(job.id, plan.timeout)

    def _until_validated(self, job: Job, plan: RunPlan) -> Generator[RunEvent, None, Job]:
        final = job
        for event in self.wait(job.id, plan.timeout, until=_validated):
            if isinstance(event, Finished):
                final = event.job
            else:
                yield event
        return final

    def _estimate(self, job: Job, plan: RunPlan) -> Iterator[RunEvent]:
        meta = job.metadata or JobMetadata()
        steps = job.settings.get("training_steps")
        yield Estimate(job.id, meta, epochs(meta, steps if isinstance(steps, int) else None))
        problem = plan.budget.check(job.metadata) if plan.budget else None
        if problem is None:
            return
        if plan.cancel_if_over_budget:
            jobs.cancel_job(self.client, job.id)
            raise BudgetExceeded(f"{problem}; job {job.id} was cancelled")
        raise BudgetExceeded(
            f"{problem}; job {job.id} waits at VALIDATED",
            hint=f"start it anyway: mistral finetune start {job.id}",
        )

    def wait(
        self, job_id: str, timeout: float | None, until: Callable[[Job], bool] | None = None
    ) -> Iterator[WaitEvent]:
        """Follow a job with this runner's policy, sleep, rand and clock."""
        sleep = self.sleep or time.sleep
        return watch(
            self.client,
            job_id,
            policy=self.policy,
            sleep=sleep,
            clock=self.clock,
            rand=self.rand,
            timeout=timeout,
            until=until,
            seen=self.seen,
        )


def _validated(job: Job) -> bool:
    return job.status == "VALIDATED"


def github_output(path: str, job: Job) -> None:
    """Append job_id, status and fine_tuned_model to $GITHUB_OUTPUT."""
    lines = [
        f"job_id={job.id}",
        f"status={job.status or ''}",
        f"fine_tuned_model={job.fine_tuned_model or ''}",
    ]
    try:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write GITHUB_OUTPUT {path}: {exc.strerror or exc}") from None


def save_state(path: Path, job: Job) -> None:
    """--state-file: the job id and status as JSON, so a later step can resume."""
    document = {"job_id": job.id, "status": job.status, "model": job.model}
    try:
        path.write_text(json.dumps(document) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
