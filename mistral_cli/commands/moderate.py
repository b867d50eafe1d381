"""`mistral moderate`: moderation categories for texts or conversations; `--fail-on` gates CI."""

from __future__ import annotations

from typing import Annotated

import typer

from mistral_cli.commands._classify_ui import (
    COMMAND_SETTINGS,
    ChatOpt,
    ConcurrencyOpt,
    ForceOpt,
    FormatOpt,
    OutputOpt,
    ProgressOpt,
    Run,
    SizeOpt,
    TextsArg,
    TokensOpt,
    execute,
)
from mistral_cli.commands._shared import new_app

app = new_app(
    "moderate",
    "Moderate texts or conversations: one result per input, in input order; --fail-on exits "
    "12 when an input is flagged.\n\nExample: git diff | mistral moderate --fail-on any",
)
FailOnOpt = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="CATEGORY,…",
        help="Exit 12 after writing every result if an input is flagged in one of these "
        "categories (any: in any of them).",
        show_default=False,
    ),
]


@app.callback(**COMMAND_SETTINGS)
def moderate(
    ctx: typer.Context,
    texts: TextsArg = None,
    model: Annotated[
        str | None,
        typer.Option(
            "-m",
            "--model",
            help="Model id or short name (default: the first with the moderation capability).",
            show_default=False,
        ),
    ] = None,
    chat: ChatOpt = None,
    fail_on: FailOnOpt = None,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    force: ForceOpt = False,
    batch_size: SizeOpt = 32,
    batch_tokens: TokensOpt = 16_384,
    concurrency: ConcurrencyOpt = 4,
    progress: ProgressOpt = False,
) -> None:
    """Moderate texts (or --chat conversations); --fail-on CATEGORY,… exits 12 when flagged.

    Example: mistral moderate --fail-on hate_and_discrimination,violence_and_threats < posts.txt
    """
    from mistral_cli.context import app_context, check_model_flag
    from mistral_cli.services.classify.backend import Route
    from mistral_cli.services.classify.moderation import parse_fail_on
    from mistral_cli.services.classify.run import Batching

    actx = app_context(ctx)
    check_model_flag(model)
    gate = parse_fail_on(fail_on)
    batching = Batching(batch_size=batch_size, batch_tokens=batch_tokens, concurrency=concurrency)
    job = Run(
        texts=texts,
        chat=chat,
        output=output,
        fmt=fmt,
        force=force,
        batching=batching,
        progress=progress,
    )
    execute(actx, Route("moderate", chat=chat is not None), job, model=model, fail_on=gate)
