"""`finetune validate`: check data files offline (FT001–FT602), optionally write a fixed copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mistral_cli.commands._shared import JsonOpt


def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Training JSONL files.")],
    val: Annotated[
        Path | None, typer.Option("--val", metavar="PATH", help="Validation file.")
    ] = None,
    kind: str | None = typer.Option(
        None, "--kind", help="chat, function_calling, vision or classifier (default: detect)."
    ),
    seq_len: int | None = typer.Option(None, "--seq-len", metavar="N", help="Planned seq_len."),
    steps: int | None = typer.Option(None, "--steps", metavar="N", help="Planned steps (epochs)."),
    fmt: str = typer.Option("text", "--format", help="text (stderr), json or github (stdout)."),
    json_out: JsonOpt = False,
    strict: bool = typer.Option(False, "--strict", help="Warnings count as errors."),
    fix: Annotated[
        Path | None,
        typer.Option("--fix", metavar="OUT", help="Write a repaired copy to OUT and check that."),
    ] = None,
    drop_invalid: bool = typer.Option(
        False, "--drop-invalid", help="With --fix: drop samples that cannot be repaired."
    ),
    force: bool = typer.Option(False, "--force", help="With --fix: overwrite an existing OUT."),
    max_findings: int | None = typer.Option(
        None, "--max-findings", metavar="N", help="Show at most N findings."
    ),
) -> None:
    """Validate fine-tuning data offline; exit 8 on errors (--strict: warnings too).

    Example: mistral finetune validate train.jsonl --val val.jsonl --format github
    """
    from mistral_cli.commands.finetune import _flow
    from mistral_cli.context import app_context
    from mistral_cli.errors import UsageError
    from mistral_cli.services.ftdata import fix as fix_svc
    from mistral_cli.services.ftdata.validate import FORMATS
    from mistral_cli.services.ftdata.validate import validate as check

    actx = app_context(ctx)
    chosen = "json" if json_out else fmt
    if chosen not in FORMATS:
        raise UsageError(f"--format must be text, json or github, not {fmt!r}")
    if fix is not None:
        if len(files) != 1:
            raise UsageError("--fix takes exactly one input file")
        result = fix_svc.fix(files[0], fix, drop_invalid=drop_invalid, force=force)
        for line in result.log:
            actx.out.info(f"{files[0]}:{line}")
        files = [fix]
    reports = [
        check(
            path,
            val=val if index == 0 else None,
            kind=kind,
            seq_len=seq_len,
            steps=steps,
            strict=strict,
            max_findings=max_findings,
        )
        for index, path in enumerate(files)
    ]
    _flow.show_reports(actx, reports, chosen)
