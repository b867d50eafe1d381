"""Follow a job: poll with backoff and jitter, yield each new status, event and checkpoint once."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mistral_cli.api.errors import (
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedAnswer,
    unreadable,
)
from mistral_cli.api.parse import PollTolerance
from mistral_cli.errors import CliError, ExitCode, WaitTimeout
from mistral_cli.services.finetune.jobs import BASE, JobsClient, get_job

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mistral_cli.api.schemas.finetune import Checkpoint, Job, JobEvent

EXIT_CODES: dict[str, int] = {
    "SUCCESS": ExitCode.OK,
    "FAILED": ExitCode.JOB_FAILED,
    "FAILED_VALIDATION": ExitCode.VALIDATION,
    "CANCELLED": ExitCode.JOB_CANCELLED,
}
KNOWN = frozenset(
    {"QUEUED", "STARTED", "VALIDATING", "VALIDATED", "RUNNING", "CANCELLATION_REQUESTED"}
) | frozenset(EXIT_CODES)
TRANSIENT = (NetworkError, ServerError, RateLimited)


class LostContact(CliError):
    """Too many polls in a row failed; the job may still be running (exit 6)."""

    exit_code = ExitCode.NETWORK


@dataclass(frozen=True)
class PollPolicy:
    """Poll every `initial` s, ×`factor` up to `cap`, ±`jitter`; reset when the status changes."""

    initial: float = 5.0
    factor: float = 1.5
    cap: float = 60.0
    jitter: float = 0.2
    max_failures: int = 10

    @classmethod
    def fixed(cls, seconds: float) -> PollPolicy:
        """A constant interval without jitter (MISTRAL_POLL_INTERVAL: tests and CI)."""
        return cls(initial=seconds, factor=1.0, cap=seconds, jitter=0.0)

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """The pause before poll number `attempt` (0-based) since the last status change."""
        base = min(self.cap, self.initial * self.factor ** min(attempt, 64))
        return max(0.0, base * (1 + self.jitter * (2 * rand() - 1)))


@dataclass(frozen=True)
class StatusChanged:
    """The job moved to a new status (the first poll reports the starting one)."""

    job: Job
    previous: str | None
    status: str


@dataclass(frozen=True)
class NewEvent:
    """An event other than a status update, seen for the first time."""

    event: JobEvent


@dataclass(frozen=True)
class NewCheckpoint:
    """A checkpoint seen for the first time."""

    checkpoint: Checkpoint


@dataclass(frozen=True)
class UnknownStatus:
    """A status this version does not know (reported once; polling goes on)."""

    status: str


@dataclass(frozen=True)
class Retrying:
    """A poll failed transiently; `failures` in a row so far."""

    error: CliError
    failures: int
    note: str | None = None  # an unreadable answer's line (else the renderer words it)


@dataclass(frozen=True)
class Finished:
    """The wait is over: a terminal status, or the `until` condition held."""

    job: Job

    @property
    def exit_code(self) -> int:
        """0 for SUCCESS, 7/8/9 for the failures, 0 when stopped early (not terminal)."""
        return EXIT_CODES.get(self.job.status or "", ExitCode.OK)


WaitEvent = StatusChanged | NewEvent | NewCheckpoint | UnknownStatus | Retrying | Finished


@dataclass
class Seen:
    """What a follower has reported already (shared across waits of one run)."""

    status: str | None = None
    events: set[str] = field(default_factory=set)
    steps: set[int] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)

    def news(self, job: Job) -> Iterator[WaitEvent]:
        """The status change, unknown status, events and checkpoints not reported yet."""
        status = job.status or "unknown"
        if status != self.status:
            yield StatusChanged(job, self.status, status)
            self.status = status
        if status not in KNOWN and status not in self.unknown:
            self.unknown.add(status)
            yield UnknownStatus(status)
        for event in sorted(job.events, key=lambda e: e.created_at or 0):
            key = json.dumps([event.name, event.created_at, event.data], sort_keys=True)
            if key not in self.events:
                self.events.add(key)
                if event.name != "status-updated":
                    yield NewEvent(event)
        for checkpoint in sorted(job.checkpoints, key=lambda c: c.step_number):
            if checkpoint.step_number not in self.steps:
                self.steps.add(checkpoint.step_number)
                yield NewCheckpoint(checkpoint)


def watch(
    client: JobsClient,
    job_id: str,
    *,
    policy: PollPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
    timeout: float | None = None,
    until: Callable[[Job], bool] | None = None,
    seen: Seen | None = None,
) -> Iterator[WaitEvent]:
    """Poll `job_id` until a terminal status (or `until(job)`); the last event is Finished.

    Raises WaitTimeout after `timeout` seconds (elapsed = the clock, or at least the time slept),
    LostContact after `policy.max_failures` failed polls in a row, and UnexpectedAnswer after
    more than 3 unreadable answers in a row. `seen` carries what was reported already (its
    `status` is the last one shown).
    """
    policy = policy or PollPolicy()
    seen = seen if seen is not None else Seen()
    started, slept, attempt, failures = clock(), 0.0, 0, 0
    tolerance = PollTolerance()
    while True:
        try:
            job = _polled(client, job_id)
        except TRANSIENT as exc:
            if unreadable(exc):
                count = tolerance.failed(
                    exc, where=f"GET {BASE}/{job_id}", resume=f"mistral finetune wait {job_id}"
                )
                yield Retrying(exc, count, tolerance.note(exc))
            else:
                failures += 1
                if failures >= policy.max_failures:
                    raise LostContact(
                        f"lost contact with the API after {failures} failed polls: {exc.message}",
                        hint=f"the job may still run; resume: mistral finetune wait {job_id}",
                    ) from None
                yield Retrying(exc, failures)
        else:
            failures = 0
            tolerance.ok()
            if job.status != seen.status:
                attempt = 0
            yield from seen.news(job)
            if job.status in EXIT_CODES or (until is not None and until(job)):
                yield Finished(job)
                return
        elapsed = max(clock() - started, slept)
        if timeout is not None and elapsed >= timeout:
            raise WaitTimeout(
                f"job {job_id} is still {seen.status or 'unknown'} after {timeout:g} s",
                hint=f"it runs on; resume: mistral finetune wait {job_id}",
            )
        delay = policy.delay(attempt, rand)
        if timeout is not None:
            delay = min(delay, timeout - elapsed)
        sleep(delay)
        slept += delay
        attempt += 1


def _polled(client: JobsClient, job_id: str) -> Job:
    """One poll; a job without a status cannot be followed (an unreadable answer)."""
    job = get_job(client, job_id)
    if not job.status:
        raise UnexpectedAnswer(f"GET {BASE}/{job_id}", "status is missing", answer=job.wire())
    return job
