"""`mistral classify`: a fine-tuned classifier's scores for texts or conversations, in order."""

from __future__ import annotations

import typer

from mistral_cli.commands._classify_ui import (
    COMMAND_SETTINGS,
    ChatOpt,
    ClassifierOpt,
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
from mistral_cli.errors import UsageError

app = new_app(
    "classify",
    "Classify texts or conversations with a fine-tuned classifier: one result per input, "
    "in input order.\n\nExample: mistral classify -m ft:ministral-3b-latest:… < tickets.txt",
)


@app.callback(**COMMAND_SETTINGS)
def classify(
    ctx: typer.Context,
    texts: TextsArg = None,
    model: ClassifierOpt = None,
    chat: ChatOpt = None,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    force: ForceOpt = False,
    batch_size: SizeOpt = 32,
    batch_tokens: TokensOpt = 16_384,
    concurrency: ConcurrencyOpt = 4,
    progress: ProgressOpt = False,
) -> None:
    """Classify texts (or --chat conversations) with a fine-tuned classifier, in input order.

    Example: mistral classify -m ft:ministral-3b-latest:7d1e40aa < tickets.txt > scores.jsonl
    """
    from mistral_cli.context import app_context
    from mistral_cli.services.classify.backend import Route
    from mistral_cli.services.classify.run import Batching

    actx = app_context(ctx)
    if model is None or not model.strip():
        raise UsageError(
            "classify needs -m MODEL: a fine-tuned classifier",
            hint="`mistral models list --owned` shows your fine-tuned models",
        )
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
    execute(actx, Route("classify", chat=chat is not None), job, model=model)
