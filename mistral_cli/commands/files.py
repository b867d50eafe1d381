"""`mistral files`: list, show, delete and download uploaded files (fine-tune, batch, ocr)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from mistral_cli.commands._shared import JsonOpt, YesOpt, confirm_deletion, new_app

app = new_app("files", "List, show, delete and download the files uploaded to your workspace.")
FileArg = Annotated[str, typer.Argument(metavar="FILE_ID", help="File id.")]
COLUMNS = ("ID", "FILENAME", "PURPOSE", "BYTES", "CREATED")


@app.command("list")
def list_files(
    ctx: typer.Context,
    purpose: str | None = typer.Option(None, "--purpose", help="fine-tune, batch or ocr."),
    search: str | None = typer.Option(None, "--search", help="Part of the name or id."),
    page: int = typer.Option(0, "--page", help="Page number (from 0)."),
    page_size: int = typer.Option(100, "--page-size", help="Files per page."),
    json_out: JsonOpt = False,
) -> None:
    """List uploaded files, newest first.

    Example: mistral files list --purpose fine-tune --search 3f2a9c
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import files as svc

    actx = app_context(ctx)
    found = svc.list_files(
        actx.client(), purpose=purpose, search=search, page=page, page_size=page_size
    )
    from mistral_cli.services.recent_ids import remember

    remember(actx.cache_dir(), "file", [item.id for item in found.data])
    if json_out:
        actx.out.json(found.wire())
        return
    actx.out.table(COLUMNS, [svc.row(item) for item in found.data])


@app.command("show")
def show(ctx: typer.Context, file_id: FileArg, json_out: JsonOpt = False) -> None:
    """Show one file's metadata.

    Example: mistral files show 497f6eca-6276-4993-bfeb-53cbbbba6f09
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import files as svc

    actx = app_context(ctx)
    found = svc.get_file(actx.client(), file_id)
    if json_out:
        actx.out.json(found.wire())
    else:
        actx.out.fields(svc.details(found))


@app.command("rm")
def remove(
    ctx: typer.Context,
    file_ids: Annotated[list[str], typer.Argument(metavar="FILE_ID...", help="File ids.")],
    yes: YesOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Delete uploaded files (asks on a terminal; --yes otherwise).

    Example: mistral files rm 497f6eca-6276-4993-bfeb-53cbbbba6f09 --yes
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import files as svc

    actx = app_context(ctx)
    again = f"mistral files rm {shlex.join(file_ids)} --yes"
    confirm_deletion(actx.out, "file", file_ids, yes=yes, again=again)  # before any request
    results = [svc.delete_file(actx.client(), file_id) for file_id in file_ids]
    if json_out:
        actx.out.json([r.wire() for r in results])
    else:
        for result in results:
            actx.out.line(f"{result.id}\t{svc.deletion(result)}")


@app.command("download")
def download(
    ctx: typer.Context,
    file_id: FileArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="PATH",
            help="Where to write (- is stdout; default: the file's name, here).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Download a file's content (streamed, written atomically; --force to overwrite).

    Example: mistral files download 497f6eca-… -o results.jsonl
    """
    from mistral_cli import fsio
    from mistral_cli.context import app_context
    from mistral_cli.services import files as svc
    from mistral_cli.values import counted

    actx = app_context(ctx)
    if output is not None:
        fsio.check_new(output, force=force)  # before any request
    client = actx.client()
    meta = svc.get_file(client, file_id)
    dest = output or svc.local_name(meta, file_id)
    with actx.out.progress(dest.name or "-", total=meta.bytes, unit="B") as bar:
        written = svc.download(
            client,
            file_id,
            dest,
            force=force and output is not None,  # a server-chosen name never replaces a file
            on_progress=lambda _p, done, _t: bar.advance(done - bar.completed),
        )
    if not fsio.is_stdout(dest):
        actx.out.info(f"wrote {counted(written, 'byte')} to {dest}")
        actx.out.line(str(dest))
