"""`finetune list` and `finetune cancel`."""

from __future__ import annotations

import typer

from mistral_cli.commands._shared import JsonOpt, ModelOpt
from mistral_cli.commands.finetune import _opts as o


def list_jobs(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="Only jobs in this status."),
    model: ModelOpt = None,
    since: str | None = typer.Option(
        None, "--since", metavar="DATE", help="Created after (ISO date/time)."
    ),
    suffix: o.SuffixOpt = None,
    mine: bool = typer.Option(False, "--mine", help="Only jobs created with this key's user."),
    json_out: JsonOpt = False,
) -> None:
    """List fine-tuning jobs, newest first.

    Example: mistral finetune list --status RUNNING --json
    """
    from mistral_cli.commands.finetune import _flow
    from mistral_cli.context import app_context
    from mistral_cli.services.finetune import jobs as svc

    actx = app_context(ctx)
    _flow.deprecation_notice(actx)
    found = svc.list_jobs(
        actx.client(),
        status=status.upper() if status else None,
        model=model,
        since=since,
        suffix=suffix,
        created_by_me=mine,
    )
    from mistral_cli.services.recent_ids import remember

    remember(actx.cache_dir(), "job", [job.id for job in found.data])
    if json_out:
        actx.out.json(found.wire())
        return
    actx.out.table(svc.COLUMNS, [svc.row(job) for job in found.data])


def cancel(
    ctx: typer.Context,
    job: o.JobArg,
    wait: o.WaitOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Cancel a job; --wait until it is CANCELLED (or ended otherwise).

    Example: mistral finetune cancel 5c2b9e10-…
    """
    from mistral_cli.commands.finetune import _events, _flow, _plan
    from mistral_cli.context import app_context
    from mistral_cli.services.finetune import jobs as svc

    actx = app_context(ctx)
    _flow.deprecation_notice(actx)
    cancelled = svc.cancel_job(actx.client(), job)
    reporter = _events.Reporter(actx)
    reporter.track(cancelled)
    if wait:
        _flow.drive(actx, _plan.runner(actx).wait(job, None), reporter)
    final = reporter.job or cancelled
    if json_out:
        actx.out.json(final.wire())
    else:
        actx.out.line(f"{final.id}\t{final.status or '?'}")
