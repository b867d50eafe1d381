"""What `embed` and `batch` share: vectors to stdout, and embedding jobs on the Batch API.

`embed --batch` submits a job (and with --wait follows it and writes the vectors); `batch wait`
and `batch download` follow and collect a job the same way, and `batch create` checks its
budget and follows its job with the same helpers. Imported only once a command runs.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.context import AppContext
    from mistral_cli.services.batchio import Staged
    from mistral_cli.services.embed.backend import EmbedSettings
    from mistral_cli.services.embed.batching import Limits
    from mistral_cli.services.embed.job import Destination, Source


class TextOut:
    """A TextSink over Output (which flushes each write and handles a closed pipe)."""

    def __init__(self, actx: AppContext) -> None:
        self._out = actx.out

    def write(self, text: str) -> None:
        """Write to stdout through Output."""
        self._out.write(text)

    def flush(self) -> None:
        """Nothing to do: Output.write flushed already."""


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
    from mistral_cli.services import batchio
    from mistral_cli.services.embed import batchfile, report, tokens
    from mistral_cli.values import counted

    svc.check_host(actx.settings.base_url)
    settings = replace(settings, model=actx.resolve_model(settings.model, default=settings.model))
    folder = actx.data_dir() / "batch"
    started = time.monotonic()
    prepared = batchfile.prepare(
        source.items(),
        settings,
        folder,
        limits=limits,
        counter=tokens.EstimatingCounter(),
        truncate=truncate,
    )
    if prepared.requests == 0:
        from mistral_cli.errors import UsageError

        batchio.discard(prepared)
        raise UsageError("no input to embed (every line was blank)")
    if max_cost is not None:
        check_budget(actx, prepared, settings.model, max_cost, prepared.tokens)
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
    collect(actx, wait_for(actx, job.id, timeout), dest)


def check_budget(
    actx: AppContext,
    staged: Staged,
    model: str,
    limit: float,
    prompt: int,
    completion: int = 0,
) -> None:
    """--max-cost for a batch job: refuse (exit 11) before uploading a job that would cost more.

    Estimated at the Batch API's price (half); the staged files are removed when refused.
    """
    from mistral_cli.services import batchio, pricing

    try:
        meter = pricing.meter(pricing.parse_budget(limit), actx.prices(), model, batch=True)
        meter.check(prompt, completion, what="this batch job")
    except BaseException:
        batchio.discard(staged)
        raise


def wait_for(actx: AppContext, job_id: str, timeout: float | None) -> BatchJob:
    """Poll a job until it ends, one stderr line per change of its status or progress."""
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
        actx.client(),
        job_id,
        sleep=actx.sleep,
        timeout=timeout,
        on_status=report,
        on_note=actx.out.notice,
    )


def collect(actx: AppContext, job: BatchJob, dest: Destination) -> None:
    """Write a finished job's vectors in input order (stdout, or the -o FILE of `dest`)."""
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
