"""An in-memory embeddings backend with the API's limits, scripted failures and a held request."""

from __future__ import annotations

import io
import json
import math
import threading
import zlib
from collections.abc import Callable, Iterable

from mistral_cli.errors import CliError, ExitCode
from mistral_cli.services.embed import runner
from mistral_cli.services.embed.inputs import Item, read_lines
from mistral_cli.services.embed.writers import JsonlWriter


def fake_tokens(text: str) -> int:
    """The fake server's count: max(1, ceil(utf8_bytes / 4))."""
    return max(1, math.ceil(len(text.encode("utf-8")) / 4))


def vector_for(text: str) -> list[float]:
    """A deterministic vector naming its text."""
    return [float(zlib.crc32(text.encode("utf-8")) % 100_003), float(len(text))]


class FakeApiError(CliError):
    """Stands in for ApiError: a class exit code and the API's `code`."""

    def __init__(
        self, message: str, *, exit_code: int = ExitCode.REJECTED, code: str | None = None
    ) -> None:
        super().__init__(message, hint="the fake's own hint")
        self.exit_code = exit_code  # type: ignore[misc]
        self.code = code


HELD_FOR = 30.0  # seconds a held request waits for another answer before failing the test


class FakeBackend:
    """Counts tokens like the fake server, enforces limits, records every request.

    `hold_first`: the first request is answered only after another one has been, so two
    requests are in flight at once and the answers come back out of order, every run.
    """

    def __init__(
        self,
        *,
        max_inputs: int = 512,
        max_tokens: int = 16_384,
        max_input_tokens: int = 8_192,
        hold_first: bool = False,
        old_style: bool = False,
        fail: Callable[[list[str]], Exception | None] | None = None,
        answer: Callable[[list[str]], list[list[float]]] | None = None,
    ) -> None:
        self.max_inputs, self.max_tokens = max_inputs, max_tokens
        self.max_input_tokens = max_input_tokens
        self.hold_first, self.old_style, self.fail, self.answer = (
            hold_first,
            old_style,
            fail,
            answer,
        )
        self.calls: list[list[str]] = []
        self.accepted: list[list[str]] = []
        self.rejected_tokens = 0
        self.active = self.max_active = 0
        self._lock = threading.Lock()
        self._another_answered = threading.Event()

    def embed(self, inputs: list[str]) -> list[list[float]]:
        with self._lock:
            first = not self.calls
            self.calls.append(list(inputs))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if first and self.hold_first and not self._another_answered.wait(HELD_FOR):
                raise AssertionError("no other request came while the first was held")
            self._check(inputs)
            with self._lock:
                self.accepted.append(list(inputs))
            return self.answer(inputs) if self.answer else [vector_for(t) for t in inputs]
        finally:
            with self._lock:
                self.active -= 1
            if not first:
                self._another_answered.set()

    def _check(self, inputs: list[str]) -> None:
        if len(inputs) > self.max_inputs:
            raise FakeApiError("Too many inputs in request, split into more batches.")
        if any(fake_tokens(t) > self.max_input_tokens for t in inputs):
            raise FakeApiError("Input is too long for the model.")
        total = sum(fake_tokens(t) for t in inputs)
        if total > self.max_tokens:
            with self._lock:
                self.rejected_tokens += 1
            if self.old_style:
                raise FakeApiError(
                    f"Too many tokens in batch. Max is {self.max_tokens} got {total}"
                )
            raise FakeApiError("Too many tokens overall, split into more batches.", code="3210")
        failure = self.fail(inputs) if self.fail else None
        if failure is not None:
            raise failure


def text_lines(count: int, template: str = "this is input number {}") -> list[str]:
    return [template.format(i) for i in range(1, count + 1)]


def run_lines(
    lines: Iterable[str], backend: FakeBackend, **options: object
) -> tuple[list[dict[str, object]], runner.Summary]:
    sink = io.StringIO()
    summary = runner.run_embed(read_lines(lines), backend, JsonlWriter(sink), **options)  # type: ignore[arg-type]
    return parse_jsonl(sink.getvalue()), summary


def parse_jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def expected(lines: list[str]) -> list[tuple[int, list[float]]]:
    return [(n, vector_for(t)) for n, t in enumerate(lines, start=1) if t.strip()]


def got(records: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(r["line"], r["embedding"]) for r in records]


def items_of(lines: list[str]) -> list[Item]:
    return list(read_lines(lines))
