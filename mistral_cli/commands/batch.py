"""`mistral batch`: follow Batch API jobs (status, wait, download, cancel, list)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands._shared import JsonOpt, new_app

if TYPE_CHECKING:
    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.context import AppContext
    from mistral_cli.services.embed.backend import EmbedSettings
    from mistral_cli.services.embed.batchfile import Prepared
    from mistral_cli.services.embed.batching import Limits
    from mistral_cli.services.embed.job import Destination, Source

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

    limit = None if timeout is None else values.duration(timeout, "--timeout")
    actx = _context(ctx)
    _show(actx, _wait(actx, job_id, limit), json_out)


def _wait(actx: AppContext, job_id: str, timeout: float | None) -> BatchJob:
    from mistral_cli.services import batch as svc
    from mistral_cli.values import counted

    seen: list[str] = []

    def report(job: BatchJob) -> None:
        done = counted(job.total_requests or 0, "request", shown=svc.progress(job))
        line = f"batch job {job.id}: {job.status} · {done}"
        if not seen or seen[-1] != line:
            seen.append(line)
            actx.out.notice(line)

    return svc.wait(
        actx.client(), job_id, sleep=actx.sleep, timeout=timeout, on_status=report,
        on_note=actx.out.notice,
    )  # fmt: skip


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
    from mistral_cli.services import batch as svc
    from mistral_cli.services.embed import job as embed_job

    actx = _context(ctx)
    dest = embed_job.Destination(fmt, output, force=force)
    if raw and dest.file is not None:
        from mistral_cli import fsio

        fsio.check_new(dest.file, force=force)
    elif not raw:
        dest.check()  # an existing -o FILE needs --force: refused before any download
    found = svc.ended(svc.get(actx.client(), job_id))
    if raw:
        _raw(actx, found, dest)
        return
    _collect(actx, found, dest)


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


def _collect(actx: AppContext, job: BatchJob, dest: Destination) -> None:
    from mistral_cli.commands.embed import TextOut
    from mistral_cli.services.embed import batchfile
    from mistral_cli.services.embed import job as embed_job
    from mistral_cli.values import counted

    dest.check()
    folder = actx.data_dir() / "batch"
    dtype = batchfile.manifest_dtype(folder, job.id)
    with embed_job.open_writer(dest, TextOut(actx), dtype, with_sha=False) as writer:
        written = batchfile.collect(actx.client(), job, folder, writer)
    inputs, requests = counted(written.inputs, "input"), counted(written.requests, "request")
    actx.out.notice(f"{inputs} from {requests} written")


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


def submit_embed_job(
    actx: AppContext,
    source: Source,
    dest: Destination,
    settings: EmbedSettings,
    limits: Limits,
    *,
    truncate: bool,
    wait: bool,
    timeout: float | None,
    max_cost: float | None = None,
) -> None:
    """`mistral embed --batch`: build and upload the requests, start the job, maybe wait."""
    from dataclasses import replace

    from mistral_cli.services import batch as svc
    from mistral_cli.services.embed import batchfile, report, tokens
    from mistral_cli.values import counted

    svc.check_host(actx.settings.base_url)
    settings = replace(settings, model=actx.resolve_model(settings.model, default=settings.model))
    folder = actx.data_dir() / "batch"
    started = time.monotonic()
    prepared = batchfile.prepare(
        source.items(), settings, folder, limits=limits, counter=tokens.EstimatingCounter(),
        truncate=truncate,
    )  # fmt: skip
    if prepared.requests == 0:
        from mistral_cli.errors import UsageError

        prepared.requests_path.unlink(missing_ok=True)
        prepared.manifest_path.unlink(missing_ok=True)
        raise UsageError("no input to embed (every line was blank)")
    if max_cost is not None:
        _check_budget(actx, prepared, settings.model, max_cost)
    job = batchfile.submit(actx.client(), prepared, settings.model, folder)
    aside = " · ".join(["", *report.set_aside(prepared.blank, prepared.truncated)])
    actx.out.notice(
        f"batch job {job.id} created: {counted(prepared.inputs, 'input')} in "
        f"{counted(prepared.requests, 'request')} ({time.monotonic() - started:.1f} s){aside}"
    )
    if not wait:
        actx.out.line(job.id)
        actx.out.notice(
            f"follow it with `mistral batch wait {job.id}`, then `mistral batch download {job.id}`"
        )
        return
    _collect(actx, _wait(actx, job.id, timeout), dest)


def _check_budget(actx: AppContext, prepared: Prepared, model: str, limit: float) -> None:
    """--max-cost with --batch: refuse (exit 11) before uploading a job that would cost more."""
    from mistral_cli.commands.chat import price_table
    from mistral_cli.services import pricing

    try:
        meter = pricing.meter(pricing.parse_budget(limit), price_table(actx), model, batch=True)
        meter.check(prepared.tokens, what="this batch job")
    except BaseException:
        prepared.requests_path.unlink(missing_ok=True)
        prepared.manifest_path.unlink(missing_ok=True)
        raise
