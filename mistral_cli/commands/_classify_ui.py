"""What `classify` and `moderate` share: their options, the run, and the batched requests."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mistral_cli.commands._shared import CONTEXT_SETTINGS
from mistral_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mistral_cli.context import AppContext
    from mistral_cli.services.classify.backend import Result, ResultsBackend, Route
    from mistral_cli.services.classify.moderation import FlagTally
    from mistral_cli.services.classify.run import Batching
    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.embed.runner import ResultWriter, Summary


def _opt(*names: str, help: str, **extra: Any) -> Any:  # noqa: ANN401  # typer.Option's own type
    return typer.Option(*names, help=help, show_default=False, **extra)


TextsArg = Annotated[
    list[str] | None,
    typer.Argument(metavar="TEXT", help="Texts (else stdin, one per line).", show_default=False),
]
ClassifierOpt = Annotated[
    str | None,
    _opt("-m", "--model", help="The fine-tuned classifier: its ft: id, a unique prefix, an alias."),
]
ChatOpt = Annotated[
    Path | None,
    _opt(
        "--chat",
        metavar="FILE.jsonl",
        help='Conversations, one {"messages": [...]} per line (- is stdin).',
        dir_okay=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    _opt("-o", "--output", help="Write to FILE, not stdout (- is stdout).", dir_okay=False),
]
FormatOpt = Annotated[
    str | None,
    _opt("--format", help="jsonl (default piped), csv, or table (a terminal's default)."),
]
ForceOpt = Annotated[bool, _opt("--force", help="Overwrite an existing -o FILE.")]
SizeOpt = Annotated[int, _opt("--batch-size", help="Most inputs per request [32].", min=1)]
TokensOpt = Annotated[
    int, _opt("--batch-tokens", help="Most tokens per request, estimated [16384].", min=1)
]
ConcurrencyOpt = Annotated[
    int, _opt("--concurrency", help="Requests in flight [4].", min=1, max=64)
]
ProgressOpt = Annotated[bool, _opt("--progress", help="Progress and summary on stderr, always.")]
COMMAND_SETTINGS: dict[str, Any] = {
    "invoke_without_command": True,
    "no_args_is_help": False,
    "subcommand_metavar": "",
    "context_settings": {**CONTEXT_SETTINGS, "allow_interspersed_args": True},
}


@dataclass(frozen=True, kw_only=True)
class Run:
    """Everything but the model: inputs, output and batching (checked before any request)."""

    texts: list[str] | None
    chat: Path | None
    output: Path | None
    fmt: str | None
    force: bool
    batching: Batching
    progress: bool


def execute(
    actx: AppContext,
    route: Route,
    job: Run,
    *,
    model: str | None,
    fail_on: tuple[str, ...] | None = None,
) -> None:
    """Check, resolve the model, run, and report (shared by `classify` and `moderate`)."""
    from mistral_cli import fsio
    from mistral_cli.commands._embed_jobs import TextOut
    from mistral_cli.services.classify import inputs, moderation, writers
    from mistral_cli.services.classify.backend import ResultsBackend

    chosen = writers.choose_format(job.fmt, job.output, tty=actx.out.is_tty)
    if job.output is not None:  # before any request: nothing is paid for and then not written
        fsio.check_folder(job.output)
        fsio.check_new(job.output, force=job.force)
    job.batching.limits()
    with inputs.open_inputs(job.texts, job.chat, lambda: sys.stdin.buffer) as (items, total):
        model_id = _model(actx, route, model)
        backend = ResultsBackend(actx.client(), route, model_id)
        stdout = TextOut(actx)
        with writers.open_writer(
            chosen, job.output, force=job.force, stdout=stdout, chat=route.chat
        ) as writer:
            tally = moderation.FlagTally(writer, fail_on, route.where)
            sink = tally if route.kind == "moderate" else writer
            try:
                summary = _send(actx, route, job, items, total, backend, sink)
            finally:
                if isinstance(writer, writers.TableRows) and writer.rows:
                    actx.out.table(writer.columns, writer.rows)
    _report(actx, route, job, summary, tally)


def _model(actx: AppContext, route: Route, model: str | None) -> str:
    """-m resolved (a card without the route's capability is refused), else the default."""
    from mistral_cli.services import models as svc
    from mistral_cli.services.classify import moderation

    if model is None:
        try:
            return moderation.default_model(actx.models())
        except UsageError:  # the cached list may predate the moderation models
            return moderation.default_model(actx.models(refresh=True))
    model_id = actx.resolve_model(model)
    card = svc.find(model_id, actx.models())
    capability = "classification" if route.kind == "classify" else "moderation"
    if card is not None and getattr(card.caps, capability) is False:
        noun = "classifier" if route.kind == "classify" else "moderation model"
        hint = (
            "`mistral models list --owned` shows your fine-tuned classifiers"
            if route.kind == "classify"
            else "leave -m out to use the default moderation model"
        )
        raise UsageError(f"{model_id} is not a {noun} (no {capability} capability)", hint=hint)
    return model_id


def _send(
    actx: AppContext,
    route: Route,
    job: Run,
    items: Iterator[Item],
    total: int | None,
    backend: ResultsBackend,
    sink: ResultWriter[Result],
) -> Summary:
    from mistral_cli.services.classify import run
    from mistral_cli.services.embed.job import ProgressTracker

    label = "classifying" if route.kind == "classify" else "moderating"
    tracker = ProgressTracker(total, eta=not actx.out.err_is_tty)
    with actx.out.progress(label, total=total, unit="inputs", force=job.progress) as bar:
        return run.run(
            items, backend, sink, route, job.batching,
            on_progress=lambda p: bar.advance(*tracker.update(p)),
        )  # fmt: skip


def _report(actx: AppContext, route: Route, job: Run, summary: Summary, tally: FlagTally) -> None:
    from mistral_cli.services.classify.run import summary_line
    from mistral_cli.services.embed.report import set_aside

    if job.progress or actx.out.err_is_tty:
        actx.out.info(summary_line(summary))
    elif aside := set_aside(summary.blank, 0):
        actx.out.notice("mistral: " + " · ".join(aside))
    if route.kind != "moderate":
        return
    verdict = tally.verdict()
    if verdict is not None:
        raise verdict
    actx.out.info(tally.summary())
