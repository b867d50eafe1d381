"""One line (or JSON line) per run/wait event; imported only once a verb runs."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mistral_cli.services.cells import unknown
from mistral_cli.services.finetune import local as local_svc
from mistral_cli.services.finetune import run as run_svc
from mistral_cli.services.finetune import wait as wait_svc
from mistral_cli.services.pricing import money
from mistral_cli.values import counted

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.api.schemas.finetune import Job
    from mistral_cli.context import AppContext

SCHEMA_VERSION = 1


def _clock() -> str:
    return time.strftime("%H:%M:%S")


@dataclass
class Reporter:
    """Turns run and wait events into stderr lines, or JSON lines on stdout with --jsonl."""

    actx: AppContext
    jsonl: bool = False
    job: Job | None = None
    job_id: str | None = None
    status: str = "unknown"
    state_file: Path | None = None
    following: bool = False  # wait/status --wait: nothing starts the job from here

    def emit(self, kind: str, text: str, **data: Any) -> None:  # noqa: ANN401
        """One event: a JSON line on stdout with --jsonl, else a line on stderr."""
        if self.jsonl:
            self.actx.out.jsonl({"type": kind, "schema_version": SCHEMA_VERSION, **data})
        else:
            self.actx.out.info(f"[{_clock()}] {text}")

    def __call__(self, event: object) -> None:
        """Render one event (run.* and wait.* dataclasses)."""
        render(self, event)

    def track(self, job: Job) -> None:
        """Remember the job being followed (for the Ctrl-C hint and the final line)."""
        first = self.job is None
        self.job, self.job_id, self.status = job, job.id, job.status or "unknown"
        if first and self.state_file is not None:
            from mistral_cli.fsio import WriteFailed
            from mistral_cli.services.finetune.handoff import save_state

            try:
                save_state(self.state_file, job)
            except WriteFailed as exc:
                hint = f"job {job.id} exists ({self.status}): mistral finetune status {job.id}"
                raise WriteFailed(exc.message, hint=hint) from None


def render(rep: Reporter, event: object) -> None:
    """Dispatch one event to its renderer."""
    for kind, handler in _HANDLERS:
        if isinstance(event, kind):
            handler(rep, event)
            return


def _status(rep: Reporter, event: wait_svc.StatusChanged) -> None:
    rep.track(event.job)
    text = f"{event.previous} → {event.status}" if event.previous else f"job {event.job.id}"
    if not event.previous:
        text += f" is {event.status}"
    data = {"job_id": event.job.id, "status": event.status, "previous": event.previous}
    rep.emit("job.status", text, **data)
    if rep.following and event.status == "VALIDATED" and event.job.auto_start is False:
        job_id = event.job.id
        rep.actx.out.warn(
            f"job {job_id} waits at VALIDATED until it is started: mistral finetune start "
            f"{job_id} --wait (or cancel it: mistral finetune cancel {job_id})"
        )


def _unknown(rep: Reporter, event: wait_svc.UnknownStatus) -> None:
    rep.actx.out.warn(f"unknown job status {event.status!r}; still polling")


def _event(rep: Reporter, event: wait_svc.NewEvent) -> None:
    data = f" {json.dumps(event.event.data, ensure_ascii=False)}" if event.event.data else ""
    payload = {"job_id": rep.job_id, "name": event.event.name, "data": event.event.data}
    rep.emit("job.event", f"event {event.event.name}{data}", **payload)


def _checkpoint(rep: Reporter, event: wait_svc.NewCheckpoint) -> None:
    cp = event.checkpoint
    metrics = cp.values()
    shown = ", ".join(f"{name} {value:g}" for name, value in metrics.items())
    data = {"job_id": rep.job_id, "step_number": cp.step_number, "metrics": metrics}
    rep.emit("job.checkpoint", f"checkpoint step {cp.step_number}: {shown or 'no metrics'}", **data)


def _retrying(rep: Reporter, event: wait_svc.Retrying) -> None:
    rep.actx.out.notice(
        event.note
        or f"mistral: poll failed ({event.error.message}); {event.failures} in a row, still trying"
    )


def _finished(rep: Reporter, event: wait_svc.Finished) -> None:
    rep.track(event.job)


def _targets(rep: Reporter, event: local_svc.Targets) -> None:
    if event.by_server:
        text = "classifier targets: inferred by the server (training files given by id)"
    else:
        text = "classifier targets: " + "; ".join(
            f"{t.name} ({t.kind}, {counted(len(t.labels), 'label')})" for t in event.targets
        )
    targets = [
        {"name": t.name, "labels": list(t.labels), "loss_function": t.loss_function}
        for t in event.targets
    ]
    rep.emit("job.targets", text, targets=targets, by_server=event.by_server)


def _checked(rep: Reporter, event: local_svc.Checked) -> None:
    report = event.report
    examples, tokens = counted(report.samples, "example"), counted(report.tokens, "token")
    text = f"{event.path}: ok ({examples}, ~{tokens}"
    text += f", {counted(report.warnings, 'warning')})" if report.warnings else ")"
    rep.emit("file.validated", text, path=str(event.path), warnings=report.warnings)


def _file(rep: Reporter, event: run_svc.FileReady) -> None:
    up = event.uploaded
    verb = "reusing" if up.reused else "uploaded"
    data = {"file_id": up.file.id, "sha256": up.sha256, "reused": up.reused}
    rep.emit("file.uploaded", f"{verb} {event.path} as {up.file.id}", **data)


def _job(rep: Reporter, event: run_svc.JobReady) -> None:
    rep.track(event.job)
    verb = "attached to" if event.attached else "created"
    text = f"{verb} job {event.job.id} ({unknown(event.job.status)})"
    rep.emit("job.created", text, job_id=event.job.id, attached=event.attached)


def _estimate(rep: Reporter, event: run_svc.Estimate) -> None:
    meta = event.meta
    parts: list[str] = []
    if meta.cost is not None:
        parts.append(f"cost {money(meta.cost, (meta.cost_currency or 'USD').upper())}")
    if meta.expected_duration_seconds:
        parts.append(f"~{max(1, round(meta.expected_duration_seconds / 60))} min")
    if event.epochs is not None:
        parts.append(f"{event.epochs:.2f} epochs")
    data: dict[str, Any] = {"job_id": event.job_id, **meta.model_dump(exclude_none=True)}
    data["epochs"] = event.epochs
    rep.emit("job.estimate", "estimate: " + (", ".join(parts) or "none given"), **data)


def _started(rep: Reporter, event: run_svc.Started) -> None:
    rep.track(event.job)
    text = f"started job {event.job.id} ({unknown(event.job.status)})"
    rep.emit("job.started", text, job_id=event.job.id, status=event.job.status)


def _parked(rep: Reporter, event: run_svc.Parked) -> None:
    if event.job is not None:
        rep.track(event.job)
    rep.emit("job.parked", event.reason, job_id=rep.job_id, reason=event.reason)


_HANDLERS: tuple[tuple[type[Any], Any], ...] = (
    (wait_svc.StatusChanged, _status),
    (wait_svc.UnknownStatus, _unknown),
    (wait_svc.NewEvent, _event),
    (wait_svc.NewCheckpoint, _checkpoint),
    (wait_svc.Retrying, _retrying),
    (wait_svc.Finished, _finished),
    (local_svc.Checked, _checked),
    (local_svc.Targets, _targets),
    (run_svc.FileReady, _file),
    (run_svc.JobReady, _job),
    (run_svc.Estimate, _estimate),
    (run_svc.Started, _started),
    (run_svc.Parked, _parked),
)
