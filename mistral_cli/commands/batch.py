"""`mistral batch`: follow Batch API jobs (status, wait, download, cancel, list)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands._shared import JsonOpt, new_app

if TYPE_CHECKING:
    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.context import AppContext
    from mistral_cli.services.embed.job import Destination

app = new_app(
    "batch",
    "Follow Batch API jobs (started with `mistral embed --batch`).\n\n"
    "Example: mistral batch wait JOB && mistral batch download JOB > vectors.jsonl",
)
JobArg = Annotated[str, typer.Argument(metavar="JOB", help="The batch job id.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help="Write to FILE (- is stdout).", dir_okay=False, show_default=False
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing -o FILE.")]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="jsonl (default), json, csv or npy.", show_default=False),
]
StatusOpt = Annotated[
    str | None, typer.Option("--status", help="Only jobs in this status.", show_default=False)
]
TimeoutOpt = Annotated[
    str | None,
    typer.Option(
        metavar="DURATION",
        help="Give up waiting after this long (90s, 30m, 6h; exit 124; the job runs on).",
        show_default=False,
    ),
]


def _show(actx: AppContext, job: BatchJob, json_out: bool) -> None:
    from mistral_cli.services import batch as svc

    if json_out:
        actx.out.json(job.wire())
    else:
        actx.out.fields(svc.details(job))


def _context(ctx: typer.Context) -> AppContext:
    from mistral_cli.context import app_context
    from mistral_cli.services import batch as svc

    actx = app_context(ctx)
    svc.check_host(actx.settings.base_url)
    return actx


@app.command("status")
def status(ctx: typer.Context, job_id: JobArg, json_out: JsonOpt = False) -> None:
    """Show a job: status, request counts, files.

    Example: mistral batch status JOB
    """
    from mistral_cli.services import batch as svc

    actx = _context(ctx)
    _show(actx, svc.get(actx.client(), job_id), json_out)


@app.command("wait")
def wait(
    ctx: typer.Context, job_id: JobArg, timeout: TimeoutOpt = None, json_out: JsonOpt = False
) -> None:
    """Wait until a job ends: exit 0 on SUCCESS, 7 FAILED, 9 CANCELLED, 124 on timeout.

    Example: mistral batch wait JOB --timeout 6h
    """
    from mistral_cli import values
    from mistral_cli.commands._embed_jobs import wait_for

    limit = None if timeout is None else values.duration(timeout, "--timeout")
    actx = _context(ctx)
    _show(actx, wait_for(actx, job_id, limit), json_out)


@app.command("download")
def download(
    ctx: typer.Context,
    job_id: JobArg,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="Write the job's output file as it is.")
    ] = False,
    force: ForceOpt = False,
) -> None:
    """Write a finished embed job's vectors in input order (stdout, or -o FILE).

    Example: mistral batch download JOB -o vectors.jsonl
    """
    from mistral_cli.commands._embed_jobs import collect
    from mistral_cli.services import batch as svc
    from mistral_cli.services.embed import job as embed_job

    actx = _context(ctx)
    dest = embed_job.Destination(format=fmt, path=output, force=force)
    if raw and dest.file is not None:
        from mistral_cli import fsio

        fsio.check_new(dest.file, force=force)
    elif not raw:
        dest.check()  # an existing -o FILE needs --force: refused before any download
    found = svc.ended(svc.get(actx.client(), job_id))
    if raw:
        _raw(actx, found, dest)
        return
    collect(actx, found, dest)


def _raw(actx: AppContext, job: BatchJob, dest: Destination) -> None:
    from mistral_cli.errors import CliError
    from mistral_cli.services import files

    if not job.output_file:
        raise CliError(f"batch job {job.id} has no output file")
    if dest.file is not None:
        files.download(actx.client(), job.output_file, dest.file, force=dest.force)
        return
    with actx.client().download(f"/v1/files/{job.output_file}/content") as chunks:
        for chunk in chunks:
            actx.out.write(chunk.decode("utf-8", errors="replace"))


@app.command("cancel")
def cancel(ctx: typer.Context, job_id: JobArg, json_out: JsonOpt = False) -> None:
    """Ask the API to cancel a job.

    Example: mistral batch cancel JOB
    """
    from mistral_cli.services import batch as svc

    actx = _context(ctx)
    _show(actx, svc.cancel(actx.client(), job_id), json_out)


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    status_filter: StatusOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List batch jobs, newest first.

    Example: mistral batch list --status RUNNING
    """
    from mistral_cli.services import batch as svc

    actx = _context(ctx)
    jobs = svc.list_jobs(actx.client(), status=status_filter)
    if json_out:
        documents = [job.wire() for job in jobs]
        actx.out.json({"object": "list", "data": documents, "total": len(jobs)})
    else:
        actx.out.table(svc.COLUMNS, [svc.row(job) for job in jobs])
