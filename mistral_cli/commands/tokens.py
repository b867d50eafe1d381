"""`mistral tokens`: count a text's tokens for a model, check its context, price it."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from mistral_cli.commands._shared import CONTEXT_SETTINGS, JsonOpt, ModelOpt, new_app
from mistral_cli.errors import UsageError

app = new_app(
    "tokens",
    "Count tokens (exact with the `tokens` extra, else a conservative estimate).",
)


@app.callback(
    invoke_without_command=True,
    no_args_is_help=False,
    subcommand_metavar="",
    context_settings={**CONTEXT_SETTINGS, "allow_interspersed_args": True},
)
def tokens(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(metavar="[FILE|-]", help="Text file; - or none: stdin.", show_default=False),
    ] = None,
    model: ModelOpt = None,
    per_line: Annotated[
        bool, typer.Option("--per-line", help="Also print `LINE<TAB>TOKENS` for each line.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Count tokens for a model; say whether they fit its context, and what they cost as input.

    Example: mistral tokens -m mistral-large README.md
    """
    from mistral_cli.context import app_context
    from mistral_cli.services import tokens as svc

    actx = app_context(ctx)
    counter = svc.get_counter(actx.settings.tokenizer)
    if counter is None:
        raise UsageError(
            "MISTRAL_TOKENIZER=exact, but mistral-common is not installed",
            hint="pip install 'mistral-cli[tokens]'",
        )
    lines: list[svc.LineCount] = []
    with _open(file) as stream:  # read a chunk at a time: a 200 MB file stays in MBs
        model_id = actx.resolve_model(model)
        card = next((c for c in actx.models() if c.id == model_id), None)
        total = svc.count_stream(counter, stream, on_lines=lines.extend if per_line else None)
    cost = actx.prices().cost(model_id, total, 0)
    report = svc.TokenReport(
        model=model_id,
        tokens=total,
        counter=counter.label,
        exact=counter.exact,
        context_length=card.max_context_length if card is not None else None,
        cost=str(cost) if cost else None,
        as_of=cost.as_of if cost else "",
        lines=lines,
    )
    if json_out:
        actx.out.json(report.as_json())
        return
    if per_line:
        actx.out.write("".join(f"{ln.number}\t{ln.tokens}\n" for ln in lines))
    actx.out.fields(report.fields())


def _open(file: str | None) -> contextlib.AbstractContextManager[BinaryIO]:
    """FILE, or stdin for `-` or no FILE (a terminal is a usage error), as a binary stream."""
    if file not in (None, "-"):
        try:
            return Path(file).open("rb")
        except OSError as exc:
            raise UsageError(f"cannot read {file}: {exc.strerror}") from None
    if sys.stdin.isatty():
        raise UsageError("no input: give a FILE or pipe text on stdin")
    return contextlib.nullcontext(sys.stdin.buffer)
