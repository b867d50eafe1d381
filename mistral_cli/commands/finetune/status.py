"""`finetune status` and `finetune wait` (alias `watch`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from mistral_cli.commands._shared import JsonOpt
from mistral_cli.commands.finetune import _opts as o

if TYPE_CHECKING:
    from mistral_cli.context import AppContext


def status(
    ctx: typer.Context,
    job: o.JobArg,
    wait: o.WaitOpt = False,
    timeout: o.TimeoutOpt = None,
    cancel_on_interrupt: o.CancelIntOpt = False,
    cancel_on_timeout: o.CancelTimeoutOpt = False,
    events: bool = typer.Option(False, "--events", help="List the job's events too."),
    json_out: JsonOpt = False,
    jsonl: o.JsonlOpt = False,
) -> None:
    """Show a job; with --wait follow it to its end (the exit status tells the outcome).

    Example: mistral finetune status 5c2b9e10-… --wait --timeout 6h
    """
    from mistral_cli.commands.finetune import _flow
    from mistral_cli.context import app_context
    from mistral_cli.services.finetune import jobs as svc

    actx = app_context(ctx)
    _flow.deprecation_notice(actx)
    if wait:
        _follow(
            actx,
            job,
            timeout=timeout,
            cancel_on_interrupt=cancel_on_interrupt,
            cancel_on_timeout=cancel_on_timeout,
            json_out=json_out,
            jsonl=jsonl,
        )
        return
    found = svc.get_job(actx.client(), job)
    if json_out:
        actx.out.json(found.wire())
        return
    from mistral_cli.services.finetune import insight

    actx.out.fields(insight.details(found))
    if events:
        from mistral_cli.services.cells import time_text

        for event in found.events:
            data = "" if event.data is None else insight.value_text(event.data)
            actx.out.line(f"{time_text(event.created_at)}\t{event.name}\t{data}".rstrip("\t"))
    for command in insight.next_commands(found):
        actx.out.info(f"next: {command}")


def checkpoints(ctx: typer.Context, job: o.JobArg, json_out: JsonOpt = False) -> None:
    """List a job's checkpoints: step, train and valid loss, valid mean token accuracy.

    Example: mistral finetune checkpoints 5c2b9e10-… --json
    """
    from mistral_cli.commands.finetune import _flow
    from mistral_cli.context import app_context
    from mistral_cli.services.finetune import insight
    from mistral_cli.services.finetune import jobs as svc

    actx = app_context(ctx)
    _flow.deprecation_notice(actx)
    found = svc.get_job(actx.client(), job)
    if json_out:
        data = [cp.wire() for cp in sorted(found.checkpoints, key=lambda c: c.step_number)]
        actx.out.json({"object": "list", "job_id": found.id, "data": data})
        return
    rows = insight.checkpoint_rows(found)
    actx.out.table(insight.CHECKPOINT_COLUMNS, rows)
    if not rows:
        actx.out.info(f"job {found.id} has no checkpoints yet ({found.status or 'status unknown'})")


def wait_job(
    ctx: typer.Context,
    job: o.JobArg,
    timeout: o.TimeoutOpt = None,
    cancel_on_interrupt: o.CancelIntOpt = False,
    cancel_on_timeout: o.CancelTimeoutOpt = False,
    json_out: JsonOpt = False,
    jsonl: o.JsonlOpt = False,
) -> None:
    """Follow a job to its end: events on stderr, the model id last on stdout.

    Example: mistral finetune wait 5c2b9e10-… --timeout 6h
    """
    from mistral_cli.commands.finetune import _flow
    from mistral_cli.context import app_context

    actx = app_context(ctx)
    _flow.deprecation_notice(actx)
    _follow(
        actx,
        job,
        timeout=timeout,
        cancel_on_interrupt=cancel_on_interrupt,
        cancel_on_timeout=cancel_on_timeout,
        json_out=json_out,
        jsonl=jsonl,
    )


def _follow(
    actx: AppContext,
    job: str,
    *,
    timeout: str | None,
    cancel_on_interrupt: bool,
    cancel_on_timeout: bool,
    json_out: bool,
    jsonl: bool,
) -> None:
    """Follow `job` to its end with this context's runner, then print it as every verb does."""
    from mistral_cli.commands.finetune import _events, _flow, _plan

    reporter = _events.Reporter(actx, jsonl=jsonl, job_id=job, following=True)
    events = _plan.runner(actx).wait(job, _flow.duration(timeout))
    _flow.drive(
        actx,
        events,
        reporter,
        cancel_on_interrupt=cancel_on_interrupt,
        cancel_on_timeout=cancel_on_timeout,
    )
    _flow.print_job(actx, reporter, json_out=json_out, jsonl=jsonl)
