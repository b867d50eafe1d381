"""`mistral batch download`: a finished job's results in input order (or its raw output file)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mistral_cli.commands.batch import _opts as o

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.context import AppContext
    from mistral_cli.services.embed.job import Destination
    from mistral_cli.services.embed.writers import TextSink


def download(
    ctx: typer.Context,
    job_id: o.JobArg,
    output: o.OutputOpt = None,
    fmt: o.FormatOpt = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="Write the job's output file as it is.")
    ] = False,
    force: o.ForceOpt = False,
) -> None:
    """Write a finished job's results in input order: answers (chat) or vectors (embed).

    Example: mistral batch download JOB -o answers.jsonl
    """
    from mistral_cli import fsio
    from mistral_cli.services import batch as svc
    from mistral_cli.services import batchio

    actx = o.context(ctx)
    if output is not None:
        fsio.check_folder(output)
        fsio.check_new(output, force=force)  # refused before any request
    endpoint = batchio.manifest_endpoint(actx.data_dir() / "batch", job_id)
    if endpoint is not None and not raw:
        destination(endpoint, fmt, output, force).check()  # --format, before any request
    found = svc.finished(svc.get(actx.client(), job_id))
    if raw:
        _raw(actx, found, output, force)
        return
    endpoint = endpoint or found.endpoint or ""
    collect(actx, found, endpoint, destination(endpoint, fmt, output, force))


def destination(endpoint: str, fmt: str | None, output: Path | None, force: bool) -> Destination:
    """Where results go, in the formats a job of `endpoint` can be written in."""
    from mistral_cli.services.chat import batchresults
    from mistral_cli.services.embed import job

    formats = batchresults.FORMATS if endpoint == o.CHAT else job.FORMATS
    return job.Destination(format=fmt, path=output, force=force, formats=formats)


def collect(actx: AppContext, job: BatchJob, endpoint: str, dest: Destination) -> None:
    """A chat job's answers, else (embeddings) its vectors, in input order."""
    from mistral_cli.commands._embed_jobs import collect as collect_vectors
    from mistral_cli.services.chat import batchresults
    from mistral_cli.values import counted

    if endpoint != o.CHAT:
        collect_vectors(actx, job, dest)
        return
    dest.check()
    with _text_sink(actx, dest) as sink:
        summary = batchresults.collect(
            actx.client(), job, actx.data_dir() / "batch", sink, dest.chosen
        )
    for note in summary.notes():
        actx.out.warn(note)
    actx.out.notice(f"{counted(summary.written, 'request')} written")
    error = summary.error()
    if error is not None:
        raise error


@contextlib.contextmanager
def _text_sink(actx: AppContext, dest: Destination) -> Iterator[TextSink]:
    """The answers' sink: stdout through Output, or the -o file (written whole, then renamed)."""
    from mistral_cli import fsio
    from mistral_cli.commands._embed_jobs import TextOut
    from mistral_cli.services.embed.job import Utf8Sink

    if dest.file is None:
        yield TextOut(actx)
        return
    with fsio.open_output(dest.file, force=dest.force, binary=True) as handle:
        yield Utf8Sink(handle)


def _raw(actx: AppContext, job: BatchJob, output: Path | None, force: bool) -> None:
    """The output file as the API wrote it: byte for byte, except on a terminal (made safe).

    A stdout with no byte stream under it (an embedding program's) gets whole characters too.
    """
    import codecs

    from mistral_cli.errors import CliError
    from mistral_cli.services import files

    if not job.output_file:
        raise CliError(f"batch job {job.id} has no output file")
    if output is None and (actx.out.stdout_is_terminal or not hasattr(actx.out.stdout, "buffer")):
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # whole characters
        with actx.client().download(f"/v1/files/{job.output_file}/content") as chunks:
            for chunk in chunks:
                actx.out.write(decoder.decode(chunk))
        actx.out.write(decoder.decode(b"", final=True))
        return
    files.download(actx.client(), job.output_file, output or Path("-"), force=force)
