"""`mistral batch create`: a JSONL file of chat requests, checked, uploaded, run as one job."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from mistral_cli.commands._shared import ModelOpt
from mistral_cli.commands.batch import _opts as o
from mistral_cli.commands.batch import download

if TYPE_CHECKING:
    from pathlib import Path

    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.context import AppContext
    from mistral_cli.services.batch import JobOptions


def create(
    ctx: typer.Context,
    source: o.FileArg,
    endpoint: o.EndpointOpt = o.CHAT,
    model: ModelOpt = None,
    metadata: o.MetadataOpt = None,
    timeout_hours: o.HoursOpt = None,
    max_cost: o.MaxCostOpt = None,
    wait: o.WaitOpt = False,
    timeout: o.TimeoutOpt = None,
    output: o.AnswersOpt = None,
    fmt: o.AnswerFormatOpt = None,
    force: o.ForceOpt = False,
) -> None:
    """Check a JSONL file of chat requests against the API spec, upload it, start the job.

    Prints the job id. Each line is a request body ({"messages": [...], "max_tokens": 200}) or
    {"custom_id": "q1", "body": {...}}; -m sets the model of every request. With --wait, the
    answers follow in input order, as `batch download` writes them.

    Example: mistral batch create questions.jsonl -m mistral-small --wait > answers.jsonl
    """
    from mistral_cli import values
    from mistral_cli.commands._embed_jobs import wait_for
    from mistral_cli.errors import UsageError
    from mistral_cli.services import batch as svc

    actx = o.context(ctx)
    job = svc.JobOptions(
        svc.check_endpoint(endpoint),
        svc.metadata(metadata or [], "mistral-cli batch create"),
        timeout_hours,
    )
    limit = None if timeout is None else values.duration(timeout, "--timeout")
    budget = actx.settings.max_cost if max_cost is None else values.money(max_cost)
    dest = download.destination(o.CHAT, fmt, output, force)
    if not wait and (output is not None or fmt is not None or force):
        raise UsageError("-o, --format and --force write the answers: they go with --wait")
    dest.check()  # before anything is read or sent
    created = _submit_chat(actx, source, model, job, budget)
    if not wait:
        actx.out.line(created.id)
        actx.out.notice(
            f"follow it with `mistral batch wait {created.id}`, "
            f"then `mistral batch download {created.id}`"
        )
        return
    download.collect(actx, wait_for(actx, created.id, limit), o.CHAT, dest)


def _submit_chat(
    actx: AppContext, source: Path, model: str | None, job: JobOptions, budget: float | None
) -> BatchJob:
    """Check and stage the requests (exit 8), check the budget (exit 11), upload, create."""
    import time

    from mistral_cli.commands._embed_jobs import check_budget
    from mistral_cli.services import batchio
    from mistral_cli.services.chat import batchfile as requests
    from mistral_cli.values import counted

    name = actx.resolve_model(model)
    folder = actx.data_dir() / "batch"
    started = time.monotonic()
    try:
        with actx.out.progress(f"checking {source.name}", unit="lines") as bar:
            prepared = requests.prepare(source, name, folder, on_progress=bar.advance)
    except requests.BadLines as exc:
        for problem in exc.listed:
            actx.out.info(problem)
        raise
    if budget is not None:
        try:
            prompt, completion = requests.bounded(prepared, source)
        except BaseException:
            batchio.discard(prepared)
            raise
        check_budget(actx, prepared, name, budget, prompt, completion)
    created = batchio.submit(actx.client(), prepared, name, folder, job)
    actx.out.notice(
        f"batch job {created.id} created: {counted(prepared.requests, 'request')} from {source} "
        f"({time.monotonic() - started:.1f} s){requests.skipped(prepared)}"
    )
    return created
