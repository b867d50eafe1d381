"""`mistral embed`: vectors for TEXT arguments or stdin lines, in input order, on stdout."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mistral_cli.commands._shared import CONTEXT_SETTINGS, ModelOpt, new_app
from mistral_cli.errors import BudgetExceeded, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mistral_cli.context import AppContext
    from mistral_cli.services.embed.backend import EmbedSettings
    from mistral_cli.services.embed.batching import Limits
    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.embed.job import Destination, Source
    from mistral_cli.services.embed.tokens import BudgetStop, TokenCounter

app = new_app(
    "embed",
    "Embed texts: one record per TEXT argument or stdin line, in input order, on stdout.\n\n"
    "Example: cat notes.txt | mistral embed > vectors.jsonl",
)


@dataclass(frozen=True, kw_only=True)
class EmbedOptions:
    """The run's knobs besides inputs, output and request fields."""

    truncate: bool = False
    concurrency: int = 4
    progress: bool = False
    wait: bool = False
    timeout: float | None = None
    batch: bool = False  # the Batch API: half price


def _opt(*names: str, help: str, **extra: Any) -> Any:  # noqa: ANN401  # typer.Option's own type
    return typer.Option(*names, help=help, show_default=False, **extra)


TextsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="TEXT", help="Texts to embed (else stdin, one per line).", show_default=False
    ),
]
OutputOpt = Annotated[
    Path | None,
    _opt("-o", "--output", help="Write to FILE, not stdout (- is stdout).", dir_okay=False),
]
ForceOpt = Annotated[bool, _opt("--force", help="Overwrite an existing -o FILE.")]
FormatOpt = Annotated[
    str | None, _opt("--format", help="jsonl (default), json, csv or npy (needs -o).")
]
InputFormatOpt = Annotated[
    str, _opt("--input-format", help="text lines (default) or jsonl objects.")
]
FieldOpt = Annotated[str, _opt("--field", help="jsonl input: the field holding the text [text].")]
IdFieldOpt = Annotated[
    str | None, _opt("--id-field", help="jsonl input: a field carried out as `id`.")
]
DimensionOpt = Annotated[
    int | None, _opt("--output-dimension", help="Vector size (codestral-embed).")
]
DtypeOpt = Annotated[
    str, _opt("--output-dtype", help="float (default), int8, uint8, binary, ubinary.")
]
EncodingOpt = Annotated[
    str, _opt("--encoding", help="float (default: numbers as sent) or base64 (float32, smaller).")
]
TruncateOpt = Annotated[bool, _opt("--truncate", help="Cut over-long inputs instead of stopping.")]
SizeOpt = Annotated[int, _opt("--batch-size", help="Most inputs per request [512].", min=1)]
TokensOpt = Annotated[int, _opt("--batch-tokens", help="Most tokens per request [16384].", min=1)]
ConcurrencyOpt = Annotated[
    int, _opt("--concurrency", help="Requests in flight [4].", min=1, max=64)
]
ProgressOpt = Annotated[bool, _opt("--progress", help="Progress and summary on stderr, always.")]
DryRunOpt = Annotated[
    bool, _opt("--dry-run", help="Count inputs, tokens, requests, cost; send nothing.")
]
MaxCostOpt = Annotated[
    str | None,
    _opt("--max-cost", metavar="AMOUNT", help="Stop before the inputs cost more [exit 11]."),
]
ResumeOpt = Annotated[bool, _opt("--resume", help="Continue an interrupted -o FILE run (jsonl).")]
BatchOpt = Annotated[
    bool, _opt("--batch", help="Use the Batch API (asynchronous): print the job id.")
]
WaitOpt = Annotated[bool, _opt("--wait", help="With --batch: wait for the job, write the vectors.")]
TimeoutOpt = Annotated[
    str | None,
    _opt("--timeout", metavar="DURATION", help="With --wait: give up after this long (124)."),
]


@app.callback(
    invoke_without_command=True,
    no_args_is_help=False,
    subcommand_metavar="",
    context_settings={**CONTEXT_SETTINGS, "allow_interspersed_args": True},
)
def embed(
    ctx: typer.Context,
    texts: TextsArg = None,
    model: ModelOpt = None,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    input_format: InputFormatOpt = "text",
    field: FieldOpt = "text",
    id_field: IdFieldOpt = None,
    output_dimension: DimensionOpt = None,
    output_dtype: DtypeOpt = "float",
    encoding: EncodingOpt = "float",
    truncate: TruncateOpt = False,
    batch_size: SizeOpt = 512,
    batch_tokens: TokensOpt = 16_384,
    concurrency: ConcurrencyOpt = 4,
    progress: ProgressOpt = False,
    dry_run: DryRunOpt = False,
    resume: ResumeOpt = False,
    force: ForceOpt = False,
    batch: BatchOpt = False,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = None,
    max_cost: MaxCostOpt = None,
) -> None:
    """Embed texts: one record per input, in input order, on stdout (or -o FILE).

    Example: cat notes.txt | mistral embed > vectors.jsonl
    """
    from mistral_cli import values
    from mistral_cli.context import app_context, check_model_flag
    from mistral_cli.services.embed import backend, batching, job

    actx = app_context(ctx)
    check_model_flag(model)
    if not texts and sys.stdin.isatty():
        raise UsageError("no input: pass TEXT arguments or pipe one text per line on stdin")
    stream = None if texts else sys.stdin.buffer
    source = job.Source(
        texts=texts, stream=stream, input_format=input_format, field=field, id_field=id_field
    )
    dest = job.Destination(format=fmt, path=output, resume=resume, force=force)
    source.check()
    dest.check(resumable=not (batch or wait))  # before anything is sent: see Destination
    name = model or actx.settings.embed_model
    settings = backend.EmbedSettings(
        model=name, output_dimension=output_dimension, output_dtype=output_dtype, encoding=encoding
    )
    settings.check()
    limits = batching.Limits(max_inputs=batch_size, max_tokens=batch_tokens)
    limit = None if timeout is None else values.duration(timeout, "--timeout")
    budget = actx.settings.max_cost if max_cost is None else values.money(max_cost)
    opts = EmbedOptions(
        truncate=truncate,
        concurrency=concurrency,
        progress=progress,
        wait=wait,
        timeout=limit,
        batch=batch or wait,
    )
    if dry_run:
        _dry_run(actx, source, settings, limits, opts)
    elif batch or wait:
        _batch_api(actx, source, dest, settings, limits, opts, budget)
    else:
        settings = replace(settings, model=actx.resolve_model(model, default=name))
        _direct(actx, source, dest, settings, limits, opts, budget)


def _dry_run(
    actx: AppContext, source: Source, settings: EmbedSettings, limits: Limits, opts: EmbedOptions
) -> None:
    from mistral_cli.services.embed import batching, report, tokens

    counter = tokens.default_counter(actx.settings.tokenizer)
    plan = batching.plan_embed(
        source.items(), counter=counter, limits=limits, truncate=opts.truncate
    )
    cost = actx.prices().cost(settings.model, plan.tokens, 0, batch=opts.batch)
    actx.out.line(report.plan_line(plan, cost))


def _direct(
    actx: AppContext,
    source: Source,
    dest: Destination,
    settings: EmbedSettings,
    limits: Limits,
    opts: EmbedOptions,
    max_cost: float | None = None,
) -> None:
    from mistral_cli.commands._embed_jobs import TextOut
    from mistral_cli.errors import Interrupted
    from mistral_cli.services.embed import backend, interrupted, job, report, tokens
    from mistral_cli.services.embed.inputs import count_lines

    watch = interrupted.Watch(source, dest, sys.argv[1:])  # before any input is read
    engine = backend.ApiBackend(actx.client(), settings)
    counter = tokens.default_counter(actx.settings.tokenizer)
    items, point = job.start(dest, source.items())
    stop = _budget_stop(actx, items, counter, settings.model, max_cost)
    if stop is not None:
        items = iter(stop)
    message = job.resume_message(point, dest.file) if point is not None else None
    if message:
        actx.out.info(message)
    shown = opts.progress or actx.out.err_is_tty
    total = None
    if shown:
        total = len(source.texts) if source.texts else count_lines(source.stream)
    if total is not None and point is not None:
        total = max(total - (point.last_line or 0), 0)
    tracker = job.ProgressTracker(total, eta=not actx.out.err_is_tty)
    try:
        with (
            job.open_writer(dest, TextOut(actx), settings.output_dtype, progressive=True) as writer,
            actx.out.progress("embedding", total=total, unit="inputs", force=opts.progress) as bar,
        ):
            watch.start(point, writer)
            summary = job.embed(
                items,
                engine,
                writer,
                limits=limits,
                concurrency=opts.concurrency,
                counter=counter,
                truncate=opts.truncate,
                on_progress=lambda p: bar.advance(*tracker.update(p)),
            )
    except Interrupted:
        if (said := watch.message()) is not None:
            actx.out.info(said)
        raise
    if shown:
        actx.out.info(report.summary_line(summary))
    elif aside := report.set_aside(summary.blank, summary.truncated):
        actx.out.notice("mistral: " + " · ".join(aside))
    if stop is not None and stop.stopped_at is not None and max_cost is not None:
        from mistral_cli.services import pricing

        raise BudgetExceeded(
            f"stopped before input {stop.stopped_at}: it would take the cost past --max-cost "
            f"{pricing.parse_budget(max_cost)}; the inputs before it were embedded and written",
            hint="raise --max-cost, or continue later with -o FILE --resume",
        )


def _budget_stop(
    actx: AppContext,
    items: Iterator[Item],
    counter: TokenCounter,
    model: str,
    limit: float | None,
) -> BudgetStop | None:
    """With --max-cost: the inputs, cut off where they would cost more (no price: refused)."""
    from mistral_cli.services import pricing
    from mistral_cli.services.embed.tokens import BudgetStop

    if limit is None:
        return None
    meter = pricing.meter(pricing.parse_budget(limit), actx.prices(), model)
    return BudgetStop(items, counter, meter)


def _batch_api(
    actx: AppContext,
    source: Source,
    dest: Destination,
    settings: EmbedSettings,
    limits: Limits,
    opts: EmbedOptions,
    max_cost: float | None,
) -> None:
    from mistral_cli.commands._embed_jobs import submit_embed_job

    if dest.resume:
        raise UsageError(
            "--resume is for direct runs; a batch job is followed with `mistral batch`"
        )
    submit_embed_job(
        actx,
        source,
        dest,
        settings,
        limits,
        truncate=opts.truncate,
        wait=opts.wait,
        timeout=opts.timeout,
        max_cost=max_cost,
    )
