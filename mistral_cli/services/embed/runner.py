"""The embed engine: ordered, concurrent requests over a bounded window, split on token overflow.

Generic over what a request gives back per input (vectors for embed, result objects for
classify and moderate): a Backend answers one batch, a ResultWriter writes them in order.

Batches are submitted to a thread pool at most `window` at a time and written strictly in input
order, so at most `window` batches (plus the one being packed) are held in memory whatever the
input size. A "too many tokens" answer splits the batch in halves, recursively; nothing is
dropped. When a batch fails for good, nothing more is submitted, the batches before it are
written, and `EmbedStopped` names the first line not embedded. Ctrl-C and SIGTERM are held
while a batch is written, so an interrupted run leaves whole records only.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeVar

from mistral_cli.errors import CliError, UsageError
from mistral_cli.fsio import held_signals
from mistral_cli.services.embed.batching import Batch, Limits, Tally, batches
from mistral_cli.services.embed.inputs import InputError, Item
from mistral_cli.services.embed.tokens import EstimatingCounter, TokenCounter
from mistral_cli.values import counted

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from mistral_cli.services.embed.writers import Vector

R = TypeVar("R")
R_contra = TypeVar("R_contra", contravariant=True)


class Backend(Protocol[R]):
    """Sends one request for a batch of inputs (the API client; thread-safe)."""

    def embed(self, inputs: list[str]) -> list[R]:
        """One result per input, in input order (embed: vectors placed by `index`); CliErrors."""
        ...


class ResultWriter(Protocol[R_contra]):
    """Receives results batch by batch, in input order; the caller closes it."""

    def write(self, items: Sequence[Item], vectors: Sequence[R_contra]) -> None:
        """Write one record per item (same order and length as the results), then flush."""
        ...

    def close(self) -> None:
        """Finish the output; idempotent."""
        ...


EmbeddingsBackend: TypeAlias = "Backend[Vector]"


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported after each batch is written."""

    inputs: int
    tokens: int
    requests: int
    elapsed: float


@dataclass(frozen=True, slots=True)
class Summary:
    """What a finished run did: inputs embedded, tokens (counted locally), requests sent, …."""

    inputs: int
    tokens: int
    requests: int
    splits: int
    blank: int
    truncated: int
    elapsed: float
    exact: bool


class EmbedStopped(CliError):
    """A run stopped part-way; the records before `first_line` are written. Exit code kept.

    `cause` is the error that stopped it, for callers that word the stop their own way.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None,
        exit_code: int,
        first_line: int,
        embedded: int,
        cause: CliError | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code  # type: ignore[misc]  # per-instance: the cause's exit code
        self.first_line = first_line
        self.embedded = embedded
        self.cause = cause


def is_too_many_tokens(exc: BaseException) -> bool:
    """True for the API's token-overflow rejection: code 3210, or the older message."""
    if str(getattr(exc, "code", None)) == "3210":
        return True
    message = getattr(exc, "message", None)
    return "too many tokens" in (message if isinstance(message, str) else str(exc)).lower()


def run_embed(
    items: Iterable[Item],
    backend: Backend[R],
    writer: ResultWriter[R],
    *,
    limits: Limits | None = None,
    concurrency: int = 4,
    counter: TokenCounter | None = None,
    truncate: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    window: int | None = None,
    clock: Callable[[], float] = time.monotonic,
    split: Callable[[BaseException], bool] = is_too_many_tokens,
    executor: Callable[..., ThreadPoolExecutor] = ThreadPoolExecutor,
) -> Summary:
    """Embed every non-blank item, writing results in input order; the writer is not closed.

    A batch whose error passes `split` (default: token overflow) is halved and sent again.
    `executor` builds the thread pool (a test seam: a subclass may watch the futures).
    """
    limits = limits or Limits()
    counter = counter or EstimatingCounter()
    window = window or 2 * concurrency
    if concurrency < 1 or window < 1:
        raise UsageError("concurrency must be at least 1")
    tally = Tally()
    todo = batches(items, counter=counter, limits=limits, truncate=truncate, tally=tally)
    run = _Run(backend, writer, on_progress, clock, split)
    pool = executor(max_workers=concurrency, thread_name_prefix="embed")
    try:
        run.execute(todo, pool, window)
    except Exception:
        # A failed batch: drop the queue but let requests already sent finish, so none
        # lands after we report what was written (and none is left running unseen).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C must not wait for the queue
        raise
    pool.shutdown()
    return Summary(
        inputs=run.done,
        tokens=run.tokens,
        requests=run.requests,
        splits=run.splits,
        blank=tally.blank,
        truncated=tally.truncated,
        elapsed=run.elapsed(),
        exact=counter.exact,
    )


@dataclass(slots=True)
class _Result(Generic[R]):
    """One batch's outcome: results for a prefix of its inputs, then maybe the error."""

    vectors: list[R] = field(default_factory=list)
    requests: int = 0
    splits: int = 0
    error: Exception | None = None


def _embed_batch(
    backend: Backend[R], batch: Batch, split: Callable[[BaseException], bool]
) -> _Result[R]:
    result: _Result[R] = _Result()
    _embed_into(backend, [entry.text for entry in batch.entries], result, split)
    return result


def _embed_into(
    backend: Backend[R],
    texts: list[str],
    result: _Result[R],
    split: Callable[[BaseException], bool],
) -> None:
    result.requests += 1
    try:
        vectors = backend.embed(texts)
    except Exception as exc:  # noqa: BLE001  # kept, and raised in input order by the writer side
        if len(texts) == 1 or not split(exc):
            result.error = exc
            return
        result.splits += 1
        half = len(texts) // 2
        _embed_into(backend, texts[:half], result, split)
        if result.error is None:
            _embed_into(backend, texts[half:], result, split)
        return
    if len(vectors) != len(texts):
        result.error = CliError(
            f"the API returned {counted(len(vectors), 'embedding')} for "
            f"{counted(len(texts), 'input')}"
        )
        return
    result.vectors.extend(vectors)


Pending: TypeAlias = "deque[tuple[Batch, Future[_Result[R]]]]"


class _Run(Generic[R]):
    """The writer side: submits batches, then writes them in order as they complete."""

    def __init__(
        self,
        backend: Backend[R],
        writer: ResultWriter[R],
        on_progress: Callable[[Progress], None] | None,
        clock: Callable[[], float],
        split: Callable[[BaseException], bool],
    ) -> None:
        self.backend, self.writer, self.on_progress, self.clock = (
            backend,
            writer,
            on_progress,
            clock,
        )
        self.split = split
        self.started = clock()
        self.done = self.tokens = self.requests = self.splits = 0

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return self.clock() - self.started

    def execute(self, todo: Iterator[Batch], pool: ThreadPoolExecutor, window: int) -> None:
        """Keep up to `window` batches in flight; write the oldest as soon as it is done."""
        pending: Pending[R] = deque()
        stop: Exception | None = None
        exhausted = False
        while True:
            if not (exhausted or stop or any(_failed(future) for _, future in pending)):
                exhausted, stop = self._fill(todo, pending, pool, window)
            if not pending:
                break
            batch, future = pending[0]
            if not future.done():
                wait([f for _, f in pending if not f.done()], return_when=FIRST_COMPLETED)
                continue
            pending.popleft()
            self._finish(batch, future.result(), pending)
        if stop is not None:
            raise self._input_failure(stop)

    def _fill(
        self, todo: Iterator[Batch], pending: Pending[R], pool: ThreadPoolExecutor, window: int
    ) -> tuple[bool, Exception | None]:
        while len(pending) < window:
            try:
                batch = next(todo, None)
            except (CliError, ValueError, OSError) as exc:  # bad input, undecodable or unreadable
                return True, exc
            if batch is None:
                return True, None
            pending.append((batch, pool.submit(_embed_batch, self.backend, batch, self.split)))
        return False, None

    def _finish(self, batch: Batch, result: _Result[R], pending: Pending[R]) -> None:
        written = batch.entries[: len(result.vectors)]
        if written:
            with held_signals():  # Ctrl-C waits for whole records, and the count to match them
                self.writer.write([entry.item for entry in written], result.vectors)
                self.done += len(written)
            self.tokens += sum(entry.tokens for entry in written)
        self.requests += result.requests
        self.splits += result.splits
        if result.error is not None:
            for _, future in pending:
                future.cancel()
            raise self._batch_failure(batch.entries[len(written)].item, result.error)
        if self.on_progress is not None:
            self.on_progress(Progress(self.done, self.tokens, self.requests, self.elapsed()))

    def _batch_failure(self, item: Item, exc: Exception) -> Exception:
        if not isinstance(exc, CliError):
            return exc  # a bug: surfaces as an internal error, after the lines before it
        return EmbedStopped(
            f"{item.where()} and the lines after it were not embedded: {exc.message}",
            hint=self._resume_hint(exc.hint, item.line),
            exit_code=exc.exit_code,
            first_line=item.line,
            embedded=self.done,
            cause=exc,
        )

    def _input_failure(self, exc: Exception) -> Exception:
        if self.done == 0 or not isinstance(exc, InputError):
            return exc
        return EmbedStopped(
            exc.message,
            hint=self._resume_hint(exc.hint, exc.line, fix=True),
            exit_code=exc.exit_code,
            first_line=exc.line,
            embedded=self.done,
            cause=exc,
        )

    def _resume_hint(self, hint: str | None, line: int, *, fix: bool = False) -> str | None:
        if self.done == 0:
            return hint
        then = "fix the input, then rerun" if fix else "rerun"
        resume = (
            f"the {counted(self.done, 'input')} before line {line} "
            f"{'is' if self.done == 1 else 'are'} written; "
            f"{then} with -o FILE --resume to continue from there"
        )
        return resume if hint is None else f"{hint}; {resume}"


def _failed(future: Future[_Result[Any]]) -> bool:
    return future.done() and not future.cancelled() and future.result().error is not None
