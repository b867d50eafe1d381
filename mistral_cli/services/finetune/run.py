"""`finetune run`: validate → preflight → upload → create → estimate and budget → start → wait."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mistral_cli.api.schemas.finetune import DryRunOut, Job, JobIn, JobMetadata
from mistral_cli.errors import BudgetExceeded
from mistral_cli.services import files as files_svc
from mistral_cli.services.finetune import body, jobs
from mistral_cli.services.finetune.budget import Budget, over_budget_hint
from mistral_cli.services.finetune.local import (
    CLASSIFIER,
    Checked,
    Targets,
    Validator,
    check_job_type,
    check_local,
    classifier_targets,
    local_validator,
    split_source,
)
from mistral_cli.services.finetune.wait import Finished, PollPolicy, Seen, WaitEvent, watch

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator
    from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class RunPlan:
    """What `run` (and `start` with create flags) does; `train` holds (PATH|ID, weight)."""

    spec: body.JobSpec
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


RunEvent = Checked | Targets | FileReady | JobReady | Estimate | Started | Parked | WaitEvent


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
        yield from self._local(plan)
        if self.resolve_model is not None:
            plan.spec.model = self.resolve_model(plan.spec.model)
        jobs.preflight(self.client, plan.spec.model)
        yield from upload_sources(self.files_client, plan, self.cache, self.on_progress)
        if not plan.create_only:
            plan.spec.auto_start = False  # start only after the estimate and budget check
        job_in = body.build_job_in(plan.spec)
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

    def _local(self, plan: RunPlan) -> Iterator[RunEvent]:
        """Validate local data (exit 8 before any request); a classifier's targets from it."""
        classifier = plan.spec.job_type == CLASSIFIER
        checked: list[Checked] = []
        if plan.validate or classifier:
            validator = self.validator or local_validator(plan.strict)
            train = [entry for entry, _ in plan.train]
            for item in check_local(train, plan.val, validator, enforce=plan.validate):
                checked.append(item)
                if plan.validate:
                    yield item
        check_job_type(plan.spec.job_type, checked)
        if classifier:
            targets = classifier_targets([e for e, _ in plan.train], checked, plan.spec.targets)
            plan.spec.classifier_targets = targets.targets or None
            yield targets

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

    def start(
        self,
        job_id: str,
        *,
        budget: Budget | None = None,
        cancel_if_over_budget: bool = False,
        wait: bool = False,
        timeout: float | None = None,
    ) -> Iterator[RunEvent]:
        """`start JOB`: with a budget, check the job's estimate first; then start (and wait)."""
        if budget is not None:
            job = jobs.get_job(self.client, job_id)
            self.seen.status = job.status
            yield from self._estimate(job, budget, cancel=cancel_if_over_budget, rerun=False)
        job = jobs.start_job(self.client, job_id)
        self.seen.status = job.status
        yield Started(job)
        if not wait:
            yield Parked(job, "not waiting")
            return
        yield from self.wait(job.id, timeout)

    def follow(self, job: Job, plan: RunPlan) -> Iterator[RunEvent]:
        """From a created (or attached) job: estimate, budget, start, wait."""
        if not job.auto_start and job.status not in _UNDER_WAY:
            job = yield from self._until_validated(job, plan)
            if job.status in jobs.TERMINAL:
                yield Finished(job)
                return
            yield from self._estimate(job, plan.budget, cancel=plan.cancel_if_over_budget)
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

    def _estimate(
        self, job: Job, budget: Budget | None, *, cancel: bool, rerun: bool = True
    ) -> Iterator[RunEvent]:
        meta = job.metadata or JobMetadata()
        steps = job.settings.get("training_steps")
        yield Estimate(job.id, meta, epochs(meta, steps if isinstance(steps, int) else None))
        problem = budget.check(job.metadata) if budget else None
        if problem is None:
            return
        if cancel:
            jobs.cancel_job(self.client, job.id)
            raise BudgetExceeded(f"{problem}; job {job.id} was cancelled")
        raise BudgetExceeded(
            f"{problem}; job {job.id} waits at VALIDATED (nothing is spent until it starts)",
            hint=over_budget_hint(job.id, budget, rerun=rerun),
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


# A job past its validation: attaching to it follows it, with no estimate and no start.
_UNDER_WAY = jobs.TERMINAL | {"RUNNING", "CANCELLATION_REQUESTED"}
