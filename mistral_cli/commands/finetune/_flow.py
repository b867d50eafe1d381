"""What the finetune verbs share: the notice, poll policy, event lines, Ctrl-C and the final job."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.commands.finetune._events import SCHEMA_VERSION, Reporter
from mistral_cli.errors import CliError, Interrupted, JobEnded, WaitTimeout

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.api.schemas.finetune import Job
    from mistral_cli.context import AppContext
    from mistral_cli.services.finetune.budget import Budget
    from mistral_cli.services.finetune.wait import PollPolicy
    from mistral_cli.services.ftdata.report import Report

DEPRECATION = "mistral: note: the fine-tuning API is deprecated upstream"


def deprecation_notice(actx: AppContext) -> None:
    """Say once per run that the API is deprecated, unless MISTRAL_NO_DEPRECATION_NOTICE is on."""
    if actx.settings.deprecation_notice:
        actx.out.notice(DEPRECATION)


def poll_policy(actx: AppContext) -> PollPolicy:
    """5 s ×1.5 to 60 s, or a fixed MISTRAL_POLL_INTERVAL (a testing/CI knob)."""
    from mistral_cli.services.finetune.wait import PollPolicy

    fixed = actx.settings.poll_interval
    return PollPolicy() if fixed is None else PollPolicy.fixed(fixed)


def duration(text: str | None) -> float | None:
    """--timeout: '6h', '30m', '90s', '1h30m' or plain seconds → seconds."""
    from mistral_cli import values

    return None if text is None else values.duration(text, "--timeout")


def budget(actx: AppContext, text: str | None, *, setting: bool = True) -> Budget | None:
    """--max-cost in USD (exit 2 for `20EUR`); without it, MISTRAL_MAX_COST when `setting`."""
    from mistral_cli.services.finetune.budget import Budget

    if text is not None:
        return Budget.parse(text)
    limit = actx.settings.max_cost if setting else None
    if limit is None:
        return None
    source = actx.settings.source("max_cost")
    return Budget(limit, source if "MISTRAL_MAX_COST" in source else f"max_cost in {source}")


def drive(
    actx: AppContext,
    events: Iterable[object],
    reporter: Reporter,
    *,
    cancel_on_interrupt: bool = False,
    cancel_on_timeout: bool = False,
) -> None:
    """Consume events; on Ctrl-C print how to resume (cancel first if asked) and re-raise."""
    try:
        for event in events:
            reporter(event)
    except Interrupted:
        _interrupted(actx, reporter, cancel=cancel_on_interrupt)
        raise
    except WaitTimeout as exc:
        job_id = reporter.job_id
        if cancel_on_timeout and job_id and _cancel(actx, job_id):
            exc.hint = None  # it does not run on: the cancel line above says what happens
        raise


def _interrupted(actx: AppContext, reporter: Reporter, *, cancel: bool) -> None:
    job_id = reporter.job_id
    if job_id is None:
        return
    if cancel and _cancel(actx, job_id):
        return  # cancelled: nothing to resume, nothing left to cancel
    actx.out.info(
        f"job {job_id} is still {reporter.status}; resume: mistral finetune wait {job_id}; "
        f"cancel: mistral finetune cancel {job_id}"
    )


def _cancel(actx: AppContext, job_id: str) -> bool:
    """Ask the server to cancel the job; False (and a warning) when it could not be asked."""
    from mistral_cli.services.finetune import jobs as svc

    try:
        job = svc.cancel_job(actx.client(), job_id)
    except CliError as exc:
        actx.out.warn(f"could not cancel job {job_id}: {exc.message}")
        return False
    actx.out.info(
        f"job {job_id}: cancellation requested ({job.status or '?'}); "
        f"follow it: mistral finetune status {job_id}"
    )
    return True


@dataclass(frozen=True)
class Handoff:
    """Where a verb hands the job to the next step: --output-model (and --force for it)."""

    output_model: Path | None = None
    force: bool = False


def finish(
    actx: AppContext, job: Job, *, json_out: bool, jsonl: bool, handoff: Handoff = Handoff()
) -> None:
    """The final job: stdout's last line is the model id (or JSON); exit code from the status."""
    from mistral_cli.services.finetune import insight
    from mistral_cli.services.finetune.handoff import save_model
    from mistral_cli.services.finetune.wait import EXIT_CODES

    code = EXIT_CODES.get(job.status or "", 0)
    if json_out:
        actx.out.json(job.wire())
    elif jsonl:
        final = {"job_id": job.id, "status": job.status, "fine_tuned_model": job.fine_tuned_model}
        document = {"type": "job.final", "schema_version": SCHEMA_VERSION, **final}
        actx.out.jsonl({**document, "exit_code": code})
    elif job.fine_tuned_model:
        actx.out.line(job.fine_tuned_model)
    _github_output(actx, job)
    if code:
        raise JobEnded(
            f"job {job.id} ended {job.status}",
            code,
            hint=f"events and checkpoints: mistral finetune status {job.id}",
        )
    if handoff.output_model is not None:
        save_model(handoff.output_model, job, force=handoff.force)
    for command in insight.next_commands(job):
        actx.out.info(f"next: {command}")


def _github_output(actx: AppContext, job: Job) -> None:
    target = actx.environ.get("GITHUB_OUTPUT")
    if target:
        from mistral_cli.services.finetune.handoff import github_output

        github_output(target, job)


class Progress:
    """An upload progress callback feeding one stderr reporter per file (bar on a terminal)."""

    def __init__(self, actx: AppContext, label: str, size: int) -> None:
        self._bar = actx.out.progress(label, total=2 * size, unit="B")
        self._seen: dict[str, int] = {}

    def __enter__(self) -> Progress:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Advance by the bytes done since the last call of this phase."""
        step = done - self._seen.get(phase, 0)
        self._seen[phase] = done
        if step > 0:
            self._bar.advance(step, note=phase)


def print_job(
    actx: AppContext,
    reporter: Reporter,
    *,
    json_out: bool,
    jsonl: bool,
    handoff: Handoff = Handoff(),
) -> None:
    """After a verb: a terminal job goes through finish(); else stdout gets the job id (or JSON)."""
    from mistral_cli.services.finetune.wait import EXIT_CODES

    job = reporter.job
    if job is None:
        return
    if job.status in EXIT_CODES:
        finish(actx, job, json_out=json_out, jsonl=jsonl, handoff=handoff)
        return
    if json_out:
        actx.out.json(job.wire())
    elif not jsonl:
        actx.out.line(job.id)
    _github_output(actx, job)


def require_valid(actx: AppContext, path: Path, report: Report) -> None:
    """Before an upload: print the findings of a failing report and exit 8."""
    from mistral_cli.commands.finetune._render import render_text
    from mistral_cli.errors import DataValidationError

    if report.ok:
        return
    actx.out.info(render_text(report))
    raise DataValidationError(
        f"{path}: {report.errors} error(s); nothing was uploaded",
        hint=f"fix the data (mistral finetune validate {path} --fix OUT) or pass --no-validate",
    )


def show_reports(actx: AppContext, reports: list[Report], fmt: str) -> None:
    """Print validation reports (text on stderr; json/github on stdout); exit 8 when not ok."""
    from mistral_cli.commands.finetune import _render as render
    from mistral_cli.errors import DataValidationError

    for report in reports:
        if fmt == "json":
            actx.out.json(render.render_json(report))
        elif fmt == "github":
            text = render.render_github(report)
            if text:
                actx.out.line(text)
        else:
            actx.out.info(render.render_text(report))
    failed = [report for report in reports if not report.ok]
    if failed:
        errors = sum(report.errors for report in failed)
        warnings = sum(report.warnings for report in failed)
        raise DataValidationError(f"validation failed: {errors} error(s), {warnings} warning(s)")
