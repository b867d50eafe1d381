"""What the `batch` verbs share: their options, the context (global host only), job details."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from mistral_cli.api.schemas.batch import BatchJob
    from mistral_cli.context import AppContext

CHAT = "/v1/chat/completions"
FileArg = Annotated[
    Path,
    typer.Argument(
        metavar="FILE.jsonl", help="One chat request a line: a body, or {custom_id, body}."
    ),
]
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
    typer.Option(
        "--format",
        help="jsonl (default); chat jobs: text (one answer a line); embed jobs: json, csv, npy.",
        show_default=False,
    ),
]
AnswersOpt = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="With --wait: the answers to FILE.",
        dir_okay=False,
        show_default=False,
    ),
]
AnswerFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="With --wait: jsonl (default) or text (one answer a line).",
        show_default=False,
    ),
]
EndpointOpt = Annotated[
    str, typer.Option("--endpoint", metavar="ROUTE", help="Where every request goes.")
]
MetadataOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--metadata", metavar="K=V", help="A label for the job (repeatable).", show_default=False
    ),
]
HoursOpt = Annotated[
    int | None,
    typer.Option(
        "--timeout-hours",
        metavar="HOURS",
        min=1,
        max=168,
        help="The API ends the job after this long (1-168; its default is 24).",
        show_default=False,
    ),
]
MaxCostOpt = Annotated[
    str | None,
    typer.Option(
        "--max-cost",
        metavar="AMOUNT",
        help="Refuse a job estimated (at batch price) to cost more [exit 11].",
        show_default=False,
    ),
]
WaitOpt = Annotated[
    bool, typer.Option("--wait", help="Wait for the job, then write the answers (as download).")
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


def show(actx: AppContext, job: BatchJob, json_out: bool) -> None:
    from mistral_cli.services import batch as svc

    if json_out:
        actx.out.json(job.wire())
    else:
        actx.out.fields(svc.details(job))


def context(ctx: typer.Context) -> AppContext:
    from mistral_cli.context import app_context
    from mistral_cli.services import batch as svc

    actx = app_context(ctx)
    svc.check_host(actx.settings.base_url)
    return actx
