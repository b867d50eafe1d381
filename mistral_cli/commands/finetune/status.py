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
    actx.out.fields(svc.details(found))
    if events:
        from mistral_cli.services.cells import unknown

        for event in found.events:
            actx.out.line(f"{unknown(event.created_at)}\t{event.name}\t{event.data or ''}")


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

    reporter = _events.Reporter(actx, jsonl=jsonl, job_id=job)
    events = _plan.runner(actx).wait(job, _flow.duration(timeout))
    _flow.drive(
        actx,
        events,
        reporter,
        cancel_on_interrupt=cancel_on_interrupt,
        cancel_on_timeout=cancel_on_timeout,
    )
    _flow.print_job(actx, reporter, json_out=json_out, jsonl=jsonl)
