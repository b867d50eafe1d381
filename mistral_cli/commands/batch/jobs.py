"""`mistral batch status|wait|cancel|list`: following Batch API jobs."""

from __future__ import annotations

import typer

from mistral_cli.commands._shared import JsonOpt
from mistral_cli.commands.batch import _opts as o


def status(ctx: typer.Context, job_id: o.JobArg, json_out: JsonOpt = False) -> None:
    """Show a job: status, request counts, files.

    Example: mistral batch status JOB
    """
    from mistral_cli.services import batch as svc

    actx = o.context(ctx)
    o.show(actx, svc.get(actx.client(), job_id), json_out)


def wait(
    ctx: typer.Context, job_id: o.JobArg, timeout: o.TimeoutOpt = None, json_out: JsonOpt = False
) -> None:
    """Wait until a job ends: exit 0 on SUCCESS, 7 FAILED, 9 CANCELLED, 124 on timeout.

    Example: mistral batch wait JOB --timeout 6h
    """
    from mistral_cli import values
    from mistral_cli.commands._embed_jobs import wait_for

    limit = None if timeout is None else values.duration(timeout, "--timeout")
    actx = o.context(ctx)
    o.show(actx, wait_for(actx, job_id, limit), json_out)


def cancel(ctx: typer.Context, job_id: o.JobArg, json_out: JsonOpt = False) -> None:
    """Ask the API to cancel a job.

    Example: mistral batch cancel JOB
    """
    from mistral_cli.services import batch as svc

    actx = o.context(ctx)
    o.show(actx, svc.cancel(actx.client(), job_id), json_out)


def list_jobs(
    ctx: typer.Context,
    status_filter: o.StatusOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List batch jobs, newest first.

    Example: mistral batch list --status RUNNING
    """
    from mistral_cli.services import batch as svc

    actx = o.context(ctx)
    jobs = svc.list_jobs(actx.client(), status=status_filter)
    if json_out:
        documents = [job.wire() for job in jobs]
        actx.out.json({"object": "list", "data": documents, "total": len(jobs)})
    else:
        actx.out.table(svc.COLUMNS, [svc.row(job) for job in jobs])
