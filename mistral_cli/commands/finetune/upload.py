"""`finetune upload`: validate, then upload (or reuse) training files; prints the file ids."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mistral_cli.commands._shared import JsonOpt
from mistral_cli.commands.finetune import _opts as o


def upload(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="JSONL files to upload.")],
    no_validate: o.NoValidateOpt = False,
    no_reuse: o.NoReuseOpt = False,
    upload_timeout: str = typer.Option(
        "15m", "--upload-timeout", metavar="DURATION", help="Wait this long for the server."
    ),
    json_out: JsonOpt = False,
) -> None:
    """Upload training files (identical bytes already uploaded are reused); prints one id a line.

    Example: FILE_ID=$(mistral finetune upload train.jsonl)
    """
    from mistral_cli import values
    from mistral_cli.commands.finetune import _flow, _plan
    from mistral_cli.context import app_context
    from mistral_cli.services import files as svc
    from mistral_cli.services.finetune.local import local_validator

    read_timeout = values.duration(upload_timeout, "--upload-timeout")
    actx = app_context(ctx)
    if not no_validate:
        check = local_validator(strict=False)
        for path in files:
            _flow.require_valid(actx, path, check(path, None))
    _flow.deprecation_notice(actx)
    client = actx.client()
    cache = _plan.upload_cache(actx)
    done = []
    for path in files:
        with _flow.Progress(actx, path.name, _size(path)) as progress:
            result = svc.upload(
                client,
                path,
                cache=cache,
                reuse=not no_reuse,
                on_progress=progress,
                read_timeout=read_timeout,
            )
        verb = "reusing" if result.reused else "uploaded"
        actx.out.info(f"{verb} {path} as {result.file.id} ({result.file.filename or '?'})")
        done.append(result)
    if json_out:
        actx.out.json([{**r.file.wire(), "sha256": r.sha256, "reused": r.reused} for r in done])
    else:
        for result in done:
            actx.out.line(result.file.id)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
