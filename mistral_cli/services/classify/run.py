"""One classify or moderate run: inputs through embed's engine, results written in input order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mistral_cli.errors import CliError
from mistral_cli.services.classify.backend import is_too_many
from mistral_cli.services.embed.batching import Limits
from mistral_cli.services.embed.inputs import InputError
from mistral_cli.services.embed.report import set_aside
from mistral_cli.services.embed.runner import EmbedStopped, run_embed
from mistral_cli.services.embed.tokens import EstimatingCounter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from mistral_cli.services.classify.backend import Result, ResultsBackend, Route
    from mistral_cli.services.embed.inputs import Item
    from mistral_cli.services.embed.runner import Progress, ResultWriter, Summary

# Undocumented limits: small batches by default (--batch-size, --batch-tokens), split on a
# "too many" 400. No per-input cap: an input too long for the model is the API's to refuse.
BATCH_SIZE = 32
BATCH_TOKENS = 16_384
NO_INPUT_CAP = 1 << 40


class Stopped(CliError):
    """A run stopped part-way; the results before the line it names are written."""

    def __init__(self, message: str, hint: str | None, exit_code: int) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code  # type: ignore[misc]  # per-instance: the cause's exit code


@dataclass(frozen=True, kw_only=True)
class Batching:
    """How inputs are grouped and sent."""

    batch_size: int = BATCH_SIZE
    batch_tokens: int = BATCH_TOKENS
    concurrency: int = 4

    def limits(self) -> Limits:
        """The engine's limits (exit 2 when a flag is below 1)."""
        return Limits(
            max_inputs=self.batch_size, max_tokens=self.batch_tokens, max_input_tokens=NO_INPUT_CAP
        )


def run(
    items: Iterable[Item],
    backend: ResultsBackend,
    writer: ResultWriter[Result],
    route: Route,
    batching: Batching,
    *,
    on_progress: Callable[[Progress], None] | None = None,
) -> Summary:
    """Send every non-blank input, writing results in input order (the writer is not closed)."""
    try:
        return run_embed(
            items, backend, writer, limits=batching.limits(), concurrency=batching.concurrency,
            counter=EstimatingCounter(), on_progress=on_progress, split=is_too_many,
        )  # fmt: skip
    except EmbedStopped as stop:
        raise _stopped(stop, route) from None


def _stopped(stop: EmbedStopped, route: Route) -> Stopped:
    """The engine's stop in this command's words (nothing here is resumable)."""
    cause = stop.cause or stop
    if isinstance(cause, InputError):
        message = cause.message
    else:
        message = (
            f"line {stop.first_line} and the lines after it were not {route.done}: {cause.message}"
        )
    kept = f"the {stop.embedded:,} results before line {stop.first_line} were written"
    hint = kept if cause.hint is None else f"{cause.hint}; {kept}"
    return Stopped(message, hint if stop.embedded else cause.hint, cause.exit_code)


def summary_line(summary: Summary) -> str:
    """`120 inputs · 4 requests · 1.2 s` (+ blank lines skipped)."""
    inputs = f"{summary.inputs:,} input{'' if summary.inputs == 1 else 's'}"
    requests = f"{summary.requests:,} request{'' if summary.requests == 1 else 's'}"
    parts = [inputs, requests, f"{summary.elapsed:.1f} s", *set_aside(summary.blank, 0)]
    return " · ".join(parts)
